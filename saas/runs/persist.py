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
from saas.scoring.result import Layout, Mean, Result, Step

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
    """The breakdown and the trace of one result as compact JSON text (plainly, through
    ``Result.to_dict``; ``Writer`` gives the same JSON faster for a whole cohort)."""
    data = result.to_dict()
    trace = data.pop("trace")
    return _dumps(data), _dumps(trace)


def _plain(value: Any) -> Any:
    """``saas.scoring.result._plain`` without rounding: decimals as exact strings."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _step(step: Step) -> dict[str, Any]:
    return _plain({"step": step.code, **step.params})


def _value(value: Any) -> str:
    """One value as ``to_dict`` writes it, as JSON text."""
    if type(value) is Decimal:
        return f'"{value}"'
    if value is None:
        return "null"
    return _dumps(_plain(value))


def _object(pairs: Any) -> str:
    return "{" + ",".join(f"{_dumps(key)}:{_value(value)}" for key, value in pairs) + "}"


def _step_json(step: Step) -> str:
    return _object((("step", step.code), *step.params.items()))


class Writer:
    """Results as the JSON ``Result.to_dict()`` gives (the breakdown without the trace, and
    the trace), for a whole run.

    A cohort's item and section steps repeat: an item rated "8.5" by one supervisor reads the
    same in every result where it occurs. Each distinct one is written once per run and
    reused, so a result's JSON is mostly joined from ready pieces. The pieces are exactly what
    ``to_dict`` writes (tests/runs compare the two, subject by subject)."""

    def __init__(self) -> None:
        # Per source, per item: rating value → (trace step, breakdown entry). A mean of
        # several raters is not kept (equal means may be written differently: "8" and "8.0").
        self._items: dict[str, list[dict[Any, tuple[str, str]]]] = {}
        self._sections: dict[tuple, tuple[str, str]] = {}

    def json(self, result: Result) -> tuple[str, str]:
        layout = result.layout
        if layout is None:  # pragma: no cover - every engine result has its layout
            return result_json(result)
        trace: list[str] = []
        items: list[str] = []
        sections: list[str] = []
        for source, scored in result.scored.items():
            quoted = _dumps(source)
            caches = self._items.get(source)
            if caches is None:
                caches = self._items[source] = [{} for _ in layout.item_keys]
            row = scored.row
            found = list(map(dict.get, caches, row))
            source_items: list[str] = []
            for i, piece in enumerate(found):
                if piece is None:
                    cell = row[i]
                    if cell is None:
                        continue
                    piece = self._item(quoted, i, cell, layout)
                    if type(cell) is not Mean:
                        caches[i][cell] = piece
                trace.append(piece[0])
                source_items.append(piece[1])
            items.append(f"{quoted}:{{{','.join(source_items)}}}")
            zeroed = scored.zeroed or {}
            source_sections: list[str] = []
            for s, total in enumerate(scored.sums):
                key = (source, s, str(total), zeroed.get(s))
                piece = self._sections.get(key)
                if piece is None:
                    piece = self._sections[key] = self._section(quoted, s, total, zeroed, layout)
                trace.append(piece[0])
                source_sections.append(piece[1])
            sections.append(f"{quoted}:{{{','.join(source_sections)}}}")
            trace.append(
                f'{{"step":"source","source":{quoted},"total":"{result.sources[source]}"}}'
            )
        trace.extend(map(_step_json, result.notes))
        band = result.band
        head = _object(
            (
                ("subject", result.subject),
                ("period", result.period),
                ("excluded_because", list(result.excluded_because)),
                ("final", result.final),
                ("band", None if band is None else band.label),
                ("consequence", None if band is None else band.consequence.value),
                ("award", result.award),
                ("fines", result.fines),
                ("checklist", result.checklist),
                ("goals", result.goals),
                ("base", result.base),
                ("adjustments", result.adjustments),
                ("unrounded", result.unrounded),
            )
        )
        breakdown = (
            f"{head[:-1]}"
            f',"disqualified":[{",".join(map(_step_json, result.disqualified))}]'
            f',"disqualified_next_period":[{",".join(map(_step_json, result.disqualified_next))}]'
            f',"sources":{_object(result.sources.items())}'
            f',"weights":{_object(result.weights.items())}'
            f',"monthly_tallies":{_object(result.monthly_tallies.items())}'
            f',"sections":{{{",".join(sections)}}},"items":{{{",".join(items)}}}}}'
        )
        return breakdown, f"[{','.join(trace)}]"

    @staticmethod
    def _item(quoted: str, i: int, cell: Any, layout: Layout) -> tuple[str, str]:
        if type(cell) is Mean:
            raters, mean = cell.raters, cell.points
        else:
            raters, mean = 1, layout.points_of(i, cell)
        low, top = layout.item_low[i], layout.item_max[i]
        score = top if mean > top else low if mean < low else mean
        key = _dumps(layout.item_keys[i])
        step = (
            f'{{"step":"item","source":{quoted},"item":{key},"raters":{raters},'
            f'"mean":"{mean}","score":"{score}"}}'
        )
        return step, f'{key}:"{score}"'

    @staticmethod
    def _section(
        quoted: str, s: int, total: Decimal, zeroed: dict[int, str], layout: Layout
    ) -> tuple[str, str]:
        key = _dumps(layout.section_keys[s])
        if s in zeroed:
            subtotal, by = Decimal(0), _dumps(zeroed[s])
        else:
            top = layout.section_max[s]
            subtotal, by = (top if total > top else total), "null"
        step = (
            f'{{"step":"section","source":{quoted},"section":{key},"sum":"{total}",'
            f'"subtotal":"{subtotal}","zeroed_by":{by}}}'
        )
        return step, f'{key}:"{subtotal}"'


def result_rows(
    run_id: int, rows: Iterable[SubjectRow], results: Iterable[Result]
) -> Iterator[tuple[Any, ...]]:
    """The COPY rows of a run: one per subject, results in the order of ``rows``."""
    zero = Decimal(0)
    writer = Writer()
    for row, result in zip(rows, results, strict=True):
        breakdown, trace = writer.json(result)
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
