"""Who is assessed, and why not: rules that exclude people by position level, unit category
or employment form (the reference scheme excludes 部门主管以上), and people who have left.

``assess_eligibility`` is a pure function of plain facts, so it can be tested and reused
without a database. ``assess_employees`` loads the facts of many employees in a fixed number
of queries (rules, units, employees) and evaluates them all; cycles use it to pick subjects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from saas.auth.permissions import Actor
from saas.models.audit import record
from saas.models.eligibility import EligibilityRule, RuleKind
from saas.models.org import OrgUnit, PositionLevel
from saas.models.people import Employee, EmployeeStatus
from saas.validation import Invalid

KIND_LABELS = {
    RuleKind.LEVEL_AT_LEAST: _l("Position level at or above"),
    RuleKind.UNIT_CATEGORY: _l("Unit category"),
    RuleKind.EMPLOYMENT_FORM: _l("Employment form"),
}


@dataclass(frozen=True)
class EmployeeFacts:
    """What eligibility looks at. ``unit_category`` is the unit's own category, or else the
    nearest ancestor's: a team (班组) belongs to its front-line department's category."""

    status: str = EmployeeStatus.ACTIVE
    level_name: str | None = None
    level_rank: int | None = None
    unit_category: str | None = None
    employment_form: str | None = None


@dataclass(frozen=True)
class RuleFacts:
    kind: str
    note: str | None = None
    level_name: str | None = None
    level_rank: int | None = None
    value: str | None = None

    @property
    def label(self) -> Any:
        """How a reason names the rule: its note, else what it says."""
        if self.note:
            return self.note
        if self.kind == RuleKind.LEVEL_AT_LEAST:
            return _l("position level %(level)s and above", level=self.level_name)
        if self.kind == RuleKind.UNIT_CATEGORY:
            return _l("unit category %(value)s", value=self.value)
        return _l("employment form %(value)s", value=self.value)


@dataclass(frozen=True)
class Eligibility:
    """``reasons`` are translatable strings (render them with str() in the user's language);
    empty when the person is assessed."""

    assessed: bool
    reasons: list[Any] = field(default_factory=list)


def _same(a: str | None, b: str | None) -> bool:
    def norm(text: str | None) -> str:
        return " ".join((text or "").split()).casefold()

    return bool(norm(a)) and norm(a) == norm(b)


def _reason(facts: EmployeeFacts, rule: RuleFacts) -> Any | None:
    if rule.kind == RuleKind.LEVEL_AT_LEAST:
        if facts.level_rank is None or rule.level_rank is None:
            return None
        if facts.level_rank >= rule.level_rank:
            return _l(
                "Position level %(level)s is at or above %(threshold)s (rule: %(rule)s)",
                level=facts.level_name,
                threshold=rule.level_name,
                rule=rule.label,
            )
    elif rule.kind == RuleKind.UNIT_CATEGORY:
        if _same(facts.unit_category, rule.value):
            return _l(
                "Unit category %(category)s is excluded (rule: %(rule)s)",
                category=facts.unit_category,
                rule=rule.label,
            )
    elif rule.kind == RuleKind.EMPLOYMENT_FORM and _same(facts.employment_form, rule.value):
        return _l(
            "Employment form %(form)s is excluded (rule: %(rule)s)",
            form=facts.employment_form,
            rule=rule.label,
        )
    return None


def assess_eligibility(facts: EmployeeFacts, rules: list[RuleFacts]) -> Eligibility:
    """Is this person assessed? Every rule that excludes them is named, not just the first."""
    reasons: list[Any] = []
    if facts.status == EmployeeStatus.LEFT:
        reasons.append(_l("Has left the organisation: people who have left are not assessed."))
    reasons.extend(r for r in (_reason(facts, rule) for rule in rules) if r is not None)
    return Eligibility(assessed=not reasons, reasons=reasons)


# -- from the database --------------------------------------------------------------------


def load_rules(session: Session) -> list[RuleFacts]:
    rows = session.execute(
        select(EligibilityRule, PositionLevel.name, PositionLevel.rank)
        .outerjoin(PositionLevel, EligibilityRule.position_level_id == PositionLevel.id)
        .order_by(EligibilityRule.id)
    )
    return [
        RuleFacts(rule.kind, rule.note, level_name, level_rank, rule.value)
        for rule, level_name, level_rank in rows
    ]


def effective_categories(session: Session) -> dict[int, str | None]:
    """Each unit's category, inherited from the nearest categorised ancestor if it has none."""
    units = session.execute(select(OrgUnit.id, OrgUnit.path, OrgUnit.category)).all()
    own = {unit.id: unit.category for unit in units}
    result: dict[int, str | None] = {}
    for unit in units:
        chain = [int(part) for part in unit.path.split("/") if part]
        result[unit.id] = next((own.get(i) for i in reversed(chain) if own.get(i)), None)
    return result


def assess_employees(
    session: Session, where: ColumnElement[bool] | None = None
) -> dict[int, Eligibility]:
    """Eligibility of every employee matching ``where`` (all if None), in three queries."""
    rules = load_rules(session)
    categories = effective_categories(session)
    query = select(
        Employee.id,
        Employee.status,
        Employee.unit_id,
        Employee.employment_form,
        PositionLevel.name,
        PositionLevel.rank,
    ).outerjoin(PositionLevel, Employee.position_level_id == PositionLevel.id)
    if where is not None:
        query = query.where(where)
    result = {}
    for row in session.execute(query):
        facts = EmployeeFacts(
            status=row.status,
            level_name=row.name,
            level_rank=row.rank,
            unit_category=categories.get(row.unit_id),
            employment_form=row.employment_form,
        )
        result[row.id] = assess_eligibility(facts, rules)
    return result


def assessed_employee_ids(session: Session, where: ColumnElement[bool] | None = None) -> list[int]:
    """Ids of the employees a cycle would assess, in id order."""
    return sorted(i for i, result in assess_employees(session, where).items() if result.assessed)


# -- managing the rules -------------------------------------------------------------------


def rule_snapshot(rule: EligibilityRule, level_name: str | None = None) -> dict[str, Any]:
    return {
        "kind": rule.kind,
        "position_level_id": rule.position_level_id,
        "position_level": level_name,
        "value": rule.value,
        "note": rule.note,
    }


def list_rules(session: Session) -> list[tuple[EligibilityRule, str | None]]:
    rows = session.execute(
        select(EligibilityRule, PositionLevel.name)
        .outerjoin(PositionLevel, EligibilityRule.position_level_id == PositionLevel.id)
        .order_by(EligibilityRule.kind, PositionLevel.rank, EligibilityRule.value)
    )
    return [(rule, level_name) for rule, level_name in rows]


def add_rule(
    session: Session,
    actor: Actor,
    kind: str,
    *,
    position_level_id: int | None = None,
    value: str | None = None,
    note: str | None = None,
) -> EligibilityRule:
    """Add a rule; raises Invalid for an unknown level, an empty value or a duplicate."""
    value = " ".join((value or "").split()) or None
    note = " ".join((note or "").split()) or None
    level = _check_rule(session, kind, position_level_id, value, note)
    rule = EligibilityRule(
        kind=kind,
        position_level_id=level.id if level else None,
        value=None if level else value,
        note=note,
    )
    session.add(rule)
    session.flush()
    record(
        session,
        actor=actor.email,
        action="eligibility_rule.created",
        record_type="eligibility_rule",
        record_id=rule.id,
        after=rule_snapshot(rule, level.name if level else None),
    )
    return rule


def _check_rule(
    session: Session, kind: str, level_id: int | None, value: str | None, note: str | None
) -> PositionLevel | None:
    if kind not in set(RuleKind):
        raise Invalid(_l("Unknown kind of rule."), "kind")
    if note and len(note) > 200:
        raise Invalid(_l("At most %(count)d characters.", count=200), "note")
    if kind == RuleKind.LEVEL_AT_LEAST:
        level = session.get(PositionLevel, level_id) if level_id else None
        if level is None:
            raise Invalid(_l("Choose a position level from the list."), "position_level_id")
        duplicate = EligibilityRule.position_level_id == level.id
    else:
        level = None
        if not value:
            raise Invalid(_l("Enter a value."), "value")
        if len(value) > 60:
            raise Invalid(_l("At most %(count)d characters.", count=60), "value")
        duplicate = func.lower(EligibilityRule.value) == value.casefold()
    exists = session.scalar(
        select(EligibilityRule.id).where(EligibilityRule.kind == kind, duplicate).limit(1)
    )
    if exists is not None:
        field_name = "position_level_id" if level else "value"
        raise Invalid(_l("This rule exists already."), field_name)
    return level


def delete_rule(session: Session, actor: Actor, rule: EligibilityRule) -> None:
    level = session.get(PositionLevel, rule.position_level_id) if rule.position_level_id else None
    record(
        session,
        actor=actor.email,
        action="eligibility_rule.deleted",
        record_type="eligibility_rule",
        record_id=rule.id,
        before=rule_snapshot(rule, level.name if level else None),
    )
    session.delete(rule)
    session.flush()
