"""Sentences for the problems Kaohe finds in a scheme, in the user's language.

``saas.scoring.checks`` and ``saas.schemes.files`` report problems as codes with parameters;
this module says them. Messages about a field's value ("Must be at least 0.") are written to
stand next to the field they are about: the editor shows them under the field, and
``describe_with_place`` / ``describe_with_field`` put the field's name (and the file's line)
in front of them.

Every message is formatted at call time, in the locale of the current request or of a
``force_locale`` block; outside an application the English source text is used.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l

from saas.schemes.explain import MODE_LABELS, SOURCE_LABELS
from saas.schemes.files import FileIssue, field_name
from saas.scoring.checks import Issue, Path, Severity
from saas.scoring.scheme import (
    Consequence,
    CriticalEffect,
    Disqualify,
    EligibilityKind,
    MissingSources,
    Mode,
    PeriodKind,
    SectionScoring,
    SourceKind,
    Subject,
)
from saas.scoring.tryout import InputProblem

SEVERITY_LABELS = {
    Severity.INVALID: _l("error"),
    Severity.INCOMPLETE: _l("incomplete"),
    Severity.WARNING: _l("warning"),
}

_NUMBER = _l("Enter a number, such as 20 or 7.5.")
_WHOLE = _l("Enter a whole number.")
_YES_NO = _l("Enter true or false (yes or no).")
_LIST = _l("Expected a list: one entry per line, each starting with “-”.")
_GROUP = _l("Expected a group of fields: one “name: value” per line.")

MESSAGES = {
    # saas.scoring.checks: how the fields fit together
    "duplicate.section": _l("Another section already has the key %(value)s."),
    "duplicate.item": _l(
        "Another item already has the key %(value)s; item keys are unique in the whole scheme."
    ),
    "duplicate.source": _l("The source “%(value)s” is listed twice."),
    "duplicate.band": _l("Another band already starts at %(value)s points."),
    "duplicate.rule": _l("Another rule already handles the event %(value)s."),
    "duplicate.level": _l("Another level of this item is already called %(value)s."),
    "item.scale_levels": _l("An item scored on a scale needs at least two levels."),
    "item.level_above_max": _l(
        "This level is worth %(points)s points, more than the item's maximum of %(max)s."
    ),
    "item.only_for_mode": _l(
        "Only items scored as “%(mode)s” use this; remove it or change how the item is scored."
    ),
    "item.per_occurrence_missing": _l("Say how many points each occurrence deducts."),
    "item.floor_not_below_max": _l(
        "The lowest score (%(floor)s) must be below the item's maximum (%(max)s)."
    ),
    "sources.none": _l("Add at least one source that rates the checklist."),
    "sources.total": _l("The sources' weights add up to %(total)s%%; they must add up to 100%%."),
    "sources.third_party_cap": _l(
        "A third party may weigh at most %(cap)s%%; this one weighs %(weight)s%%."
    ),
    "sections.none": _l("Add at least one section with checklist items."),
    "section.no_items": _l("The section %(section)s has no checklist items."),
    "section.unreachable": _l(
        "The items of %(section)s add up to %(items)s points, less than the section's maximum "
        "of %(max)s, so nobody can reach it."
    ),
    "section.items_over": _l(
        "The items of %(section)s add up to %(items)s points, more than the section's maximum "
        "of %(max)s: the section is capped at %(max)s, so some of their points never count. "
        "Make the items add up to %(max)s, or rate the section as a whole."
    ),
    "item.max_missing": _l("Give the item its maximum points."),
    "item.section_rated": _l(
        "Its section is rated as a whole, so its items are standards to check and carry no "
        "points or scoring of their own: remove this, or score the section item by item."
    ),
    "duplicate.rated_key": _l(
        "An item already has the key %(value)s; a section rated as a whole is rated by its key, "
        "so it needs a key no item has."
    ),
    "unit_categories.unknown": _l(
        "No unit has the category %(value)s yet (the categories in use: %(known)s). Set it on "
        "the units this scheme is for, or correct it here."
    ),
    "eligibility.unknown_level": _l(
        "There is no position level %(value)s (the levels are: %(known)s), so this exclusion "
        "excludes nobody. Add the level, or name one that exists."
    ),
    "eligibility.unknown_category": _l(
        "No unit has the category %(value)s (the categories in use: %(known)s), so this "
        "exclusion excludes nobody. Set it on the units, or name one in use."
    ),
    "eligibility.unknown_level.none": _l(
        "There is no position level %(value)s: no position levels are set up yet, so this "
        "exclusion excludes nobody. Set up the levels, or remove the exclusion."
    ),
    "eligibility.unknown_category.none": _l(
        "No unit has the category %(value)s: no unit has a category yet, so this exclusion "
        "excludes nobody. Set the categories on the units, or remove the exclusion."
    ),
    "unit_categories.unknown.none": _l(
        "No unit has the category %(value)s yet: no unit has a category. Set it on the units "
        "this scheme is for, or leave the categories empty."
    ),
    "eligibility.unknown_form": _l(
        "Nobody has the employment form %(value)s (the forms known: %(known)s), so this "
        "exclusion excludes nobody. Correct it, or record it on the people it is for."
    ),
    "sections.total": _l(
        "The sections' maximum points add up to %(total)s, not to the scale of %(scale)s."
    ),
    "bands.none": _l("There are no bands: results will have no grade and no award."),
    "band.above_scale": _l(
        "This band starts at %(threshold)s points, above the scale of %(scale)s: "
        "no score can reach it."
    ),
    "bands.gap_below": _l("No band holds the scores below %(threshold)s."),
    "defaulted.unknown_field": _l(
        "%(value)s is not a field here, so it cannot be marked as a default."
    ),
    "rule.no_effect": _l("The rule for %(event)s adds no points, no fine and no disqualification."),
    # saas.scoring.yamlguard: a file that is not YAML, by what PyYAML found
    "yaml.tab": _l("A tab cannot indent a line: indent with spaces."),
    "yaml.bad_start": _l(
        "A value cannot start with “%(char)s”: put the value in quotes (\"…\" or '…')."
    ),
    "yaml.colon": _l(
        "A colon is not expected here: indent this line like the ones around it, and put a "
        "text that holds “: ” in quotes."
    ),
    "yaml.no_colon": _l(
        "Expected “name: value” here: a colon is missing, or a quoted text is not closed."
    ),
    "yaml.indentation": _l(
        "This line is not indented like the lines above it: the entries of one list or group "
        "start in the same column."
    ),
    "yaml.dash": _l("A list entry (“- ”) is not expected here: check the indentation."),
    "yaml.unclosed_quote": _l("A quoted text is not closed: add the closing quote."),
    "yaml.unclosed_bracket": _l(
        "A bracket ([ or {) is not closed, or a comma is missing between its entries."
    ),
    "yaml.escape": _l(
        "“\\%(char)s” is not an escape YAML knows: write \\\\ for a backslash, or use "
        "single quotes."
    ),
    "yaml.several_documents": _l(
        "The file holds more than one document (a line “---” in the middle); it must be one."
    ),
    "yaml.control_character": _l(
        "The file holds a control character that a text file may not hold: remove it."
    ),
    "yaml.no_value": _l("A value is missing here."),
    "yaml.other": _l("This is not valid YAML (%(problem)s)."),
    # saas.schemes.files: the file as a whole
    "file.not_a_mapping": _l(
        "The file is not a scheme: it should hold fields such as name, sections and bands, "
        "one “name: value” per line."
    ),
    "file.version": _l(
        "The file says kaohe_scheme: %(found)s; this version of Kaohe reads "
        "kaohe_scheme: %(expected)s."
    ),
    "file.version_missing": _l(
        "This is not a Kaohe scheme file: it must start with kaohe_scheme: %(expected)s."
    ),
    "file.duplicate_key": _l(
        "This field is given twice; give it once (YAML would silently keep the last value)."
    ),
    "file.encoding": _l("The file is not UTF-8 text."),
    "file.too_large": _l("The file is %(size)s KB; a scheme file may be at most %(limit)s KB."),
    "file.alias": _l(
        "Anchors (&name) and aliases (*name) are not allowed in a scheme file: "
        "write each value out where it applies."
    ),
    "file.too_deep": _l(
        "The file is nested more than %(limit)s levels deep here; a scheme file never needs "
        "that many."
    ),
    "file.number_too_long": _l(
        "%(value)s has too many digits: a number may have at most %(limit)s."
    ),
    "file.number_too_large": _l(
        "%(value)s is too large or too small: a number may have at most %(limit)s digits "
        "before or after the decimal point."
    ),
    "file.not_a_date": _l("%(value)s is not a date such as 2026-08-03."),
    # saas.scoring.engine: inputs a scheme cannot score
    "input.unknown_item": _l("The scheme has no item %(item)s."),
    "input.unknown_source": _l("The scheme has no source “%(source)s”."),
    "input.unknown_level": _l(
        "%(value)s is not a level of item %(item)s; its levels are %(levels)s."
    ),
    "input.not_points": _l("%(value)s is not a number of points (item %(item)s)."),
    "input.not_yes_no": _l("%(value)s is not yes or no (item %(item)s)."),
    "input.rate_the_section": _l(
        "%(item)s is a standard of section %(section)s, which is rated as a whole: rate the "
        "section."
    ),
    # pydantic: a value of the wrong type or out of range
    "type.missing": _l("Required: fill it in."),
    "type.extra_forbidden": _l("Kaohe does not know this field; check its spelling."),
    "type.string_type": _l("Enter text."),
    "type.string_too_short": _l("Must not be empty."),
    "type.string_too_short.n": _l("Must be at least %(min_length)s characters long."),
    "type.string_too_long": _l("At most %(max_length)s characters."),
    "type.string_pattern_mismatch": _l(
        "Use letters, digits, _ . and - only, starting with a letter or a digit, "
        "at most 40 characters."
    ),
    "type.decimal_parsing": _NUMBER,
    "type.decimal_type": _NUMBER,
    "type.decimal_max_places": _l("At most %(decimal_places)s decimal places."),
    "type.decimal_whole_digits": _l("At most %(whole_digits)s digits before the decimal point."),
    "type.greater_than": _l("Must be more than %(gt)s."),
    "type.greater_than_equal": _l("Must be at least %(ge)s."),
    "type.less_than": _l("Must be less than %(lt)s."),
    "type.less_than_equal": _l("Must be at most %(le)s."),
    "type.int_parsing": _WHOLE,
    "type.int_type": _WHOLE,
    "type.int_from_float": _l("Enter a whole number, without decimals."),
    "type.bool_parsing": _YES_NO,
    "type.bool_type": _YES_NO,
    "type.enum": _l("Must be one of: %(expected)s."),
    "type.tuple_type": _LIST,
    "type.list_type": _LIST,
    "type.model_type": _GROUP,
    "type.model_attributes_type": _GROUP,
    "type.dict_type": _GROUP,
}
_TYPE_FALLBACK = _l("This value is not accepted here (%(code)s).")
_FALLBACK = _l("Kaohe found a problem here (%(code)s).")

# What ``kaohe scheme try`` finds in an inputs file (saas.scoring.tryout); the file-level
# codes it shares with scheme files are said by MESSAGES.
INPUT_MESSAGES = {
    "file.not_a_mapping": _l("The file must hold period: and subjects: fields."),
    "file.too_large": _l("The file is %(size)s KB; an inputs file may be at most %(limit)s KB."),
    "file.too_deep": _l("Nested more than %(limit)s levels deep; an inputs file never needs that."),
    "field.missing": _l("%(field)s is missing."),
    "field.unknown": _l("Unknown field %(field)s; the fields here are %(known)s."),
    "field.repeated": _l("%(field)s is given twice."),
    "field.not_a_mapping": _l("Expected fields (name: value), found %(found)s."),
    "field.not_a_list": _l("Expected a list (lines starting with -), found %(found)s."),
    "field.not_text": _l("Expected text, found %(found)s."),
    "field.empty": _l("Must not be empty."),
    "period.invalid": _l("%(value)s is not a period such as 2026-Q3, 2026-H2, 2026-07 or 2026."),
    "period.reversed": _l("The period ends (%(end)s) before it starts (%(start)s)."),
    "date.invalid": _l("%(value)s is not a date such as 2026-08-03."),
    "subjects.none": _l("There are no subjects to score."),
    "subject.repeated": _l("The subject %(key)s is listed twice."),
    "rating.unknown_item": _l("The scheme has no item %(value)s."),
    "rating.rate_the_section": _l(
        "%(value)s is a standard of section %(section)s, which is rated as a whole: rate the "
        "section (item: %(section)s)."
    ),
    "rating.unknown_source": _l("The scheme has no source %(value)s; its sources are %(known)s."),
    "value.not_a_number": _l("%(value)s is not a number of points."),
    "value.out_of_range": _l("%(value)s is outside the item's range, 0 to %(max)s."),
    "value.not_yes_no": _l("%(value)s is not yes or no."),
    "value.unknown_level": _l("%(value)s is not a level of this item; the levels are %(known)s."),
    "value.not_a_count": _l("%(value)s is not a number of occurrences (0, 1, 2, …)."),
    "number.invalid": _l("%(value)s is not a number."),
    "number.negative": _l("%(value)s is negative."),
    "event.unknown": _l(
        "The scheme has no rule for the event %(value)s; its events are %(known)s."
    ),
    "validity.invalid": _l("%(value)s is not a validity; use %(known)s."),
    "levels.repeated": _l("The level %(value)s is listed twice."),
    "level.unknown": _l("%(value)s is not one of the levels listed; they are %(known)s."),
}

_LINE_FIELD = _l("line %(line)s, %(field)s: %(message)s")
_LINE = _l("line %(line)s: %(message)s")
_LINE_COLUMN = _l("line %(line)s, column %(column)s: %(message)s")
_FIELD = _l("%(field)s: %(message)s")

# The enums a field of that name holds, so a mistyped value is answered with the right list.
_ENUMS: dict[str, type] = {
    "mode": Mode,
    "missing_sources": MissingSources,
    "when_missing": MissingSources,
    "disqualify": Disqualify,
    "on_fail": CriticalEffect,
    "consequence": Consequence,
    "feeds": SourceKind,
    "period": PeriodKind,
    "subject": Subject,
    "scoring": SectionScoring,
}
_KIND_ENUMS: dict[str, type] = {"sources": SourceKind, "eligibility": EligibilityKind}


# -- field names ---------------------------------------------------------------------------------

# (the list an entry is in, the field) → its name; None is the scheme itself.
_FIELD_LABELS = {
    (None, "kaohe_scheme"): _l("file format version"),
    (None, "name"): _l("name"),
    (None, "description"): _l("description"),
    (None, "provenance"): _l("where it comes from"),
    (None, "subject"): _l("who is assessed"),
    (None, "period"): _l("assessment period"),
    (None, "unit_categories"): _l("unit categories"),
    (None, "scale"): _l("scale (full marks)"),
    (None, "precision"): _l("decimals of the final score"),
    (None, "cap_at_scale"): _l("cap the score at the scale"),
    (None, "sources"): _l("sources"),
    (None, "missing_sources"): _l("when a source gave no ratings"),
    (None, "third_party_cap"): _l("most a third party may weigh"),
    (None, "goals"): _l("goals"),
    (None, "sections"): _l("sections"),
    (None, "bands"): _l("bands"),
    (None, "rules"): _l("rules"),
    (None, "tally_limits"): _l("monthly deduction limits"),
    (None, "eligibility"): _l("who is excluded"),
    (None, "inspection"): _l("inspection checklist settings"),
    (None, "defaulted"): _l("fields left at Kaohe's default"),
    ("goals", "share"): _l("share of the score from goals"),
    ("goals", "attainment_cap"): _l("most a goal's attainment counts"),
    ("goals", "when_missing"): _l("when a subject has no approved goals"),
    ("sources", "kind"): _l("source"),
    ("sources", "weight"): _l("weight"),
    ("sections", "key"): _l("section key"),
    ("sections", "title"): _l("section title"),
    ("sections", "max"): _l("maximum points"),
    ("sections", "scoring"): _l("how it is rated"),
    ("sections", "items"): _l("checklist items"),
    ("items", "key"): _l("item key"),
    ("items", "text"): _l("item text"),
    ("items", "max"): _l("maximum points"),
    ("items", "mode"): _l("how it is scored"),
    ("items", "scale"): _l("levels"),
    ("items", "per_occurrence"): _l("points deducted per occurrence"),
    ("items", "floor"): _l("lowest score"),
    ("items", "on_fail"): _l("when the critical item fails"),
    ("scale", "label"): _l("level"),
    ("scale", "points"): _l("level points"),
    ("bands", "threshold"): _l("from score"),
    ("bands", "label"): _l("band"),
    ("bands", "award"): _l("award"),
    ("bands", "pay_coefficient"): _l("pay coefficient"),
    ("bands", "consequence"): _l("consequence"),
    ("bands", "quota"): _l("quota"),
    ("rules", "event"): _l("event type key"),
    ("rules", "label"): _l("event"),
    ("rules", "label_en"): _l("event in English"),
    ("rules", "needs_validity"): _l("counts only once ruled valid"),
    ("rules", "points"): _l("points to the period score"),
    ("rules", "monthly_points"): _l("points to the month's tally"),
    ("rules", "fine"): _l("fine"),
    ("rules", "disqualify"): _l("disqualifies"),
    ("tally_limits", "deducted_at_least"): _l("points deducted in one month, at least"),
    ("tally_limits", "disqualify"): _l("disqualifies"),
    ("eligibility", "kind"): _l("excluded by"),
    ("eligibility", "value"): _l("value"),
    ("inspection", "rectify_days"): _l("days to rectify a failed item"),
    ("inspection", "feeds"): _l("source the inspection result counts as"),
    ("inspection", "failed_item_event"): _l("event for a failed item"),
    ("inspection", "failed_critical_event"): _l("event for a failed critical item"),
    ("inspection", "overdue_notice_event"): _l("event for an overdue rectification notice"),
}
# Fields found in several kinds of entry.
_ANY_FIELD_LABELS = {
    "note": _l("note"),
    "reference": _l("source reference"),
    "defaulted": _l("fields left at Kaohe's default"),
}
# One entry of a list, by the list's name.
_ENTRY_LABELS = {
    "unit_categories": _l("unit category"),
    "sources": _l("source"),
    "sections": _l("section"),
    "items": _l("checklist item"),
    "scale": _l("level"),
    "bands": _l("band"),
    "rules": _l("rule"),
    "tally_limits": _l("monthly deduction limit"),
    "eligibility": _l("exclusion"),
    "defaulted": _l("fields left at Kaohe's default"),
}


def field_label(path: Path) -> str:
    """The name people know the field at the end of ``path`` by, e.g. "maximum points"."""
    names = [part for part in path if isinstance(part, str)]
    if not path:
        return ""
    if isinstance(path[-1], int):
        label = _ENTRY_LABELS.get(names[-1]) if names else None
        return str(label) if label is not None else field_name(path)
    name = names[-1]
    parent = names[-2] if len(names) > 1 else None
    label = _FIELD_LABELS.get((parent, name)) or _ANY_FIELD_LABELS.get(name)
    return str(label) if label is not None else name


# -- messages ------------------------------------------------------------------------------------


class _Params(dict):
    """A message's values; a placeholder without one shows as a dash instead of failing."""

    def __missing__(self, key: str) -> str:
        return "—"


