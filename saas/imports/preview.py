"""The rows a check found new or changed, kept with the batch so its page can list them: for
each, the fields it sets (a new record) or the fields it changes, before → after.

Stored as plain JSON in the batch's summary, in the file's own terms (codes, numbers, stored
values such as "site"), and put into the reader's words when the page is drawn. A file of
50,000 rows keeps the first ``KEPT`` and says how many more there are.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from saas.imports.columns import STATUS_WORDS, UNIT_KIND_WORDS, ZH, column
from saas.imports.validate import CHANGED, NEW, CheckResult, Planned

KEPT = 1000  # rows listed per batch; the counts cover all of them


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _entry(planned: Planned) -> dict[str, Any]:
    after = planned.after or {}
    before = planned.before or {}
    if planned.state == NEW:
        fields = [name for name, value in after.items() if value is not None]
    else:
        fields = [name for name in after if after[name] != before.get(name)]
    # The key and a new record's name have columns of their own in the list.
    shown_apart = {"code", "number"} | ({"name"} if planned.state == NEW else set())
    return {
        "kind": planned.kind,
        "row": planned.row,
        "key": planned.key,
        "name": after.get("name"),
        "state": planned.state,
        "changes": [
            [name, _jsonable(before.get(name)), _jsonable(after[name])]
            for name in fields
            if name not in shown_apart
        ],
    }


def planned_rows(result: CheckResult) -> dict[str, Any]:
    """What the summary keeps: the first KEPT new or changed rows, and how many there are."""
    touched = [p for p in (*result.units, *result.employees) if p.state in (NEW, CHANGED)]
    return {"rows": [_entry(p) for p in touched[:KEPT]], "total": len(touched)}


@dataclass(frozen=True)
class Shown:
    """One listed row, in the reader's words."""

    kind: str
    row: int
    key: str
    name: str | None
    state: str
    changes: list[tuple[str, str, str]]  # column, before, after


def value_words(field: str, value: Any, lang: str) -> str:
    """A stored value as the file of that language writes it."""
    if value is None or value == "":
        return "—"
    words = {"kind": UNIT_KIND_WORDS, "status": STATUS_WORDS}.get(field)
    if words and value in words:
        zh, en = words[value]
        return zh if lang == ZH else en
    return str(value)


def shown(entry: dict[str, Any], lang: str) -> Shown:
    kind = entry["kind"]
    return Shown(
        kind,
        entry["row"],
        entry["key"],
        entry.get("name"),
        entry["state"],
        [
            (
                column(kind, name).header(lang),
                value_words(name, old, lang),
                value_words(name, new, lang),
            )
            for name, old, new in entry["changes"]
        ],
    )
