"""A cycle's subjects: who (or which unit) is assessed, and why someone is not.

**Choosing.** When a cycle is created its subjects are chosen by the scheme's subject kind:

- employees: every employee, through the tenant's eligibility rules (saas/people/eligibility.py)
  and the scheme's own (saas/scoring/cohort.py ``scheme_exclusions``). Whoever a rule leaves
  out is kept as an excluded subject, each reason stored as a code with its parameters
  (``EXCLUSION_CODES``) and said in the reader's language when shown (``reason_texts``);
- units: the departments, teams and sites (of the scheme's unit categories, if it names any);
- providers: the units of kind provider.

**Changing.** An admin adds or removes a subject with a written reason (audited). A subject
is never deleted: removing one excludes it (code ``removed``), and only its rating sheets that
nobody has started are deleted; what raters saved stays.

**Joiners and leavers** while the cycle is open (the rule docs/cycles.md states):

- someone who joins after the subjects were chosen is *not* added by itself: the cycle page
  lists them as "joined since the subjects were chosen" for an admin to add with a reason;
- someone who leaves stays a subject, and their ratings are kept. When collection closes
  (open → scoring) every included subject who has left is excluded with the code
  ``left_during_period`` — unless an admin chose to keep them (origin ``kept``); an admin may
  also include them again afterwards, with a reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from saas.auth.permissions import Actor, Refused
from saas.cycles.lists import subject_clause
from saas.cycles.raters import generate
from saas.models.audit import record
from saas.models.cycle import (
    Cycle,
    CycleStatus,
    CycleSubject,
    RatingSheet,
    SheetStatus,
    SubjectKind,
)
from saas.models.eligibility import RuleKind
from saas.models.org import OrgUnit, PositionLevel, UnitKind
from saas.models.people import Employee, EmployeeStatus
from saas.org.access import Scope
from saas.paging import PER_PAGE, Page, page_within
from saas.people.eligibility import (
    EmployeeFacts,
    assess_eligibility,
    effective_categories,
    load_rules,
)
from saas.scoring.cohort import SubjectFacts, scheme_exclusions
from saas.scoring.scheme import EligibilityKind, Scheme
from saas.validation import Invalid

UNIT_SUBJECT_KINDS = (UnitKind.DEPARTMENT, UnitKind.TEAM, UnitKind.SITE)
# Stages in which subjects may still be added, removed or kept.
CHANGEABLE = (CycleStatus.DRAFT, CycleStatus.OPEN, CycleStatus.SCORING)
LISTED_JOINERS = 50

# The codes stored in CycleSubject.excluded_because, each a dict {"code": …, params}:
EXCLUSION_CODES = {
    "left": "has left the organisation when the subjects were chosen",
    "tenant_rule": "a tenant eligibility rule: kind, level/value, note, actual",
    "scheme_rule": "a rule of the scheme: kind, value, actual",
    "removed": "removed by an admin: reason",
    "left_during_period": "left while the cycle was open, not kept by an admin",
}
ORIGIN_LABELS = {
    "eligible": _l("chosen by the rules"),
    "added": _l("added by an admin"),
    "kept": _l("kept by an admin"),
}
KIND_LABELS = {
    SubjectKind.EMPLOYEE: _l("Employees"),
    SubjectKind.UNIT: _l("Units"),
    SubjectKind.PROVIDER: _l("Providers"),
}


def _norm(text: str | None) -> str:
    return " ".join((text or "").split()).casefold()


# -- choosing ------------------------------------------------------------------------------


def employee_exclusions(session: Session, scheme: Scheme) -> dict[int, tuple[int, list[dict]]]:
    """Every employee's unit and the reasons (codes) they are not assessed, by employee id:
    the tenant's rules and the scheme's. Four statements, whatever the number of people."""
    rules = load_rules(session)
    categories = effective_categories(session)
    ranks = dict(session.execute(select(PositionLevel.name, PositionLevel.rank)).all())
    rows = session.execute(
        select(
            Employee.id,
            Employee.status,
            Employee.unit_id,
            Employee.employment_form,
            PositionLevel.name,
            PositionLevel.rank,
        )
        .outerjoin(PositionLevel, Employee.position_level_id == PositionLevel.id)
        .order_by(Employee.id)
    )
    result: dict[int, tuple[int, list[dict]]] = {}
    for row in rows:
        facts = EmployeeFacts(
            status=EmployeeStatus.ACTIVE,
            level_name=row.name,
            level_rank=row.rank,
            unit_category=categories.get(row.unit_id),
            employment_form=row.employment_form,
        )
        reasons: list[dict[str, Any]] = []
        if row.status == EmployeeStatus.LEFT:
            reasons.append({"code": "left"})
        for rule in rules:
            if not assess_eligibility(facts, [rule]).assessed:
                reasons.append(
                    _drop_none(
                        {
                            "code": "tenant_rule",
                            "kind": rule.kind,
                            "level": rule.level_name,
                            "value": rule.value,
                            "note": rule.note,
                            "actual": _actual(rule.kind, facts),
                        }
                    )
                )
        scheme_facts = SubjectFacts(
            level=row.name,
            level_rank=row.rank,
            unit_category=facts.unit_category,
            employment_form=row.employment_form,
        )
        for code in scheme_exclusions(scheme, scheme_facts, ranks):
            kind, _, value = code.partition(":")
            reasons.append(
                _drop_none(
                    {
                        "code": "scheme_rule",
                        "kind": kind,
                        "value": value,
                        "actual": _actual(kind, facts),
                    }
                )
            )
        result[row.id] = (row.unit_id, reasons)
    return result


def _actual(kind: str, facts: EmployeeFacts) -> str | None:
    if kind == RuleKind.LEVEL_AT_LEAST:
        return facts.level_name
    if kind == RuleKind.UNIT_CATEGORY:
        return facts.unit_category
    return facts.employment_form


def _drop_none(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def subject_units(session: Session, cycle_kind: str, scheme: Scheme) -> list[int]:
    """The ids of the units a unit or provider cycle assesses."""
    kinds = (UnitKind.PROVIDER,) if cycle_kind == SubjectKind.PROVIDER else UNIT_SUBJECT_KINDS
    units = session.execute(
        select(OrgUnit.id).where(OrgUnit.kind.in_(kinds), OrgUnit.archived_at.is_(None))
    ).scalars()
    ids = list(units)
    if cycle_kind == SubjectKind.UNIT and scheme.unit_categories:
        wanted = {_norm(c) for c in scheme.unit_categories}
        categories = effective_categories(session)
        ids = [i for i in ids if _norm(categories.get(i)) in wanted]
    return sorted(ids)


def choose_subjects(session: Session, actor: Actor, cycle: Cycle, scheme: Scheme) -> dict:
    """Write the new cycle's subjects; returns the counts included and excluded."""
    rows: list[dict[str, Any]] = []
    if cycle.subject_kind == SubjectKind.EMPLOYEE:
        for employee_id, (unit_id, reasons) in employee_exclusions(session, scheme).items():
            rows.append(
                {
                    "cycle_id": cycle.id,
                    "kind": SubjectKind.EMPLOYEE.value,
                    "employee_id": employee_id,
                    "unit_id": unit_id,
                    "included": not reasons,
                    "excluded_because": reasons,
                    "origin": "eligible",
                }
            )
    else:
        for unit_id in subject_units(session, cycle.subject_kind, scheme):
            rows.append(
                {
                    "cycle_id": cycle.id,
                    "kind": cycle.subject_kind,
                    "employee_id": None,
                    "unit_id": unit_id,
                    "included": True,
                    "excluded_because": [],
                    "origin": "eligible",
                }
            )
    if rows:
        session.execute(insert(CycleSubject), rows)
    counts = {
        "included": sum(1 for r in rows if r["included"]),
        "excluded": sum(1 for r in rows if not r["included"]),
    }
    record(
        session,
        actor=actor.email,
        action="cycle.subjects_chosen",
        record_type="cycle",
        record_id=cycle.id,
        after=counts,
    )
    return counts


