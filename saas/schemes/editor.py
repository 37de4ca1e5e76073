"""What the editor page shows about a version: the scheme, its totals and problems, which form
is open, and the values and errors of a form that was refused."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _

from saas.models.scheme import SchemeVersion
from saas.schemes import explain, forms, preview
from saas.schemes import versions as service
from saas.schemes.editing import LISTS, fingerprint
from saas.schemes.messages import describe, field_label
from saas.schemes.vocabulary import WHERE, Where
from saas.scoring.checks import Issue, Vocabulary, review
from saas.scoring.scheme import Scheme, SectionScoring
from saas.web.numbers import plain as number


@dataclass(frozen=True)
class Totals:
    sections: Decimal  # the sections' maxima added up
    weights: Decimal  # the sources' weights added up
    items: dict[str, Decimal]  # section key → its items' maxima added up


def totals(scheme: Scheme) -> Totals:
    return Totals(
        sections=sum((s.max for s in scheme.sections), Decimal(0)),
        weights=sum((s.weight for s in scheme.sources), Decimal(0)),
        items={
            s.key: sum((i.max or Decimal(0) for i in s.items), Decimal(0))
            for s in scheme.sections
            if s.scoring is SectionScoring.ITEMS
        },
    )


@dataclass(frozen=True)
class Problem:
    """A problem said next to its entry, and the page where the word it is about is kept."""

    text: str
    where: Where | None = None


def _defaults_shown_once(scheme: Scheme) -> set[str]:
    """Sections whose items' points are all Kaohe's defaults: marked once on the section,
    not on every item."""
    return {
        section.key
        for section in scheme.sections
        if section.scoring is SectionScoring.ITEMS
        and len(section.items) > 1
        and all("max" in item.defaulted for item in section.items)
    }


def _has_defaults(data: Any) -> bool:
    """Does the stored definition mark any value as Kaohe's default, anywhere?"""
    if isinstance(data, dict):
        return bool(data.get("defaulted")) or any(_has_defaults(v) for v in data.values())
    if isinstance(data, list):
        return any(_has_defaults(v) for v in data)
    return False


def _entry_name(path: tuple, data: dict[str, Any]) -> str | None:
    """How the author knows the entry a path points into: a section's title, an item's key."""
    try:
        if path[0] == "sections":
            section = data["sections"][path[1]]
            if len(path) > 3 and path[2] == "items":
                return f"{section['title']} › {section['items'][path[3]]['key']}"
            return section["title"]
        entry = data[path[0]][path[1]]
    except (IndexError, KeyError, TypeError):
        return None
    if not isinstance(entry, dict):  # a unit category: the message names it
        return None
    if path[0] == "sources":
        return str(explain.SOURCE_LABELS.get(entry.get("kind"), entry.get("kind")))
    return entry.get("label") or entry.get("value")


def located(issue: Issue, data: dict[str, Any]) -> str:
    """A problem said next to the entry and field it is about."""
    message = describe(issue)
    if len(issue.path) < 2 or not isinstance(issue.path[1], int):
        return message
    place = _entry_name(issue.path, data)
    if place is None:
        return message
    if isinstance(issue.path[-1], str) and len(issue.path) > 2:
        place = f"{place} · {field_label(issue.path)}"
    return _("%(place)s: %(message)s", place=place, message=message)


def problems(issues: list[Issue], data: dict[str, Any]) -> list[Problem]:
    return [Problem(located(issue, data), WHERE.get(issue.code)) for issue in issues]


def editor_context(
    version: SchemeVersion,
    *,
    editable: bool,
    vocabulary: Vocabulary | None = None,
    open_form: dict | None = None,
    message: str | None = None,
) -> dict[str, Any]:
    scheme = service.definition(version)
    issues = review(scheme, vocabulary)
    sample = preview.empty(scheme)
    data = version.definition
    return {
        "version": version,
        "scheme": scheme,
        "data": data,
        "editable": editable,
        "open_form": open_form or {},
        "message": message,
        "blocking": problems([i for i in issues if i.blocks_publishing], data),
        "warnings": problems([i for i in issues if not i.blocks_publishing], data),
        "defaults_once": _defaults_shown_once(scheme),
        "has_defaults": _has_defaults(data),
        "totals": totals(scheme),
        "fingerprints": {
            kind: [fingerprint(entry) for entry in data.get(name, [])]
            for kind, name in LISTS.items()
        },
        "forms": forms,
        "labels": explain,
        "number": number,
        "status_label": service.status_label,
        "sample": sample,
        **preview.outcome(scheme, sample),
    }
