"""The audit logs' words: every area's actions, record types, fields and values, in one place.

Each area declares what it records in ``saas/<area>/audit_words.py`` (a ``Words``, see
``saas/audit/vocabulary.py``); they are joined here, and ``tests/audit/test_labels.py`` fails
for an action the code writes that has no words here. A code without words (a row written
before its area named it) is shown as it is, so nothing in the log is ever hidden.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from flask_babel import format_date, format_datetime, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from saas.accounts.audit_words import WORDS as ACCOUNTS
from saas.audit.vocabulary import COUNT, DATE, HASH, MOMENT, Record, Words
from saas.cycles.audit_words import WORDS as CYCLES
from saas.feedback.audit_words import WORDS as FEEDBACK
from saas.goals.audit_words import WORDS as GOALS
from saas.imports.audit_words import WORDS as IMPORTS
from saas.inspections.audit_words import WORDS as INSPECTIONS
from saas.ledger.audit_words import WORDS as LEDGER
from saas.notices.audit_words import WORDS as NOTICES
from saas.org.audit_words import WORDS as ORG
from saas.people.audit_words import WORDS as PEOPLE
from saas.platform.audit_words import WORDS as PLATFORM
from saas.providers.audit_words import WORDS as PROVIDERS
from saas.rating.audit_words import WORDS as RATING
from saas.runs.audit_words import WORDS as RUNS
from saas.schemes.audit_words import WORDS as SCHEMES
from saas.settings.audit_words import WORDS as SETTINGS
from saas.statements.audit_words import WORDS as STATEMENTS

AREAS: tuple[Words, ...] = (
    ACCOUNTS,
    ORG,
    PEOPLE,
    GOALS,
    SCHEMES,
    CYCLES,
    RATING,
    IMPORTS,
    LEDGER,
    NOTICES,
    PROVIDERS,
    INSPECTIONS,
    STATEMENTS,
    RUNS,
    PLATFORM,
    SETTINGS,
    FEEDBACK,
)
# Fields many record types share, unless a record type words them its own way.
COMMON_FIELDS = {
    "name": _l("Name"),
    "email": _l("E-mail"),
    "code": _l("Code"),
    "status": _l("Status"),
    "note": _l("Note"),
    "comment": _l("Comment"),
    "reason": _l("Reason"),
}
HASH_SHOWN = 12  # characters of a digest shown; the whole one is in the tooltip
_NO_WORDS = Record(label="")


def _join(areas: Iterable[Words]) -> tuple[dict[str, Any], dict[str, Record]]:
    actions: dict[str, Any] = {}
    records: dict[str, Record] = {}
    for words in areas:
        for joined, given in ((actions, words.actions), (records, words.records)):
            twice = joined.keys() & given.keys()
            if twice:
                raise ValueError(f"audit words given by two areas: {sorted(twice)}")
            joined.update(given)
    return actions, records


ACTIONS, RECORDS = _join(AREAS)


def action_label(action: str) -> str:
    return str(ACTIONS.get(action, action))


def record_type_label(record_type: str) -> str:
    words = RECORDS.get(record_type)
    return str(words.label) if words else record_type


def field_label(record_type: str, field: str) -> str:
    label = RECORDS.get(record_type, _NO_WORDS).fields.get(field) or COMMON_FIELDS.get(field)
    return str(label) if label is not None else field


# What a record is called comes first in a list of its fields.
_LEADING = ("name", "title", "email", "code", "number")


def field_order(record_type: str, field: str) -> int:
    """Where ``field`` goes in a list of changes: name first, then as the area lists them."""
    declared = [*_LEADING, *RECORDS.get(record_type, _NO_WORDS).fields, *COMMON_FIELDS]
    return declared.index(field) if field in declared else len(declared)


def is_hidden(record_type: str, field: str) -> bool:
    return field in RECORDS.get(record_type, _NO_WORDS).hidden


def reference(record_type: str, field: str) -> str | None:
    """The record type whose id ``field`` holds, if it names another record."""
    return RECORDS.get(record_type, _NO_WORDS).references.get(field)


def _format_of(words: Record, field: str) -> Any:
    if field in words.formats:
        return words.formats[field]
    if field.endswith("_at"):
        return MOMENT
    if field.endswith("_date"):
        return DATE
    return None


def is_hash(record_type: str, field: str) -> bool:
    return _format_of(RECORDS.get(record_type, _NO_WORDS), field) == HASH


def _moment(value: Any) -> str:
    try:
        moment = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return format_datetime(moment, "short") if moment.tzinfo else format_date(moment, "medium")


def _date(value: Any) -> str:
    try:
        return format_date(dt.date.fromisoformat(str(value)), "medium")
    except ValueError:
        return str(value)


def _formatted(how: Any, value: Any) -> str | None:
    if how == DATE:
        return _date(value)
    if how == MOMENT:
        return _moment(value)
    if how == HASH:
        text = str(value)
        return text[:HASH_SHOWN] + "…" if len(text) > HASH_SHOWN else text
    if how == COUNT and isinstance(value, list):
        return str(len(value))
    return None


def value_text(
    record_type: str,
    field: str,
    value: Any,
    context: Mapping[str, Any] | None = None,
    names: Mapping[tuple[str, str], str] | None = None,
) -> str:
    """A stored value as a reader sees it; empty for nothing at all.

    ``context`` is the row's other fields (some values mean different things by them);
    ``names`` the names of the records the page refers to, by (record type, id)."""
    if value is None:
        return ""
    words = RECORDS.get(record_type, _NO_WORDS)
    how = _format_of(words, field)
    if callable(how):
        return how(value, context or {})
    formatted = _formatted(how, value)
    if formatted is not None:
        return formatted
    if isinstance(value, list):
        items = [value_text(record_type, field, item, context, names) for item in value]
        return ("、" if get_locale().language == "zh" else ", ").join(items)
    if field in words.values:
        label = words.values[field].get(value)
        return str(label) if label is not None else str(value)
    if field in words.references:
        found = (names or {}).get((words.references[field], str(value)))
        return found if found is not None else f"#{value}"
    return _plain(record_type, value)


def _plain(record_type: str, value: Any) -> str:
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, dict):
        return "; ".join(
            f"{field_label(record_type, key)}: {value_text(record_type, key, item)}"
            for key, item in value.items()
        )
    return str(value)
