"""How the audit log words what the schemes area records (see saas/audit/vocabulary.py).

An edit of a draft is stored as the editor's change code ("item.edit S1.2") and the entry
before and after, as plain scheme data; both are shown with the editor's own words.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from saas.audit.vocabulary import Record, Words, names_by_id, numeric_ids
from saas.models.scheme import AssessmentScheme, SchemeVersion
from saas.schemes import explain
from saas.schemes.editing import LISTS
from saas.schemes.messages import field_label
from saas.schemes.templates import template_names
from saas.schemes.versions import STATUS_LABELS

ENTRIES = {
    "section": _l("section"),
    "item": _l("checklist item"),
    "source": _l("source"),
    "band": _l("band"),
    "rule": _l("rule"),
    "tally_limit": _l("monthly deduction limit"),
    "eligibility": _l("exclusion"),
}
VERBS = {
    "add": _l("%(entry)s added"),
    "edit": _l("%(entry)s changed"),
    "delete": _l("%(entry)s deleted"),
    "move": _l("%(entry)s moved"),
}
WHOLE = {
    "general": _l("General settings changed"),
    "goals": _l("Goals' share changed"),
    "import": _l("Replaced from a file"),
}
# Where each kind of entry sits in a scheme, for the names of its fields.
_PLACES = {"general": (), "goals": ("goals",), "section": ("sections",), "item": ("items",)}
# The words of the editor's choices, by field (a source's and an exclusion's "kind" differ).
_CHOICES = {
    "mode": explain.MODE_LABELS,
    "on_fail": explain.CRITICAL_EFFECT_LABELS,
    "consequence": explain.CONSEQUENCE_LABELS,
    "disqualify": explain.DISQUALIFY_LABELS,
    "missing_sources": explain.MISSING_LABELS,
    "when_missing": explain.MISSING_LABELS,
    "period": explain.PERIOD_LABELS,
    "subject": explain.SUBJECT_LABELS,
    ("sources", "kind"): explain.SOURCE_LABELS,
    ("eligibility", "kind"): explain.ELIGIBILITY_LABELS,
}


def change_text(code: Any, _context: Mapping[str, Any] | None = None) -> str:
    """An editor change code ("item.edit S1.2") as words: "Checklist item changed: S1.2"."""
    what, _space, key = str(code).partition(" ")
    if what in WHOLE:
        return str(WHOLE[what])
    kind, _dot, verb = what.partition(".")
    if kind not in ENTRIES or verb not in VERBS:
        return str(code)
    text = str(VERBS[verb]) % {"entry": ENTRIES[kind]}
    text = text[:1].upper() + text[1:]
    return f"{text} · {key}" if key else text


def _choice(path: tuple[str | int, ...], value: Any) -> Any:
    names = [part for part in path if isinstance(part, str)]
    if not names:
        return None
    words = _CHOICES.get(tuple(names[-2:])) or _CHOICES.get(names[-1])
    return words.get(value) if words and isinstance(value, str) else None


def _entry_text(value: Any, path: tuple[str | int, ...]) -> str:
    if isinstance(value, dict):
        return "; ".join(
            f"{field_label((*path, key))}: {_entry_text(item, (*path, key))}"
            for key, item in value.items()
            if key != "defaulted" and item not in (None, "", [], {})
        )
    if isinstance(value, list):
        return ", ".join(_entry_text(item, (*path, i)) for i, item in enumerate(value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    word = _choice(path, value)
    return str(word) if word is not None else str(value)


def entry_text(value: Any, context: Mapping[str, Any]) -> str:
    """An entry of the scheme as "field: value; …", in the words of the editor's form."""
    kind = str(context.get("change", "")).partition(" ")[0].partition(".")[0]
    place = _PLACES.get(kind) or ((LISTS[kind],) if kind in LISTS else ())
    return _entry_text(value, place)


def _template_name(code: Any, _context: Mapping[str, Any] | None = None) -> str:
    return dict(template_names()).get(code, str(code))


def _version_names(session: Session, ids: Collection[str]) -> dict[str, str]:
    rows = session.execute(
        select(SchemeVersion.id, SchemeVersion.number, AssessmentScheme.name)
        .join(AssessmentScheme, AssessmentScheme.id == SchemeVersion.scheme_id)
        .where(SchemeVersion.id.in_(numeric_ids(ids)))
    )
    return {
        str(row.id): _("%(name)s, version %(number)s", name=row.name, number=row.number)
        for row in rows
    }


WORDS = Words(
    actions={
        "scheme.create": _l("Scheme created"),
        "scheme.version.create": _l("New version drafted"),
        "scheme.version.edit": _l("Draft edited"),
        "scheme.version.publish": _l("Version published"),
        "scheme.version.archive": _l("Version archived"),
        "scheme.version.restore": _l("Version restored"),
        "scheme.version.discard": _l("Draft discarded"),
    },
    records={
        "scheme": Record(
            _l("Assessment scheme"),
            fields={"template": _l("Started from"), "version": _l("First version")},
            references={"version": "scheme_version"},
            formats={"template": _template_name},
            names=lambda session, ids: names_by_id(
                session, AssessmentScheme.id, AssessmentScheme.name, ids
            ),
        ),
        "scheme_version": Record(
            _l("Scheme version"),
            fields={
                "scheme": _l("Assessment scheme"),
                "number": _l("Version"),
                "based_on": _l("Made from"),
                "replaced_by": _l("Replaced by"),
                "change": _l("Edit"),
                "value": _l("Content"),
            },
            values={"status": STATUS_LABELS},
            references={
                "scheme": "scheme",
                "based_on": "scheme_version",
                "replaced_by": "scheme_version",
            },
            formats={"change": change_text, "value": entry_text},
            names=_version_names,
        ),
    },
)