def _shown(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value.is_finite() else str(value)
    if isinstance(value, list | tuple):
        return ", ".join(str(_shown(item)) for item in value)
    if value is None:
        return "—"
    if isinstance(value, str) and len(value) > 60:
        return value[:59] + "…"
    return value


def _allowed(issue: Issue) -> str:
    """The values a mistyped enum field takes, as they are written in a scheme file."""
    names = [part for part in issue.path if isinstance(part, str)]
    enum = None
    if names and names[-1] == "kind":
        enum = _KIND_ENUMS.get(names[-2] if len(names) > 1 else "")
    elif names:
        enum = _ENUMS.get(names[-1])
    if enum is None:
        return str(issue.params.get("expected", ""))
    return ", ".join(member.value for member in enum)


def _params(issue: Issue) -> _Params:
    params = _Params({key: _shown(value) for key, value in issue.params.items()})
    params["code"] = issue.code.removeprefix("type.")
    if issue.code == "type.enum":
        params["expected"] = _allowed(issue)
    elif issue.code == "duplicate.source":
        params["value"] = _label(SOURCE_LABELS, issue.params.get("value"))
    elif issue.code == "item.only_for_mode":
        params["mode"] = _label(MODE_LABELS, issue.params.get("mode"))
    elif issue.code == "input.unknown_source":
        params["source"] = _label(SOURCE_LABELS, issue.params.get("source"))
    return params


def _label(labels: dict, value: Any) -> str:
    label = labels.get(value)
    return str(label) if label is not None else str(_shown(value))


# Codes whose wording depends on their parameters.
_VARIANTS: dict[str, Callable[[dict[str, Any]], str]] = {
    "type.string_too_short": lambda p: (
        "type.string_too_short" if p.get("min_length", 1) == 1 else "type.string_too_short.n"
    ),
    "file.version": lambda p: "file.version_missing" if p.get("found") is None else "file.version",
    # The tenant has none of these words yet: said so, instead of an empty list.
    **{
        code: (lambda p, code=code: code if p.get("known") else f"{code}.none")
        for code in (
            "eligibility.unknown_level",
            "eligibility.unknown_category",
            "unit_categories.unknown",
        )
    },
}


def describe(issue: Issue) -> str:
    """The issue as a sentence in the current locale."""
    code = _VARIANTS.get(issue.code, lambda _params: issue.code)(issue.params)
    template = MESSAGES.get(code)
    if template is None:
        template = _TYPE_FALLBACK if code.startswith("type.") else _FALLBACK
    text = str(template)
    # A translation without placeholders is shown as it is, even if it holds a "%".
    return text % _params(issue) if "%(" in text else text


def describe_with_field(issue: Issue) -> str:
    """The issue after the name and path of its field: "maximum points
    (sections[0].max): …"; issues about the scheme as a whole are said alone."""
    message = describe(issue)
    if not issue.path:
        return message
    field = f"{field_label(issue.path)} ({field_name(issue.path)})"
    return str(_FIELD) % {"field": field, "message": message}


def describe_input(problem: InputProblem) -> str:
    """A problem of an inputs file (``kaohe scheme try``) as a sentence in the current locale."""
    template = INPUT_MESSAGES.get(problem.code) or MESSAGES.get(problem.code) or _FALLBACK
    text = str(template)
    params = _Params({key: _shown(value) for key, value in problem.params.items()})
    params["code"] = problem.code
    return text % params if "%(" in text else text


def place(line: int | None, column: int | None, message: str) -> str:
    """A message after its line, and column when there is one: "line 3, column 7: …"."""
    if line is None:
        return message
    if column is not None:
        return str(_LINE_COLUMN) % {"line": line, "column": column, "message": message}
    return str(_LINE) % {"line": line, "message": message}


def describe_with_place(found: FileIssue) -> str:
    """A scheme file's issue with its line and field: "line 12, sections[0].items[1].max: …",
    or its line and column when the file is not YAML: "line 3, column 7: …"."""
    message = describe(found.issue)
    field = found.field
    if found.column is not None or (found.line is not None and not field):
        return place(found.line, found.column, message)
    if found.line is not None and field:
        return str(_LINE_FIELD) % {"line": found.line, "field": field, "message": message}
    if field:
        return str(_FIELD) % {"field": field, "message": message}
    return message
