"""A run's results written at once: COPY every subject's row, drop the previous run's rows and
mark the run finished, in the caller's one transaction (it commits all of it or nothing).

Each row keeps the figures people filter and sort on as columns, and as JSONB the breakdown
(``Result.to_dict()`` without its trace, with the few ``details`` the trace needs) and the
trace's own steps, decimals as exact strings, written compactly (no spaces; Chinese as is):
``stored_parts`` says what is kept and why.
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


def stored_parts(result: Result) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """What a run keeps of one result, plainly: the breakdown (``Result.to_dict()`` without
    its trace, plus ``details``) and the trace's own steps (``Result.notes``).

    The item, section and source steps of the trace are not kept: they are the breakdown's
    numbers again (a 30-item scheme rated by three sources has 105 of them, nine tenths of
    the JSON). ``details`` keeps only what the breakdown alone cannot give back — per source,
    the raters and mean of an item whose mean is not simply its score, the sum of a section
    that is not its subtotal, and the critical item that zeroed a section — and
    ``saas.results.trace.full_trace`` rebuilds the whole trace from them."""
    data = result.to_dict()
    trace = data.pop("trace")
    details: dict[str, dict[str, dict[str, Any]]] = {}
    for step in trace:
        code = step["step"]
        if code == "item" and (step["raters"] != 1 or step["mean"] != step["score"]):
            entry = details.setdefault(step["source"], {}).setdefault("means", {})
            entry[step["item"]] = [step["raters"], step["mean"]]
        elif code == "section":
            if step["sum"] != step["subtotal"]:
                entry = details.setdefault(step["source"], {}).setdefault("sums", {})
                entry[step["section"]] = step["sum"]
            if step["zeroed_by"] is not None:
                entry = details.setdefault(step["source"], {}).setdefault("zeroed", {})
                entry[step["section"]] = step["zeroed_by"]
    data["details"] = details
    return data, [step for step in trace if step["step"] not in ("item", "section", "source")]


def result_json(result: Result) -> tuple[str, str]:
    """``stored_parts`` as compact JSON text (``Writer`` gives the same faster for a whole
    cohort)."""
    breakdown, notes = stored_parts(result)
    return _dumps(breakdown), _dumps(notes)


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


def _value(value: Any) -> str:
    """One value as ``to_dict`` writes it, as JSON text."""
    kind = type(value)
    if kind is Decimal:
        return f'"{value}"'
    if value is None:
        return "null"
    if kind is str:
        return _key(value)
    return _dumps(_plain(value))


_QUOTED: dict[str, str] = {}


def _key(text: str) -> str:
    """A name as JSON text: field names, item and source keys and band labels repeat in every
    result, so each is quoted once (the names are the scheme's: few, and bounded)."""
    quoted = _QUOTED.get(text)
    if quoted is None:
        quoted = _dumps(text)
        if len(_QUOTED) < 10_000:
            _QUOTED[text] = quoted
    return quoted


def _object(pairs: Any) -> str:
    return "{" + ",".join([f"{_key(key)}:{_value(value)}" for key, value in pairs]) + "}"


def _step_json(step: Step) -> str:
    return _object((("step", step.code), *step.params.items()))


class Writer:
    """``stored_parts`` as JSON text, for a whole run.

    A cohort's item and section entries repeat: an item rated "8.5" by one supervisor reads
    the same in every result where it occurs. Each distinct one is written once per run and
    reused, so a result's JSON is mostly joined from ready pieces. The pieces are exactly what
    ``stored_parts`` gives (tests/runs compare the two, subject by subject)."""

    def __init__(self) -> None:
        # Per source, per item: rating value → (breakdown entry, details entry or None). A
        # mean of several raters is not kept (equal means may be written differently).
        self._items: dict[str, list[dict[Any, tuple[str, str | None]]]] = {}
        self._sections: dict[tuple, tuple[str, str | None, str | None]] = {}

    def json(self, result: Result) -> tuple[str, str]:
        layout = result.layout
        if layout is None:  # pragma: no cover - every engine result has its layout
            return result_json(result)
        items: list[str] = []
        sections: list[str] = []
        details: list[str] = []
        for source, scored in result.scored.items():
            quoted = _dumps(source)
            caches = self._items.get(source)
            if caches is None:
                caches = self._items[source] = [{} for _ in layout.item_keys]
            row = scored.row
            found = list(map(dict.get, caches, row))
            if None in found:  # items not rated, or values not met before in this run
                for i, cell in enumerate(row):
                    if found[i] is None and cell is not None:
                        found[i] = piece = self._item(i, cell, layout)
                        if type(cell) is not Mean:
                            caches[i][cell] = piece
                found = [piece for piece in found if piece is not None]
            means = [piece[1] for piece in found if piece[1] is not None]
            items.append(f"{quoted}:{{{','.join([piece[0] for piece in found])}}}")
            zeroed = scored.zeroed or {}
            source_sections: list[str] = []
            sums: list[str] = []
            zeros: list[str] = []
            for s, total in enumerate(scored.sums):
                key = (s, str(total), zeroed.get(s))
                piece = self._sections.get(key)
                if piece is None:
                    piece = self._sections[key] = self._section(s, total, zeroed, layout)
                source_sections.append(piece[0])
                if piece[1] is not None:
                    sums.append(piece[1])
                if piece[2] is not None:
                    zeros.append(piece[2])
            sections.append(f"{quoted}:{{{','.join(source_sections)}}}")
            parts = [
                f'"{name}":{{{",".join(entries)}}}'
                for name, entries in (("means", means), ("sums", sums), ("zeroed", zeros))
                if entries
            ]
            if parts:
                details.append(f"{quoted}:{{{','.join(parts)}}}")
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
            f',"sections":{{{",".join(sections)}}},"items":{{{",".join(items)}}}'
            f',"details":{{{",".join(details)}}}}}'
        )
        return breakdown, f"[{','.join(map(_step_json, result.notes))}]"

    @staticmethod
    def _item(i: int, cell: Any, layout: Layout) -> tuple[str, str | None]:
        if type(cell) is Mean:
            raters, mean = cell.raters, cell.points
        else:
            raters, mean = 1, layout.points_of(i, cell)
        low, top = layout.item_low[i], layout.item_max[i]
        score = top if mean > top else low if mean < low else mean
        key = _dumps(layout.item_keys[i])
        detail = None
        if raters != 1 or str(mean) != str(score):
            detail = f'{key}:[{raters},"{mean}"]'
        return f'{key}:"{score}"', detail

    @staticmethod
    def _section(
        s: int, total: Decimal, zeroed: dict[int, str], layout: Layout
    ) -> tuple[str, str | None, str | None]:
        key = _dumps(layout.section_keys[s])
        by = None
        if s in zeroed:
            subtotal, by = Decimal(0), f"{key}:{_dumps(zeroed[s])}"
        else:
            top = layout.section_max[s]
            subtotal = top if total > top else total
        summed = f'{key}:"{total}"' if str(total) != str(subtotal) else None
        return f'{key}:"{subtotal}"', summed, by


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
