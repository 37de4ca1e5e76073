"""The editor's changes to a scheme: form fields in, a checked new scheme (or the problems) out.

Pure: no Flask, no SQL. Each change is applied to the stored definition (plain JSON data),
then the whole scheme is parsed again, so nothing half-valid is ever saved. Forms post the
scheme's own field names; problems come back keyed by those names for the form to show.

Entries of a list are addressed by their key (sections, items) or by position plus a
fingerprint of what the author saw, so that an edit made from a stale page is refused instead
of landing on the wrong row.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from saas.scoring.checks import Issue, Path, parse
from saas.scoring.scheme import Mode, Scheme, SectionScoring

# How each field of an entry is read from a form: "text" (blank → left out), "bool"
# (checkbox), "list" (one value per line), "levels" (scale levels, "label = points" per line).
FIELDS: dict[str, dict[str, str]] = {
    "general": {
        "name": "text",
        "description": "text",
        "provenance": "text",
        "subject": "text",
        "period": "text",
        "unit_categories": "list",
        "scale": "text",
        "precision": "text",
        "cap_at_scale": "bool",
        "missing_sources": "text",
        "third_party_cap": "text",
    },
    "goals": {"share": "text", "attainment_cap": "text", "when_missing": "text"},
    "section": {
        "key": "text",
        "title": "text",
        "max": "text",
        "scoring": "text",
        "note": "text",
        "reference": "text",
    },
    "item": {
        "key": "text",
        "text": "text",
        "max": "text",
        "mode": "text",
        "scale": "levels",
        "per_occurrence": "text",
        "floor": "text",
        "on_fail": "text",
        "note": "text",
        "reference": "text",
    },
    "source": {"kind": "text", "weight": "text", "note": "text", "reference": "text"},
    "band": {
        "threshold": "text",
        "label": "text",
        "award": "text",
        "pay_coefficient": "text",
        "consequence": "text",
        "quota": "text",
        "note": "text",
        "reference": "text",
    },
    "rule": {
        "event": "text",
        "label": "text",
        "label_en": "text",
        "needs_validity": "bool",
        "points": "text",
        "monthly_points": "text",
        "fine": "text",
        "disqualify": "text",
        "note": "text",
        "reference": "text",
    },
    "tally_limit": {
        "deducted_at_least": "text",
        "disqualify": "text",
        "note": "text",
        "reference": "text",
    },
    "eligibility": {"kind": "text", "value": "text", "note": "text", "reference": "text"},
}
# What an item is scored with: a standard of a section rated as a whole has none of it.
SCORING_FIELDS = ("max", "mode", "scale", "per_occurrence", "floor", "on_fail")
LISTS = {
    "source": "sources",
    "band": "bands",
    "rule": "rules",
    "tally_limit": "tally_limits",
    "eligibility": "eligibility",
}
MODE_FIELDS = {
    Mode.SCALE: {"scale"},
    Mode.DEDUCTION: {"per_occurrence", "floor"},
    Mode.CRITICAL: {"on_fail"},
}


@dataclass
class Edit:
    """The outcome of one change: the new scheme, or the problems that stop it."""

    scheme: Scheme | None
    issues: list[Issue] = field(default_factory=list)
    at: Path = ()  # where the changed entry is, to match problems to the form
    change: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.scheme is not None

    def field_issues(self) -> dict[str, list[Issue]]:
        """Problems that stop saving, by the form field they are about ("" = the entry)."""
        found: dict[str, list[Issue]] = {}
        depth = len(self.at)
        for issue in self.issues:
            if not issue.blocks_saving:
                continue
            inside = issue.path[:depth] == self.at
            name = str(issue.path[depth]) if inside and len(issue.path) > depth else ""
            found.setdefault(name if inside else "", []).append(issue)
        return found


class StaleEdit(Exception):
    """The entry changed (or went) since the author's page was drawn."""


def fingerprint(entry: Any) -> str:
    return hashlib.sha256(json.dumps(entry, sort_keys=True, default=str).encode()).hexdigest()[:16]


def read_form(kind: str, form: Mapping[str, str]) -> dict[str, Any]:
    """An entry's fields from a form, as plain data the scheme parser understands."""
    entry: dict[str, Any] = {}
    for name, how in FIELDS[kind].items():
        raw = form.get(name)
        if how == "bool":
            entry[name] = raw in ("on", "true", "1", "yes")
        elif raw is None or not raw.strip():
            continue
        elif how == "list":
            entry[name] = [line.strip() for line in raw.splitlines() if line.strip()]
        elif how == "levels":
            entry[name] = _levels(raw)
        else:
            entry[name] = raw.strip()
    return entry


def _levels(text: str) -> list[dict[str, str]]:
    levels = []
    for line in text.splitlines():
        if not line.strip():
            continue
        label, _, points = line.rpartition("=")
        if not label:  # no "=": the whole line is a label without points
            label, points = points, ""
        levels.append({"label": label.strip(), "points": points.strip()})
    return levels


