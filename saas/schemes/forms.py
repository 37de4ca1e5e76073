"""What the editor's forms show for each kind of entry: fields, labels, widgets and choices.

The field names are the scheme's own (saas/scoring/scheme.py), so a problem found by the
scheme parser lands next to the field it is about. Values are read back by
``saas.schemes.editing.read_form``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from saas.schemes import explain
from saas.schemes.editing import levels_text


@dataclass(frozen=True)
class Field:
    name: str
    label: Any
    widget: str = "text"  # text | number | select | checkbox | textarea
    choices: dict[str, Any] | None = None
    hint: Any = None
    step: str = "0.01"


def _choices(labels: dict) -> dict[str, Any]:
    return {str(key): label for key, label in labels.items()}


def _reference() -> Field:
    return Field(
        "reference",
        _l("Source reference"),
        "textarea",
        hint=_l("Where the standard says this. Shown only to those who edit schemes."),
    )


def _note() -> Field:
    return Field("note", _l("Note"), "textarea", hint=_l("Shown to everyone who reads it."))


def fields(kind: str) -> list[Field]:
    """The form fields of one kind of entry, in the order they are shown; ``standard`` is an
    item of a section rated as a whole (a text to check, no points of its own)."""
    return [*_fields(kind), *_ANNOTATED.get(kind, ())]


# Kinds of entry that carry a note for readers and a source reference for admins.
_ANNOTATED = {
    kind: (_note(), _reference())
    for kind in (
        "section",
        "item",
        "standard",
        "source",
        "band",
        "rule",
        "tally_limit",
        "eligibility",
    )
}


def _fields(kind: str) -> list[Field]:
    return {
        "general": lambda: [
            Field("name", _l("Name")),
            Field("description", _l("Description"), "textarea"),
            Field(
                "provenance",
                _l("Where it comes from"),
                "textarea",
                hint=_l("The standard it follows. Shown only to those who edit schemes."),
            ),
            Field("subject", _l("Who is assessed"), "select", _choices(explain.SUBJECT_LABELS)),
            Field("period", _l("Assessment period"), "select", _choices(explain.PERIOD_LABELS)),
            Field(
                "unit_categories",
                _l("Unit categories it is for"),
                "textarea",
                hint=_l("One per line, e.g. 职能部门. Leave empty for any unit."),
            ),
            Field("scale", _l("Scale (full marks)"), "number"),
            Field("precision", _l("Decimals in the final score"), "number", step="1"),
            Field("cap_at_scale", _l("Bonuses cannot take the score above the scale"), "checkbox"),
            Field(
                "missing_sources",
                _l("When a source gave no ratings"),
                "select",
                _choices(explain.MISSING_LABELS),
            ),
            Field("third_party_cap", _l("Most a third party may weigh (%)"), "number"),
        ],
        "goals": lambda: [
            Field("share", _l("Share of the score from goals (%)"), "number"),
            Field("attainment_cap", _l("Most a goal's attainment counts (%)"), "number"),
            Field(
                "when_missing",
                _l("When a subject has no approved goals"),
                "select",
                _choices(explain.MISSING_LABELS),
            ),
        ],
        "section": lambda: [
            Field("title", _l("Section")),
            Field("max", _l("Maximum points"), "number"),
            Field(
                "scoring",
                _l("How it is rated"),
                "select",
                _choices(explain.SECTION_SCORING_LABELS),
                hint=_l(
                    "Item by item: the items' points are added up. As a whole: the section gets "
                    "one number and its items are the standards to check."
                ),
            ),
        ],
        "standard": lambda: [
            Field("text", _l("Standard to check"), "textarea"),
            Field("key", _l("Key"), hint=_l("Files refer to the standard by it.")),
        ],
        "item": lambda: [
            Field("text", _l("Checklist item"), "textarea"),
            Field("max", _l("Maximum points"), "number"),
            Field("mode", _l("Scoring"), "select", _choices(explain.MODE_LABELS)),
            Field(
                "scale",
                _l("Levels (scale)"),
                "textarea",
                hint=_l("One level per line: label = points, e.g. 优 = 10"),
            ),
            Field("per_occurrence", _l("Deducted per occurrence"), "number"),
            Field("floor", _l("Lowest score (deduction)"), "number"),
            Field(
                "on_fail",
                _l("When a critical item fails"),
                "select",
                _choices(explain.CRITICAL_EFFECT_LABELS),
            ),
            Field("key", _l("Key"), hint=_l("Ratings and files refer to the item by it.")),
        ],
        "source": lambda: [
            Field("kind", _l("Source"), "select", _choices(explain.SOURCE_LABELS)),
            Field("weight", _l("Weight (%)"), "number"),
        ],
        "band": lambda: [
            Field("threshold", _l("From score"), "number"),
            Field("label", _l("Band")),
            Field("award", _l("Award (¥)"), "number"),
            Field("pay_coefficient", _l("Pay coefficient"), "number", step="0.001"),
            Field("consequence", _l("Consequence"), "select", _choices(explain.CONSEQUENCE_LABELS)),
            Field("quota", _l("At most this share of subjects (%)"), "number"),
        ],
        "rule": lambda: [
            Field("label", _l("Event")),
            Field("label_en", _l("Event in English"), hint=_l("Shown on English pages.")),
            Field(
                "event",
                _l("Event type key"),
                hint=_l("Letters, digits, _ . -; ledger entries name the rule by it."),
            ),
            Field("needs_validity", _l("Counts only once ruled valid"), "checkbox"),
            # Its effects: any of them together, for one event entered once.
            Field("points", _l("Points to the period score"), "number"),
            Field("monthly_points", _l("Points to the month's tally"), "number"),
            Field("fine", _l("Fine (¥)"), "number"),
            Field("disqualify", _l("Disqualifies"), "select", _choices(explain.DISQUALIFY_LABELS)),
        ],
        "tally_limit": lambda: [
            Field(
                "deducted_at_least", _l("Disqualify at a monthly deduction of (points)"), "number"
            ),
            Field("disqualify", _l("Disqualifies"), "select", _choices(explain.DISQUALIFY_LABELS)),
        ],
        "eligibility": lambda: [
            Field("kind", _l("Excluded by"), "select", _choices(explain.ELIGIBILITY_LABELS)),
            Field(
                "value",
                _l("Value"),
                hint=_l("A position level, unit category or employment form, as written in Kaohe."),
            ),
        ],
    }[kind]()


def values(kind: str, entry: dict[str, Any]) -> dict[str, Any]:
    """An entry's stored values as the form shows them."""
    shown: dict[str, Any] = {}
    for field in fields(kind):
        value = entry.get(field.name)
        if field.name == "scale" and isinstance(value, list):
            value = levels_text(value)
        elif field.name == "unit_categories" and isinstance(value, list):
            value = "\n".join(value)
        shown[field.name] = "" if value is None else value
    return shown
