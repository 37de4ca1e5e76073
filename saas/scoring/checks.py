"""How a scheme's fields fit together: what makes it unusable, unpublishable or doubtful.

Problems are ``Issue`` values (a path into the scheme, a code, parameters), not sentences, so
the editor, the file importer and ``kaohe scheme check`` can each say them in the user's
language (``saas.schemes.messages``) and point at the field (and the file's line) concerned.

Three severities:
- ``invalid``: the scheme cannot be saved (a mistyped value, a duplicate key, a scale item
  without levels). Pydantic's own findings are translated into issues of this severity.
- ``incomplete``: it can be saved as a draft but not published (weights that do not total
  100 %, a section without items).
- ``warning``: it can be published, but the author should look (items that cannot reach
  their section's maximum or add up to more than it, sections that do not add up to the
  scale).

What a scheme names from the tenant's own vocabulary (position levels, unit categories,
employment forms) is checked only when a ``Vocabulary`` is given: a scheme file on its own
does not know the tenant it will be used by.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from saas.scoring.scheme import (
    CriticalEffect,
    EligibilityKind,
    Mode,
    Scheme,
    SectionScoring,
    SourceKind,
)

Path = tuple[str | int, ...]


class Severity(enum.StrEnum):
    INVALID = "invalid"
    INCOMPLETE = "incomplete"
    WARNING = "warning"


@dataclass(frozen=True)
class Issue:
    severity: Severity
    path: Path
    code: str
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def blocks_saving(self) -> bool:
        return self.severity is Severity.INVALID

    @property
    def blocks_publishing(self) -> bool:
        return self.severity is not Severity.WARNING


@dataclass(frozen=True)
class Vocabulary:
    """The words a tenant has for what eligibility rules and unit categories name."""

    levels: frozenset[str] = frozenset()  # position levels (岗位级别)
    unit_categories: frozenset[str] = frozenset()  # categories its units carry
    employment_forms: frozenset[str] = frozenset()  # employment forms (用工形式) it uses


def _word(text: str) -> str:
    """How a name is matched: case and runs of spaces do not matter (as in eligibility)."""
    return " ".join(text.split()).casefold()


def parse(data: Any) -> tuple[Scheme | None, list[Issue]]:
    """Read a scheme from plain data (a parsed file, a stored version, a form's result).

    Returns the scheme and every issue found; the scheme is None when it is invalid.
    """
    try:
        scheme = Scheme.model_validate(data)
    except ValidationError as error:
        return None, [_from_pydantic(detail) for detail in error.errors(include_url=False)]
    issues = review(scheme)
    if any(issue.blocks_saving for issue in issues):
        return None, issues
    return scheme, issues


def review(scheme: Scheme, vocabulary: Vocabulary | None = None) -> list[Issue]:
    """Every issue with a well-typed scheme, in the order of its fields; with a tenant's
    ``vocabulary``, also the names it does not know."""
    return [
        *_duplicates(scheme),
        *_item_modes(scheme),
        *_sources(scheme),
        *_sections(scheme),
        *_bands(scheme),
        *_rules(scheme),
        *_defaulted(scheme),
        *(_vocabulary(scheme, vocabulary) if vocabulary is not None else ()),
    ]


_UNKNOWN_WORD = {
    EligibilityKind.LEVEL_AT_LEAST: ("eligibility.unknown_level", "levels"),
    EligibilityKind.UNIT_CATEGORY: ("eligibility.unknown_category", "unit_categories"),
    EligibilityKind.EMPLOYMENT_FORM: ("eligibility.unknown_form", "employment_forms"),
}


def _vocabulary(scheme: Scheme, vocabulary: Vocabulary) -> Iterable[Issue]:
    """An exclusion naming a level, category or form the tenant does not have excludes
    nobody, silently: it cannot be published. A category the scheme is written for that no
    unit carries is worth a look."""
    known = {
        name: {_word(word) for word in getattr(vocabulary, name)}
        for name in ("levels", "unit_categories", "employment_forms")
    }
    for n, category in enumerate(scheme.unit_categories):
        if _word(category) not in known["unit_categories"]:
            yield Issue(
                Severity.WARNING,
                ("unit_categories", n),
                "unit_categories.unknown",
                {"value": category, "known": sorted(vocabulary.unit_categories)},
            )
    for n, rule in enumerate(scheme.eligibility):
        code, words = _UNKNOWN_WORD[rule.kind]
        if _word(rule.value) not in known[words]:
            yield Issue(
                Severity.INCOMPLETE,
                ("eligibility", n, "value"),
                code,
                {"value": rule.value, "known": sorted(getattr(vocabulary, words))},
            )


def _defaulted(scheme: Scheme) -> Iterable[Issue]:
    """``defaulted`` may only name fields of its own entry."""
    entries: list[tuple[Path, Any]] = [((), scheme), (("goals",), scheme.goals)]
    for s, section in enumerate(scheme.sections):
        entries.append((("sections", s), section))
        entries.extend((("sections", s, "items", i), item) for i, item in enumerate(section.items))
    for name in ("sources", "bands", "rules", "tally_limits"):
        entries.extend(((name, n), entry) for n, entry in enumerate(getattr(scheme, name)))
    for at, entry in entries:
        for field_name in entry.defaulted:
            if field_name not in type(entry).model_fields or field_name == "defaulted":
                yield Issue(
                    Severity.INVALID,
                    (*at, "defaulted", field_name),
                    "defaulted.unknown_field",
                    {"value": field_name},
                )


def _from_pydantic(detail: dict[str, Any]) -> Issue:
    ctx = {key: _plain(value) for key, value in (detail.get("ctx") or {}).items()}
    params = {**ctx, "input": _plain(detail.get("input"))}
    if detail["type"] == "enum":
        params["expected"] = ctx.get("expected", "")
    return Issue(Severity.INVALID, tuple(detail["loc"]), f"type.{detail['type']}", params)


def _plain(value: Any) -> Any:
    if isinstance(value, str | int | bool | Decimal) or value is None:
        return value
    if isinstance(value, float):
        return Decimal(str(value))
    return str(value)


def _repeats(values: Iterable[tuple[Path, Any]]) -> Iterable[tuple[Path, Any]]:
    """The second and later occurrences of each value, with their paths."""
    seen: Counter[Any] = Counter()
    for path, value in values:
        seen[value] += 1
        if seen[value] > 1:
            yield path, value


def _duplicates(scheme: Scheme) -> Iterable[Issue]:
    checks: list[tuple[str, Iterable[tuple[Path, Any]]]] = [
        (
            "duplicate.section",
            ((("sections", s, "key"), sec.key) for s, sec in enumerate(scheme.sections)),
        ),
        (
            "duplicate.item",
            (
                (("sections", s, "items", i, "key"), item.key)
                for s, sec in enumerate(scheme.sections)
                for i, item in enumerate(sec.items)
            ),
        ),
        (
            "duplicate.source",
            ((("sources", n, "kind"), src.kind.value) for n, src in enumerate(scheme.sources)),
        ),
        (
            "duplicate.band",
            ((("bands", n, "threshold"), band.threshold) for n, band in enumerate(scheme.bands)),
        ),
        (
            "duplicate.rule",
            ((("rules", n, "event"), rule.event) for n, rule in enumerate(scheme.rules)),
        ),
    ]
    for code, values in checks:
        for path, value in _repeats(values):
            yield Issue(Severity.INVALID, path, code, {"value": value})
    # Ratings name what they rate by its key: an item's, or a whole-rated section's.
    item_keys = {item.key for section in scheme.sections for item in section.items}
    for s, section in enumerate(scheme.sections):
        if section.scoring is SectionScoring.SECTION and section.key in item_keys:
            yield Issue(
                Severity.INVALID,
                ("sections", s, "key"),
                "duplicate.rated_key",
                {"value": section.key},
            )


def _item_modes(scheme: Scheme) -> Iterable[Issue]:
    for s, section in enumerate(scheme.sections):
        whole = section.scoring is SectionScoring.SECTION
        for i, item in enumerate(section.items):
            at: Path = ("sections", s, "items", i)
            yield from _standard(item, at) if whole else _item_mode(item, at)


# What an item is scored with; none of it applies to the standards of a section rated as a
# whole. Each name with the value that means "not given".
_SCORING_FIELDS = (
    ("max", None),
    ("mode", Mode.POINTS),
    ("scale", ()),
    ("per_occurrence", None),
    ("floor", 0),
    ("on_fail", CriticalEffect.DISQUALIFY),
)


def _standard(item, at: Path) -> Iterable[Issue]:
    for name, unset in _SCORING_FIELDS:
        if getattr(item, name) != unset:
            yield Issue(Severity.INVALID, (*at, name), "item.section_rated")


def _item_mode(item, at: Path) -> Iterable[Issue]:
    mode = item.mode
    if item.max is None:
        yield Issue(Severity.INVALID, (*at, "max"), "item.max_missing")
        return
    if mode is Mode.SCALE:
        if len(item.scale) < 2:
            yield Issue(Severity.INVALID, (*at, "scale"), "item.scale_levels")
        for n, level in enumerate(item.scale):
            if level.points > item.max:
                yield Issue(
                    Severity.INVALID,
                    (*at, "scale", n, "points"),
                    "item.level_above_max",
                    {"points": level.points, "max": item.max},
                )
        for path, label in _repeats(
            ((*at, "scale", n, "label"), level.label) for n, level in enumerate(item.scale)
        ):
            yield Issue(Severity.INVALID, path, "duplicate.level", {"value": label})
    elif item.scale:
        yield Issue(Severity.INVALID, (*at, "scale"), "item.only_for_mode", {"mode": "scale"})
    if mode is Mode.DEDUCTION:
        if item.per_occurrence is None:
            yield Issue(Severity.INVALID, (*at, "per_occurrence"), "item.per_occurrence_missing")
        if item.floor >= item.max:
            yield Issue(
                Severity.INVALID,
                (*at, "floor"),
                "item.floor_not_below_max",
                {"floor": item.floor, "max": item.max},
            )
    else:
        if item.per_occurrence is not None:
            yield Issue(
                Severity.INVALID,
                (*at, "per_occurrence"),
                "item.only_for_mode",
                {"mode": "deduction"},
            )
        if item.floor:
            yield Issue(
                Severity.INVALID, (*at, "floor"), "item.only_for_mode", {"mode": "deduction"}
            )


def _sources(scheme: Scheme) -> Iterable[Issue]:
    if not scheme.sources:
        # A scheme scored on goals alone has nobody rating a checklist.
        if scheme.goals.share < 100:
            yield Issue(Severity.INCOMPLETE, ("sources",), "sources.none")
        return
    total = sum((source.weight for source in scheme.sources), Decimal(0))
    if total != 100:
        yield Issue(Severity.INCOMPLETE, ("sources",), "sources.total", {"total": total})
    for n, source in enumerate(scheme.sources):
        if source.kind is SourceKind.THIRD_PARTY and source.weight > scheme.third_party_cap:
            yield Issue(
                Severity.INCOMPLETE,
                ("sources", n, "weight"),
                "sources.third_party_cap",
                {"weight": source.weight, "cap": scheme.third_party_cap},
            )


def _sections(scheme: Scheme) -> Iterable[Issue]:
    checklist_counts = scheme.goals.share < 100
    if checklist_counts and not scheme.sections:
        yield Issue(Severity.INCOMPLETE, ("sections",), "sections.none")
    for s, section in enumerate(scheme.sections):
        if section.scoring is SectionScoring.SECTION:
            continue  # rated as one number, 0 to its maximum: its items are standards
        if not section.items:
            yield Issue(
                Severity.INCOMPLETE,
                ("sections", s, "items"),
                "section.no_items",
                {"section": section.title},
            )
            continue
        yield from _items_total(section, s)
    total = sum((section.max for section in scheme.sections), Decimal(0))
    if scheme.sections and total != scheme.scale:
        yield Issue(
            Severity.WARNING,
            ("sections",),
            "sections.total",
            {"total": total, "scale": scheme.scale},
        )


def _items_total(section, s: int) -> Iterable[Issue]:
    """Items that cannot reach the section's maximum, or that add up to more than it (the
    sum is capped, so some of their points never count: 6.67 × 3 = 20.01 in a section of 20,
    or items of 55 points in one of 10)."""
    if any(item.max is None for item in section.items):
        return  # an item without its maximum is an error of its own
    total = sum((item.max for item in section.items), Decimal(0))
    if total == section.max:
        return
    code = "section.unreachable" if total < section.max else "section.items_over"
    yield Issue(
        Severity.WARNING,
        ("sections", s, "max"),
        code,
        {"section": section.title, "items": total, "max": section.max},
    )


def _bands(scheme: Scheme) -> Iterable[Issue]:
    if not scheme.bands:
        yield Issue(Severity.WARNING, ("bands",), "bands.none")
        return
    for n, band in enumerate(scheme.bands):
        if scheme.cap_at_scale and band.threshold > scheme.scale:
            yield Issue(
                Severity.INCOMPLETE,
                ("bands", n, "threshold"),
                "band.above_scale",
                {"threshold": band.threshold, "scale": scheme.scale},
            )
    lowest = min(band.threshold for band in scheme.bands)
    if lowest > 0:
        yield Issue(Severity.WARNING, ("bands",), "bands.gap_below", {"threshold": lowest})


def _rules(scheme: Scheme) -> Iterable[Issue]:
    for n, rule in enumerate(scheme.rules):
        if not (rule.points or rule.monthly_points or rule.fine or rule.disqualify != "none"):
            yield Issue(Severity.WARNING, ("rules", n), "rule.no_effect", {"event": rule.event})
