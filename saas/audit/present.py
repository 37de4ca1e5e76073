"""A page of audit rows as a reader sees them: actions, records and changes in words, ids as
the names of the records they point at (one query per record type on the page)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from saas.audit import labels
from saas.audit.queries import Row

LONGEST_SHOWN = 240  # characters of a value; the whole of it is in the tooltip


@dataclass(frozen=True)
class Value:
    text: str
    full: str | None = None  # the whole value, where ``text`` is shortened


@dataclass(frozen=True)
class ShownChange:
    label: str
    before: Value | None  # None: the field was not there before
    after: Value | None  # None: the field is gone


@dataclass(frozen=True)
class ShownEntry:
    row: Row
    action: str
    record_type: str
    record_name: str | None
    changes: list[ShownChange]

    @property
    def entry(self):
        return self.row.entry


Names = Mapping[tuple[str, str], str]


def _wanted(rows: Sequence[Row]) -> dict[str, set[str]]:
    """The ids of each record type the page names: the rows' records and their references."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        entry = row.entry
        if entry.record_id is not None:
            wanted[entry.record_type].add(entry.record_id)
        for change in row.changes:
            target = labels.reference(entry.record_type, change.field)
            if target is None:
                continue
            for value in (change.before, change.after):
                if isinstance(value, int | str) and not isinstance(value, bool):
                    wanted[target].add(str(value))
    return wanted


def load_names(session: Session, rows: Sequence[Row]) -> Names:
    names: dict[tuple[str, str], str] = {}
    for record_type, ids in _wanted(rows).items():
        loader = labels.RECORDS.get(record_type)
        if loader is None or loader.names is None or not ids:
            continue
        for record_id, name in loader.names(session, ids).items():
            names[(record_type, record_id)] = name
    return names


def _value(record_type: str, field: str, value: Any, context, names: Names) -> Value:
    text = labels.value_text(record_type, field, value, context, names) or "—"
    if labels.is_hash(record_type, field):
        return Value(text, str(value))
    if len(text) > LONGEST_SHOWN:
        return Value(text[: LONGEST_SHOWN - 1] + "…", text[:2000])
    return Value(text)


def _record_name(row: Row, names: Names) -> str | None:
    entry = row.entry
    if entry.record_id is None:
        return None
    found = names.get((entry.record_type, entry.record_id))
    if found is not None:
        return found
    # A deleted record is gone from its table; its last name is in the row itself.
    for data in (entry.after or {}, entry.before or {}):
        for key in ("name", "title"):
            if isinstance(data.get(key), str) and data[key]:
                return data[key]
    return None


def _changes(row: Row, names: Names) -> list[ShownChange]:
    entry = row.entry
    record_type = entry.record_type
    context = {**(entry.before or {}), **(entry.after or {})}

    def shown(field: str, value: Any, absent: bool) -> Value | None:
        return None if absent else _value(record_type, field, value, context, names)

    result = []
    for change in sorted(row.changes, key=lambda c: labels.field_order(record_type, c.field)):
        if labels.is_hidden(record_type, change.field):
            continue
        before, after = _narrowed(change.before, change.after)
        result.append(
            ShownChange(
                labels.field_label(record_type, change.field),
                shown(change.field, before, change.added),
                shown(change.field, after, change.removed),
            )
        )
    return result


def _narrowed(before: Any, after: Any) -> tuple[Any, Any]:
    """Of two versions of a record inside a field (a scheme's item), the parts that differ."""
    if not (isinstance(before, dict) and isinstance(after, dict)):
        return before, after
    keys = [key for key in dict.fromkeys([*before, *after]) if before.get(key) != after.get(key)]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


def present(session: Session, rows: Sequence[Row]) -> list[ShownEntry]:
    names = load_names(session, rows)
    return [
        ShownEntry(
            row,
            labels.action_label(row.entry.action),
            labels.record_type_label(row.entry.record_type),
            _record_name(row, names),
            _changes(row, names),
        )
        for row in rows
    ]