# -- reasons in words ----------------------------------------------------------------------


def reason_texts(entries: list[dict[str, Any]] | None) -> list[Any]:
    """Each stored exclusion reason said in the reader's language."""
    return [_reason_text(entry) for entry in entries or []]


def _rule_label(entry: Mapping[str, Any]) -> Any:
    if entry.get("note"):
        return entry["note"]
    if entry.get("kind") == RuleKind.LEVEL_AT_LEAST:
        return _l("position level %(level)s and above", level=entry.get("level"))
    if entry.get("kind") == RuleKind.UNIT_CATEGORY:
        return _l("unit category %(value)s", value=entry.get("value"))
    return _l("employment form %(value)s", value=entry.get("value"))


def _reason_text(entry: Mapping[str, Any]) -> Any:
    code, kind = entry.get("code"), entry.get("kind")
    actual = entry.get("actual") or "—"
    if code == "left":
        return _l("Has left the organisation: people who have left are not assessed.")
    if code == "left_during_period":
        return _l("Left during the period: excluded when collection closed.")
    if code == "removed":
        return _l("Removed by an administrator: %(reason)s", reason=entry.get("reason") or "—")
    if code == "tenant_rule":
        if kind == RuleKind.LEVEL_AT_LEAST:
            return _l(
                "Position level %(level)s is at or above %(threshold)s (rule: %(rule)s)",
                level=actual,
                threshold=entry.get("level"),
                rule=_rule_label(entry),
            )
        if kind == RuleKind.UNIT_CATEGORY:
            return _l(
                "Unit category %(category)s is excluded (rule: %(rule)s)",
                category=actual,
                rule=_rule_label(entry),
            )
        return _l(
            "Employment form %(form)s is excluded (rule: %(rule)s)",
            form=actual,
            rule=_rule_label(entry),
        )
    if code == "scheme_rule":
        if kind == EligibilityKind.LEVEL_AT_LEAST:
            return _l(
                "The scheme does not assess position level %(value)s and above"
                " (this person: %(actual)s).",
                value=entry.get("value"),
                actual=actual,
            )
        if kind == EligibilityKind.UNIT_CATEGORY:
            return _l(
                "The scheme does not assess unit category %(value)s.", value=entry.get("value")
            )
        return _l("The scheme does not assess employment form %(value)s.", value=entry.get("value"))
    return str(code)


