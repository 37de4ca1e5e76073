"""A run's results written at once: COPY every subject's row, drop the previous run's rows and
mark the run finished, in the caller's one transaction (it commits all of it or nothing).

Each row keeps the figures people filter and sort on as columns, and as JSONB the breakdown
(``Result.to_dict()`` without its trace) and the trace (``Result.to_dict()["trace"]``): the
very shapes, decimals as exact strings, written compactly (no spaces; Chinese as is).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from saas.models.cycle import CycleResult, ScoringRun
from saas.runs.inputs import SubjectRow, quoted_schema
from saas.scoring.result import Result

COLUMNS = (
    "run_id",
    "cycle_subject_id",
    "unit_id",
    "excluded",
    "final",
    "band",
    "award",
    "fines",
    "pay_coefficient",
    "consequence",
    "disqualified",
    "disqualified_next",
    "breakdown",
    "trace",
)

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def result_json(result: Result) -> tuple[str, str]:
    """The breakdown and the trace of one result as compact JSON text."""
    data = result.to_dict()
    trace = data.pop("trace")
    return _dumps(data), _dumps(trace)


def result_rows(
    run_id: int, rows: Iterable[SubjectRow], results: Iterable[Result]
) -> Iterator[tuple[Any, ...]]:
    """The COPY rows of a run: one per subject, results in the order of ``rows``."""
    zero = Decimal(0)
    for row, result in zip(rows, results, strict=True):
        breakdown, trace = result_json(result)
        band = result.band
        excluded = result.excluded
        yield (
            run_id,
            row.id,
            row.unit_id,
            excluded,
            None if excluded else result.final,
            None if band is None else band.label,
            result.award or zero,
            result.fines or zero,
            None if band is None else band.pay_coefficient,
            None if band is None else band.consequence.value,
            bool(result.disqualified),
            bool(result.disqualified_next),
            breakdown,
            trace,
        )


def copy_results(session: Session, rows: Iterable[tuple[Any, ...]]) -> int:
    """COPY the rows into cycle_result through the session's own connection (its
    transaction); returns how many."""
    table = f"{quoted_schema(session)}.cycle_result"
    raw = session.connection().connection.driver_connection
    count = 0
    with (
        raw.cursor() as cursor,
        cursor.copy(f"copy {table} ({', '.join(COLUMNS)}) from stdin") as copy,
    ):
        write = copy.write_row
        for row in rows:
            write(row)
            count += 1
    return count


def replace_results(
    session: Session, run: ScoringRun, rows: list[SubjectRow], results: list[Result]
) -> int:
    """The run's results in, every earlier run's results of the cycle out: the caller's
    transaction makes it one change."""
    earlier = select(ScoringRun.id).where(
        ScoringRun.cycle_id == run.cycle_id, ScoringRun.id != run.id
    )
    session.execute(delete(CycleResult).where(CycleResult.run_id.in_(earlier)))
    # A retried run may have left nothing (results are written only here, in one
    # transaction), but its own rows are cleared too so a second finish cannot duplicate.
    session.execute(delete(CycleResult).where(CycleResult.run_id == run.id))
    return copy_results(session, result_rows(run.id, rows, results))