def levels_text(levels: list[dict[str, Any]]) -> str:
    return "\n".join(f"{level['label']} = {level['points']}" for level in levels)


def _check(data: dict[str, Any], at: Path, what: str, before: Any, after: Any) -> Edit:
    scheme, issues = parse(data)
    return Edit(
        scheme, issues, at, {"what": what, "before": {"value": before}, "after": {"value": after}}
    )


def _recorded(old: Mapping[str, Any], new: dict[str, Any]) -> None:
    """Defaults with the values they had before the change, so that the scheme keeps the mark
    of a value left alone and drops it from one the author changed (now theirs). A stored
    list of names (as first written) has no values: they are taken from before the change."""
    marks = old.get("defaulted")
    if isinstance(marks, list):
        new["defaulted"] = {name: old.get(name) for name in marks}


def _keep_mode_fields(entry: dict[str, Any]) -> None:
    mode = entry.get("mode", Mode.POINTS)
    for other_mode, names in MODE_FIELDS.items():
        if other_mode != mode:
            for name in names:
                entry.pop(name, None)


def _merge(old: Mapping[str, Any], kind: str, form: Mapping[str, str]) -> dict[str, Any]:
    """The entry with the form's fields replaced; a field the form does not carry at all keeps
    its value (a checkbox left unticked is absent, and means no)."""
    posted = {name for name, how in FIELDS[kind].items() if how == "bool" or name in form}
    new = {key: value for key, value in old.items() if key not in posted}
    new.update(read_form(kind, form))
    if kind == "item":
        _keep_mode_fields(new)
    _recorded(old, new)
    return new


def edit_general(data: dict[str, Any], form: Mapping[str, str]) -> Edit:
    data = copy.deepcopy(data)
    old = {name: data.get(name) for name in (*FIELDS["general"], "defaulted")}
    before = {name: data.get(name) for name in FIELDS["general"]}
    for name in FIELDS["general"]:
        data.pop(name, None)
    data.update(read_form("general", form))
    after = {name: data.get(name) for name in FIELDS["general"]}
    _recorded(old, data)
    return _check(data, (), "general", before, after)


def edit_goals(data: dict[str, Any], form: Mapping[str, str]) -> Edit:
    data = copy.deepcopy(data)
    old = data.get("goals", {})
    data["goals"] = _merge(old, "goals", form)
    return _check(data, ("goals",), "goals", old, data["goals"])


# -- sections and items, by key ----------------------------------------------------------------


def _section_index(data: dict[str, Any], key: str) -> int:
    for index, section in enumerate(data.get("sections", [])):
        if section["key"] == key:
            return index
    raise StaleEdit(key)


def _item_place(data: dict[str, Any], key: str) -> tuple[int, int]:
    for s, section in enumerate(data.get("sections", [])):
        for i, item in enumerate(section.get("items", [])):
            if item["key"] == key:
                return s, i
    raise StaleEdit(key)


def next_key(data: dict[str, Any], prefix: str) -> str:
    """The first unused key of the form PREFIX + number (A1, A2, … or S1, S2, …)."""
    used = {section["key"] for section in data.get("sections", [])}
    used |= {
        item["key"] for section in data.get("sections", []) for item in section.get("items", [])
    }
    number = 1
    while f"{prefix}{number}" in used:
        number += 1
    return f"{prefix}{number}"


def add_section(data: dict[str, Any], form: Mapping[str, str]) -> Edit:
    data = copy.deepcopy(data)
    entry = read_form("section", form)
    entry.setdefault("key", _section_letter(data))
    sections = data.setdefault("sections", [])
    sections.append({**entry, "items": []})
    return _check(data, ("sections", len(sections) - 1), "section.add", None, entry)


def _section_letter(data: dict[str, Any]) -> str:
    used = {section["key"] for section in data.get("sections", [])}
    for letter in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
        if letter not in used:
            return letter
    return next_key(data, "S")


def edit_section(data: dict[str, Any], key: str, form: Mapping[str, str]) -> Edit:
    data = copy.deepcopy(data)
    index = _section_index(data, key)
    old = data["sections"][index]
    data["sections"][index] = new_section = _merge(old, "section", form)
    _rescore(new_section, old.get("scoring", WHOLE_OR_ITEMS[0]))
    new = {k: v for k, v in data["sections"][index].items() if k != "items"}
    return _check(
        data,
        ("sections", index),
        f"section.edit {key}",
        {k: v for k, v in old.items() if k != "items"},
        new,
    )


WHOLE_OR_ITEMS = (SectionScoring.ITEMS.value, SectionScoring.SECTION.value)