# -- changing ------------------------------------------------------------------------------


def _require_changeable(actor: Actor, cycle: Cycle) -> None:
    if not actor.can("cycles.manage"):
        raise Refused()
    if cycle.status not in CHANGEABLE:
        raise Refused(
            _l("Subjects can no longer change: the cycle is past scoring."), field="subject"
        )


def _reason(reason: str | None) -> str:
    reason = " ".join((reason or "").split())
    if not reason:
        raise Invalid(_l("Write the reason."), "reason")
    if len(reason) > 1000:
        raise Invalid(_l("At most %(count)d characters.", count=1000), "reason")
    return reason


def subject_snapshot(subject: CycleSubject) -> dict[str, Any]:
    return {
        "cycle_id": subject.cycle_id,
        "employee_id": subject.employee_id,
        "unit_id": subject.unit_id,
        "included": subject.included,
        "origin": subject.origin,
        "reason": subject.reason,
    }


def find_subject(session: Session, cycle: Cycle, subject_id: int | None) -> CycleSubject | None:
    if subject_id is None:
        return None
    return session.scalar(
        select(CycleSubject).where(CycleSubject.id == subject_id, CycleSubject.cycle_id == cycle.id)
    )


def add_subject(
    session: Session,
    actor: Actor,
    cycle: Cycle,
    *,
    employee_number: str | None = None,
    unit_id: int | None = None,
    reason: str | None,
) -> CycleSubject:
    """Add a subject with a reason: an employee (by number) to an employee cycle, a unit to
    a unit or provider cycle. An excluded subject is included again instead. In an open
    cycle the new subject's raters are generated at once."""
    reason = _reason(reason)
    _require_changeable(actor, cycle)
    if cycle.subject_kind == SubjectKind.EMPLOYEE:
        number = (employee_number or "").strip()
        employee = (
            session.scalar(select(Employee).where(Employee.number == number)) if number else None
        )
        if employee is None:
            raise Invalid(_l("No employee with number %(number)s.", number=number), "subject")
        if employee.status == EmployeeStatus.LEFT:
            raise Invalid(_l("%(name)s has left the organisation.", name=employee.name), "subject")
        existing = session.scalar(
            select(CycleSubject).where(
                CycleSubject.cycle_id == cycle.id, CycleSubject.employee_id == employee.id
            )
        )
        new = CycleSubject(
            cycle_id=cycle.id,
            kind=SubjectKind.EMPLOYEE,
            employee_id=employee.id,
            unit_id=employee.unit_id,
        )
    else:
        wanted = (
            (UnitKind.PROVIDER,)
            if cycle.subject_kind == SubjectKind.PROVIDER
            else UNIT_SUBJECT_KINDS
        )
        unit = session.get(OrgUnit, unit_id) if unit_id else None
        if unit is None or unit.kind not in wanted or unit.archived_at is not None:
            raise Invalid(_l("Choose a unit from the list."), "subject")
        existing = session.scalar(
            select(CycleSubject).where(
                CycleSubject.cycle_id == cycle.id,
                CycleSubject.employee_id.is_(None),
                CycleSubject.unit_id == unit.id,
            )
        )
        new = CycleSubject(cycle_id=cycle.id, kind=cycle.subject_kind, unit_id=unit.id)
    if existing is not None:
        if existing.included:
            raise Invalid(_l("This subject is in the cycle already."), "subject")
        return include_subject(session, actor, cycle, existing, reason)
    new.included, new.excluded_because, new.origin, new.reason = True, [], "added", reason
    session.add(new)
    session.flush()
    record(
        session,
        actor=actor.email,
        action="cycle_subject.added",
        record_type="cycle_subject",
        record_id=new.id,
        after=subject_snapshot(new),
    )
    _generate_if_started(session, actor, cycle, new)
    return new


