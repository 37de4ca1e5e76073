"""The tenant's own words that a scheme names: position levels, unit categories, employment
forms; and where in Kaohe each is kept, for the check to link to.

A scheme's exclusion "部门主管 and above" excludes nobody in a tenant whose ladder has no
部门主管, silently; ``saas.scoring.checks.review`` says so when it is given the vocabulary
read here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import literal, select, union_all
from sqlalchemy.orm import Session

from saas.models.org import OrgUnit, PositionLevel
from saas.models.people import Employee
from saas.people.employees import EMPLOYMENT_FORMS
from saas.scoring.checks import Vocabulary


def load(session: Session) -> Vocabulary:
    """The tenant's levels, the categories its units carry and the employment forms it knows
    (the suggested ones and those its people have), in one statement."""
    words = union_all(
        select(literal("level").label("kind"), PositionLevel.name.label("word")),
        select(literal("category"), OrgUnit.category).where(OrgUnit.category.is_not(None)),
        select(literal("form"), Employee.employment_form).where(
            Employee.employment_form.is_not(None)
        ),
    ).subquery()
    found: dict[str, set[str]] = {"level": set(), "category": set(), "form": set()}
    for kind, word in session.execute(select(words.c.kind, words.c.word).distinct()):
        if word.strip():
            found[kind].add(word)
    return Vocabulary(
        levels=frozenset(found["level"]),
        unit_categories=frozenset(found["category"]),
        employment_forms=frozenset(EMPLOYMENT_FORMS) | frozenset(found["form"]),
    )


@dataclass(frozen=True)
class Where:
    """The page where a word of the vocabulary is kept, and who may open it."""

    endpoint: str
    permission: str
    label: Any


_LEVELS = Where("people.levels", "people.settings", _l("Position levels"))
_CATEGORIES = Where("org.tree", "org.view", _l("Unit categories: the org tree"))
_FORMS = Where("people.index", "people.view", _l("Employment forms: the people list"))

WHERE = {
    "eligibility.unknown_level": _LEVELS,
    "eligibility.unknown_category": _CATEGORIES,
    "unit_categories.unknown": _CATEGORIES,
    "eligibility.unknown_form": _FORMS,
}