def _rescore(section: dict[str, Any], was: str) -> None:
    """A section switched between rated item by item and as a whole: its items become
    standards without points, or get points again, shared out so they add up to the
    section's maximum (the author adjusts them)."""
    now = section.get("scoring", SectionScoring.ITEMS.value)
    items = section.get("items", [])
    if now == was or not items:
        return
    if now == SectionScoring.SECTION:
        for item in items:
            for name in SCORING_FIELDS:
                item.pop(name, None)
            marks = item.get("defaulted")
            if marks:
                item["defaulted"] = _without(marks, SCORING_FIELDS)
        return
    for item, share in zip(items, _shares(section.get("max"), len(items)), strict=True):
        item["max"] = share
        item["mode"] = Mode.POINTS.value


def _without(marks: Any, names: tuple[str, ...]) -> Any:
    if isinstance(marks, dict):
        return {name: value for name, value in marks.items() if name not in names}
    return [name for name in marks if name not in names]


def _shares(top: Any, count: int) -> list[str]:
    """``top`` shared out in hundredths over ``count`` items, the rest on the last one: 20 over
    3 is 6.66, 6.66, 6.68. Text, as forms give; an unreadable maximum gives none (the check
    says why)."""
    try:
        cents = int(Decimal(str(top)) * 100)
    except (InvalidOperation, TypeError, ValueError):
        return [""] * count
    each = cents // count
    shares = [each] * (count - 1) + [cents - each * (count - 1)]
    return [format(Decimal(share) / 100, "f") for share in shares]


def delete_section(data: dict[str, Any], key: str) -> Edit:
    data = copy.deepcopy(data)
    old = data["sections"].pop(_section_index(data, key))
    return _check(data, ("sections",), f"section.delete {key}", old, None)


def move_section(data: dict[str, Any], key: str, delta: int) -> Edit:
    data = copy.deepcopy(data)
    index = _section_index(data, key)
    _move(data["sections"], index, delta)
    return _check(data, ("sections",), f"section.move {key}", index, index + delta)


def add_item(data: dict[str, Any], section_key: str, form: Mapping[str, str]) -> Edit:
    data = copy.deepcopy(data)
    index = _section_index(data, section_key)
    entry = read_form("item", form)
    entry.setdefault("key", next_key(data, section_key))
    _keep_mode_fields(entry)
    items = data["sections"][index].setdefault("items", [])
    items.append(entry)
    return _check(data, ("sections", index, "items", len(items) - 1), "item.add", None, entry)


def edit_item(data: dict[str, Any], key: str, form: Mapping[str, str]) -> Edit:
    data = copy.deepcopy(data)
    s, i = _item_place(data, key)
    old = data["sections"][s]["items"][i]
    data["sections"][s]["items"][i] = new = _merge(old, "item", form)
    return _check(data, ("sections", s, "items", i), f"item.edit {key}", old, new)


def delete_item(data: dict[str, Any], key: str) -> Edit:
    data = copy.deepcopy(data)
    s, i = _item_place(data, key)
    old = data["sections"][s]["items"].pop(i)
    return _check(data, ("sections", s, "items"), f"item.delete {key}", old, None)


def move_item(data: dict[str, Any], key: str, delta: int) -> Edit:
    data = copy.deepcopy(data)
    s, i = _item_place(data, key)
    _move(data["sections"][s]["items"], i, delta)
    return _check(data, ("sections", s, "items"), f"item.move {key}", i, i + delta)


def _move(entries: list[Any], index: int, delta: int) -> None:
    target = index + delta
    if not 0 <= target < len(entries):
        return
    entries.insert(target, entries.pop(index))


# -- sources, bands, rules, tally limits, eligibility: by position and fingerprint -------------


def _entry(data: dict[str, Any], kind: str, index: int, seen: str) -> tuple[list[Any], int]:
    entries = data.setdefault(LISTS[kind], [])
    if not 0 <= index < len(entries) or fingerprint(entries[index]) != seen:
        raise StaleEdit(f"{kind}[{index}]")
    return entries, index


def add_entry(data: dict[str, Any], kind: str, form: Mapping[str, str]) -> Edit:
    data = copy.deepcopy(data)
    entries = data.setdefault(LISTS[kind], [])
    entry = read_form(kind, form)
    entries.append(entry)
    return _check(data, (LISTS[kind], len(entries) - 1), f"{kind}.add", None, entry)


def edit_entry(
    data: dict[str, Any], kind: str, index: int, seen: str, form: Mapping[str, str]
) -> Edit:
    data = copy.deepcopy(data)
    entries, index = _entry(data, kind, index, seen)
    old = entries[index]
    entries[index] = new = _merge(old, kind, form)
    return _check(data, (LISTS[kind], index), f"{kind}.edit", old, new)


def delete_entry(data: dict[str, Any], kind: str, index: int, seen: str) -> Edit:
    data = copy.deepcopy(data)
    entries, index = _entry(data, kind, index, seen)
    old = entries.pop(index)
    return _check(data, (LISTS[kind],), f"{kind}.delete", old, None)