def _generate_if_started(
    session: Session, actor: Actor, cycle: Cycle, subject: CycleSubject
) -> None:
    if cycle.status == CycleStatus.OPEN:
        generate(session, actor, cycle, subject_ids=[subject.id])


def include_subject(
    session: Session, actor: Actor, cycle: Cycle, subject: CycleSubject, reason: str | None
) -> CycleSubject:
    """Keep a subject, with a reason: include an excluded one again, or keep a subject who
    has left (origin ``kept``: not excluded when collection closes)."""
    _require_changeable(actor, cycle)
    reason = _reason(reason)
    before = subject_snapshot(subject)
    before["excluded_because"] = subject.excluded_because
    left = _has_left(session, subject)
    if subject.included and not left:
        raise Invalid(_l("This subject is in the cycle already."), "subject")
    subject.included = True
    subject.excluded_because = []
    subject.reason = reason
    if left:
        subject.origin = "kept"
    session.flush()
    record(
        session,
        actor=actor.email,
        action="cycle_subject.included",
        record_type="cycle_subject",
        record_id=subject.id,
        before=before,
        after=subject_snapshot(subject),
    )
    _generate_if_started(session, actor, cycle, subject)
    return subject


def _has_left(session: Session, subject: CycleSubject) -> bool:
    if subject.employee_id is None:
        return False
    return session.get(Employee, subject.employee_id).status == EmployeeStatus.LEFT


def remove_subject(
    session: Session, actor: Actor, cycle: Cycle, subject: CycleSubject, reason: str | None
) -> int:
    """Exclude a subject with a reason (code ``removed``); never deleted. Its sheets nobody
    has started are deleted, what raters saved is kept. Returns the sheets deleted."""
    _require_changeable(actor, cycle)
    reason = _reason(reason)
    if not subject.included:
        raise Invalid(_l("This subject is excluded already."), "subject")
    before = subject_snapshot(subject)
    subject.included = False
    subject.excluded_because = [{"code": "removed", "reason": reason}]
    subject.reason = reason
    deleted = session.execute(
        delete(RatingSheet).where(
            RatingSheet.cycle_subject_id == subject.id,
            RatingSheet.status == SheetStatus.ASSIGNED,
        )
    ).rowcount
    session.flush()
    after = subject_snapshot(subject)
    after["sheets_deleted"] = deleted
    record(
        session,
        actor=actor.email,
        action="cycle_subject.removed",
        record_type="cycle_subject",
        record_id=subject.id,
        before=before,
        after=after,
    )
    return deleted


def exclude_leavers(session: Session, cycle: Cycle) -> list[int]:
    """Exclude the included employee subjects who have left and were not kept (called as
    collection closes); their sheets and ratings stay. Returns the subjects' ids."""
    if cycle.subject_kind != SubjectKind.EMPLOYEE:
        return []
    leavers = list(
        session.scalars(
            select(CycleSubject)
            .join(Employee, Employee.id == CycleSubject.employee_id)
            .where(
                CycleSubject.cycle_id == cycle.id,
                CycleSubject.included.is_(True),
                CycleSubject.origin != "kept",
                Employee.status == EmployeeStatus.LEFT,
            )
        )
    )
    for subject in leavers:
        subject.included = False
        subject.excluded_because = [{"code": "left_during_period"}]
    return sorted(s.id for s in leavers)


# -- reading -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SubjectRow:
    id: int
    kind: str
    employee_id: int | None
    number: str | None
    name: str
    unit_name: str
    included: bool
    excluded_because: list[dict[str, Any]]
    origin: str
    reason: str | None
    has_left: bool

    @property
    def reasons(self) -> list[Any]:
        return reason_texts(self.excluded_because)


