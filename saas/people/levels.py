"""The tenant's position ladder (员工 … 公司领导): add, rename, re-rank, delete if unused.

A higher rank is more senior; equal ranks are allowed (two titles of the same seniority).
``seed_reference_levels`` gives a new tenant the ladder and the one population rule of the
reference scheme (精准化微笑服务: 部门主管以上不在考核范围) as a default it can change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from saas.auth.permissions import Actor
from saas.models.audit import record
from saas.models.eligibility import EligibilityRule, RuleKind
from saas.models.org import PositionLevel
from saas.models.people import Employee
from saas.people.eligibility import add_rule
from saas.validation import Invalid

REFERENCE_LADDER = (("员工", 1), ("班组长", 2), ("部门主管", 3), ("部门经理", 4), ("公司领导", 5))
REFERENCE_RULE_LEVEL = "部门主管"
REFERENCE_RULE_NOTE = "部门主管以上不在考核范围"
MAX_RANK = 999


@dataclass(frozen=True)
class LevelUse:
    level: PositionLevel
    employees: int
    rules: int

    @property
    def used(self) -> bool:
        return bool(self.employees or self.rules)


def list_levels(session: Session) -> list[LevelUse]:
    """Levels from the most senior down, with how many people and rules use each."""
    employees = (
        select(func.count())
        .where(Employee.position_level_id == PositionLevel.id)
        .correlate(PositionLevel)
        .scalar_subquery()
    )
    rules = (
        select(func.count())
        .where(EligibilityRule.position_level_id == PositionLevel.id)
        .correlate(PositionLevel)
        .scalar_subquery()
    )
    rows = session.execute(
        select(PositionLevel, employees, rules).order_by(
            PositionLevel.rank.desc(), PositionLevel.name
        )
    )
    return [LevelUse(level, n_employees, n_rules) for level, n_employees, n_rules in rows]


def level_choices(session: Session) -> list[tuple[int, str]]:
    """(id, name) from the most junior up, the order people read a ladder in a form."""
    rows = session.execute(
        select(PositionLevel.id, PositionLevel.name).order_by(
            PositionLevel.rank, PositionLevel.name
        )
    )
    return [(row.id, row.name) for row in rows]


def _snapshot(level: PositionLevel) -> dict[str, Any]:
    return {"name": level.name, "rank": level.rank}


def _check(session: Session, name: str, rank: int | None, level_id: int | None) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise Invalid(_l("Enter a name."), "name")
    if len(name) > 60:
        raise Invalid(_l("At most %(count)d characters.", count=60), "name")
    if rank is None or not 1 <= rank <= MAX_RANK:
        raise Invalid(_l("Enter a whole number from 1 to %(max)d.", max=MAX_RANK), "rank")
    taken = select(PositionLevel.id).where(PositionLevel.name == name)
    if level_id is not None:
        taken = taken.where(PositionLevel.id != level_id)
    if session.scalar(taken.limit(1)) is not None:
        raise Invalid(_l("A position level named %(name)s exists already.", name=name), "name")
    return name


def add_level(session: Session, actor: Actor, name: str, rank: int | None) -> PositionLevel:
    level = PositionLevel(name=_check(session, name, rank, None), rank=rank)
    session.add(level)
    session.flush()
    record(
        session,
        actor=actor.email,
        action="position_level.created",
        record_type="position_level",
        record_id=level.id,
        after=_snapshot(level),
    )
    return level


def update_level(
    session: Session, actor: Actor, level: PositionLevel, name: str, rank: int | None
) -> PositionLevel:
    """Rename and/or re-rank; a rule on this level follows it (rules point at the level)."""
    name = _check(session, name, rank, level.id)
    before = _snapshot(level)
    level.name, level.rank = name, rank
    session.flush()
    after = _snapshot(level)
    if after != before:
        changed = [key for key in after if after[key] != before[key]]
        record(
            session,
            actor=actor.email,
            action="position_level.updated",
            record_type="position_level",
            record_id=level.id,
            before={key: before[key] for key in changed},
            after={key: after[key] for key in changed},
        )
    return level


def delete_level(session: Session, actor: Actor, level: PositionLevel) -> None:
    """Delete a level nobody holds and no rule names; refuse otherwise, saying why."""
    employees = session.scalar(select(func.count()).where(Employee.position_level_id == level.id))
    rules = session.scalar(
        select(func.count()).where(EligibilityRule.position_level_id == level.id)
    )
    if employees or rules:
        raise Invalid(
            _l(
                "%(name)s is still used by %(employees)s and %(rules)s: change those first.",
                name=level.name,
                employees=ngettext("%(num)d employee", "%(num)d employees", employees),
                rules=ngettext("%(num)d rule", "%(num)d rules", rules),
            ),
            "level",
        )
    record(
        session,
        actor=actor.email,
        action="position_level.deleted",
        record_type="position_level",
        record_id=level.id,
        before=_snapshot(level),
    )
    session.delete(level)
    session.flush()


def seed_reference_levels(session: Session, actor: Actor) -> list[str]:
    """Add the default ladder and the reference scheme's rule, skipping what already exists.

    Safe to run again: levels are matched by name, and the rule by its level. Returns the
    names of what was added (empty if nothing was missing)."""
    existing = {level.name: level for level in session.scalars(select(PositionLevel))}
    added = []
    for name, rank in REFERENCE_LADDER:
        if name not in existing:
            existing[name] = add_level(session, actor, name, rank)
            added.append(name)
    threshold = existing[REFERENCE_RULE_LEVEL]
    has_rule = session.scalar(
        select(EligibilityRule.id).where(
            EligibilityRule.kind == RuleKind.LEVEL_AT_LEAST,
            EligibilityRule.position_level_id == threshold.id,
        )
    )
    if has_rule is None:
        add_rule(
            session,
            actor,
            RuleKind.LEVEL_AT_LEAST,
            position_level_id=threshold.id,
            note=REFERENCE_RULE_NOTE,
        )
        added.append(REFERENCE_RULE_NOTE)
    return added


def reference_missing(session: Session) -> list[str]:
    """What ``seed_reference_levels`` would add: missing level names, then the rule's note."""
    have = set(session.scalars(select(PositionLevel.name)))
    missing = [name for name, _rank in REFERENCE_LADDER if name not in have]
    has_rule = session.scalar(
        select(EligibilityRule.id)
        .join(PositionLevel, EligibilityRule.position_level_id == PositionLevel.id)
        .where(
            EligibilityRule.kind == RuleKind.LEVEL_AT_LEAST,
            PositionLevel.name == REFERENCE_RULE_LEVEL,
        )
        .limit(1)
    )
    return missing if has_rule is not None else [*missing, REFERENCE_RULE_NOTE]