SUBJECT_FILTERS = ("included", "excluded", "all")


def subject_page(
    session: Session, cycle: Cycle, scope: Scope, which: str = "included", page: int = 1
) -> Page:
    """One page of the cycle's subjects this user may see: two statements."""
    where = [CycleSubject.cycle_id == cycle.id, subject_clause(scope)]
    if which == "included":
        where.append(CycleSubject.included.is_(True))
    elif which == "excluded":
        where.append(CycleSubject.included.is_(False))
    total = session.scalar(select(func.count()).select_from(CycleSubject).where(*where)) or 0
    page = page_within(total, page)
    rows = session.execute(
        select(
            CycleSubject.id,
            CycleSubject.kind,
            CycleSubject.employee_id,
            Employee.number,
            func.coalesce(Employee.name, OrgUnit.name).label("name"),
            OrgUnit.name.label("unit_name"),
            CycleSubject.included,
            CycleSubject.excluded_because,
            CycleSubject.origin,
            CycleSubject.reason,
            func.coalesce(Employee.status == EmployeeStatus.LEFT, False).label("has_left"),
        )
        .join(OrgUnit, OrgUnit.id == CycleSubject.unit_id)
        .outerjoin(Employee, Employee.id == CycleSubject.employee_id)
        .where(*where)
        .order_by(OrgUnit.path, Employee.number, CycleSubject.id)
        .limit(PER_PAGE)
        .offset((page - 1) * PER_PAGE)
    )
    return Page([SubjectRow(**row._mapping) for row in rows], total, page)


def joiners(session: Session, cycle: Cycle, scope: Scope) -> list[Any]:
    """People (this user may see) who are not subjects and joined after the subjects were
    chosen: listed on the cycle page for an admin to add with a reason."""
    if cycle.subject_kind != SubjectKind.EMPLOYEE:
        return []
    in_cycle = select(CycleSubject.employee_id).where(
        CycleSubject.cycle_id == cycle.id, CycleSubject.employee_id.is_not(None)
    )
    return list(
        session.execute(
            select(Employee.id, Employee.number, Employee.name, OrgUnit.name.label("unit_name"))
            .join(OrgUnit, OrgUnit.id == Employee.unit_id)
            .where(
                Employee.created_at > cycle.created_at,
                Employee.status != EmployeeStatus.LEFT,
                Employee.id.not_in(in_cycle),
                scope.employee_clause(),
            )
            .order_by(Employee.created_at, Employee.id)
            .limit(LISTED_JOINERS)
        )
    )


def leavers(session: Session, cycle: Cycle, scope: Scope) -> list[Any]:
    """Included subjects who have left (not yet kept): excluded when collection closes."""
    if cycle.subject_kind != SubjectKind.EMPLOYEE:
        return []
    return list(
        session.execute(
            select(
                CycleSubject.id,
                Employee.number,
                Employee.name,
                OrgUnit.name.label("unit_name"),
            )
            .join(Employee, Employee.id == CycleSubject.employee_id)
            .join(OrgUnit, OrgUnit.id == CycleSubject.unit_id)
            .where(
                CycleSubject.cycle_id == cycle.id,
                CycleSubject.included.is_(True),
                CycleSubject.origin != "kept",
                Employee.status == EmployeeStatus.LEFT,
                subject_clause(scope),
            )
            .order_by(Employee.number)
            .limit(LISTED_JOINERS)
        )
    )


def unit_choices(session: Session, cycle: Cycle) -> list[tuple[int, str]]:
    """Units a unit or provider cycle could add (not yet included)."""
    if cycle.subject_kind == SubjectKind.EMPLOYEE:
        return []
    kinds = (
        (UnitKind.PROVIDER,) if cycle.subject_kind == SubjectKind.PROVIDER else UNIT_SUBJECT_KINDS
    )
    included = select(CycleSubject.unit_id).where(
        CycleSubject.cycle_id == cycle.id, CycleSubject.included.is_(True)
    )
    return [
        (row.id, row.name)
        for row in session.execute(
            select(OrgUnit.id, OrgUnit.name)
            .where(
                OrgUnit.kind.in_(kinds),
                OrgUnit.archived_at.is_(None),
                OrgUnit.id.not_in(included),
            )
            .order_by(OrgUnit.path)
            .limit(500)
        )
    ]
