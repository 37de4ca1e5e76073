"""Who rates whom: a cycle's rating sheets, generated from the organisation and edited by
the admin.

For every included subject and every source of the scheme version, ``generate`` writes one
sheet (status ``assigned``) per rater:

- **self**: the employee; for a unit or a provider, its manager;
- **supervisor**: the employee's manager of record (``Employee.manager_id``), else the
  manager of their unit, walking up the tree; for a unit or a provider, the manager of the
  unit above it (source 004: the department rates);
- **peer**: ``cycle.peer_count`` colleagues of the subject's unit (for a unit, the managers of
  its sibling units), in an order fixed by the cycle and the subject (``peer_order``), so a
  second run draws the same people; the admin may change them;
- **subordinate**: the people whose manager is the subject and the members of the units the
  subject manages (for a unit, its members);
- **committee**: every user with the committee role, as their employee record when linked
  (``e:<id>``), else as their account (``u:<id>``);
- **customer**: none (the feedback channel fills them in);
- **third_party**: the outside raters an admin adds to the cycle (``add_external``).

Nobody rates themself except for the self source, and only active employees rate.
Generation is idempotent: it adds the sheets that are missing and never changes a sheet; for
peers it tops a subject up to ``peer_count`` rather than re-adding everyone it would draw.

A supervisor rates only within their own subtree: an employee who manages units may
supervise subjects inside them (a unit: strictly inside), and anyone may supervise the people
whose manager of record they are.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session, aliased

from saas.auth.permissions import Actor, Refused
from saas.cycles.lists import sheet_subject_clause
from saas.models.audit import record
from saas.models.cycle import (
    Cycle,
    CycleStatus,
    CycleSubject,
    ExternalRater,
    RatingSheet,
    SheetStatus,
)
from saas.models.org import OrgUnit
from saas.models.people import Employee, EmployeeStatus
from saas.models.scheme import SchemeVersion
from saas.models.user import Role, User, UserRole
from saas.org.access import Scope
from saas.paging import PER_PAGE, Page, page_within
from saas.rating.audit_words import SOURCE_LABELS as RATING_SOURCE_LABELS
from saas.rating.external import digest, make_token
from saas.scoring.scheme import SourceKind
from saas.validation import Invalid
from tenants.db import utcnow

# One vocabulary for the sources, the rating pages' own.
SOURCE_LABELS = RATING_SOURCE_LABELS
GENERATED = (
    SourceKind.SELF,
    SourceKind.SUPERVISOR,
    SourceKind.PEER,
    SourceKind.SUBORDINATE,
    SourceKind.COMMITTEE,
)
# Sources an admin assigns one employee to by hand.
ASSIGNABLE = GENERATED
# Stages in which raters may be generated and changed.
EDITABLE = (CycleStatus.DRAFT, CycleStatus.OPEN)


def scheme_sources(session: Session, cycle: Cycle) -> list[str]:
    """The kinds of the scheme version's sources, in the scheme's order."""
    definition = session.scalar(
        select(SchemeVersion.definition).where(SchemeVersion.id == cycle.scheme_version_id)
    )
    kinds = [source.get("kind") for source in (definition or {}).get("sources", [])]
    return [k for k in dict.fromkeys(kinds) if k in set(SourceKind)]


def peer_order(cycle_id: int, subject_id: int, candidate: int) -> str:
    """The sort key that draws peers: the same cycle and subject always draw the same."""
    return hashlib.sha256(f"{cycle_id}:{subject_id}:{candidate}".encode()).hexdigest()


# -- the organisation, read once -----------------------------------------------------------


@dataclass
class Org:
    units: dict[int, Any] = field(default_factory=dict)  # id → (parent_id, path, manager_id)
    people: dict[int, Any] = field(default_factory=dict)  # id → (unit_id, manager_id, status)
    members: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    reports: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    managed: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    children: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))

    def active(self, employee_id: int | None) -> bool:
        person = self.people.get(employee_id) if employee_id else None
        return person is not None and person.status == EmployeeStatus.ACTIVE

    def manager_up(self, unit_id: int | None, skip: int | None) -> int | None:
        """The first active manager from this unit up who is not ``skip``."""
        seen = set()
        while unit_id is not None and unit_id not in seen:
            seen.add(unit_id)
            unit = self.units.get(unit_id)
            if unit is None:
                return None
            if unit.manager_id and unit.manager_id != skip and self.active(unit.manager_id):
                return unit.manager_id
            unit_id = unit.parent_id
        return None


def load_org(session: Session) -> Org:
    """Units and people as generation needs them: two statements."""
    org = Org()
    for unit in session.execute(
        select(OrgUnit.id, OrgUnit.parent_id, OrgUnit.path, OrgUnit.manager_id).where(
            OrgUnit.archived_at.is_(None)
        )
    ):
        org.units[unit.id] = unit
        if unit.parent_id is not None:
            org.children[unit.parent_id].append(unit.id)
        if unit.manager_id is not None:
            org.managed[unit.manager_id].append(unit.id)
    for person in session.execute(
        select(Employee.id, Employee.unit_id, Employee.manager_id, Employee.status)
    ):
        org.people[person.id] = person
        if person.status == EmployeeStatus.ACTIVE:
            org.members[person.unit_id].append(person.id)
            if person.manager_id is not None:
                org.reports[person.manager_id].append(person.id)
    return org


def may_supervise(org: Org, rater_id: int, subject: Any) -> bool:
    """May the employee ``rater_id`` be the supervisor rater of ``subject``?"""
    if subject.employee_id is not None:
        if rater_id == subject.employee_id:
            return False
        person = org.people.get(subject.employee_id)
        if person is not None and person.manager_id == rater_id:
            return True
    unit = org.units.get(subject.unit_id)
    if unit is None:
        return False
    for managed_id in org.managed.get(rater_id, []):
        path = org.units[managed_id].path
        if unit.path.startswith(path) and (subject.employee_id is not None or unit.path != path):
            return True
    return False


def committee_raters(session: Session) -> list[tuple[str, int | None, int | None]]:
    """(rater key, employee id, user id) of every active committee member."""
    rows = session.execute(
        select(User.id, Employee.id.label("employee_id"))
        .join(UserRole, UserRole.user_id == User.id)
        .outerjoin(Employee, Employee.user_id == User.id)
        .where(UserRole.role == Role.COMMITTEE, User.is_active_account.is_(True))
        .order_by(User.id)
    )
    return [
        (f"e:{row.employee_id}", row.employee_id, None)
        if row.employee_id is not None
        else (f"u:{row.id}", None, row.id)
        for row in rows
    ]


# -- generating ----------------------------------------------------------------------------


def _sheet(cycle: Cycle, subject_id: int, source: str, key: str, **rater: int | None) -> dict:
    return {
        "cycle_id": cycle.id,
        "cycle_subject_id": subject_id,
        "source": source,
        "rater_key": key,
        "rater_employee_id": rater.get("employee"),
        "rater_user_id": rater.get("user"),
        "rater_external_id": rater.get("external"),
        "values": {},
        "status": SheetStatus.ASSIGNED.value,
    }


def _raters_of(org: Org, cycle: Cycle, subject: Any, source: str, taken: set[str]) -> list[int]:
    """The employees who rate ``subject`` for ``source`` (committee aside)."""
    own = subject.employee_id
    unit = org.units.get(subject.unit_id)
    unit_manager = unit.manager_id if unit is not None else None
    if source == SourceKind.SELF:
        rater = own if own is not None else unit_manager
        return [rater] if org.active(rater) else []
    if source == SourceKind.SUPERVISOR:
        if any(key.startswith("e:") for key in taken):
            return []  # the subject has a supervisor rater already (maybe chosen by hand)
        if own is not None:
            manager = org.people[own].manager_id if own in org.people else None
            if manager and manager != own and org.active(manager):
                return [manager]
            found = org.manager_up(subject.unit_id, skip=own)
        else:
            found = org.manager_up(unit.parent_id if unit else None, skip=unit_manager)
        return [found] if found else []
    if source == SourceKind.PEER:
        if own is not None:
            pool = [p for p in org.members.get(subject.unit_id, []) if p != own]
        else:
            siblings = org.children.get(unit.parent_id, []) if unit and unit.parent_id else []
            pool = [
                org.units[s].manager_id
                for s in siblings
                if s != subject.unit_id and org.active(org.units[s].manager_id)
            ]
            pool = [p for p in dict.fromkeys(pool) if p != unit_manager]
        wanted = cycle.peer_count - sum(1 for key in taken if key.startswith(("e:", "u:")))
        fresh = [p for p in pool if f"e:{p}" not in taken]
        fresh.sort(key=lambda p: peer_order(cycle.id, subject.id, p))
        return fresh[: max(0, wanted)]
    if source == SourceKind.SUBORDINATE:
        if own is not None:
            found = list(org.reports.get(own, []))
            for unit_id in org.managed.get(own, []):
                found.extend(org.members.get(unit_id, []))
        else:
            found = list(org.members.get(subject.unit_id, []))
        skip = own if own is not None else unit_manager
        return [p for p in dict.fromkeys(found) if p != skip]
    return []


def generate(
    session: Session, actor: Actor, cycle: Cycle, subject_ids: Iterable[int] | None = None
) -> dict[str, int]:
    """Add the missing sheets of every included subject (or of ``subject_ids``); returns
    how many were added per source. Never changes or removes a sheet."""
    if not actor.can("cycles.manage"):
        raise Refused()
    if cycle.status not in EDITABLE:
        raise Refused(_l("Raters change only while the cycle is a draft or open."))
    sources = [s for s in scheme_sources(session, cycle) if s in GENERATED]
    query = select(CycleSubject.id, CycleSubject.employee_id, CycleSubject.unit_id).where(
        CycleSubject.cycle_id == cycle.id, CycleSubject.included.is_(True)
    )
    existing_query = select(
        RatingSheet.cycle_subject_id, RatingSheet.source, RatingSheet.rater_key
    ).where(RatingSheet.cycle_id == cycle.id)
    if subject_ids is not None:
        wanted = list(subject_ids)
        query = query.where(CycleSubject.id.in_(wanted))
        existing_query = existing_query.where(RatingSheet.cycle_subject_id.in_(wanted))
    subjects = session.execute(query.order_by(CycleSubject.id)).all()
    taken: dict[tuple[int, str], set[str]] = defaultdict(set)
    for subject_id, source, key in session.execute(existing_query):
        taken[(subject_id, source)].add(key)
    org = load_org(session) if sources and subjects else Org()
    committee = committee_raters(session) if SourceKind.COMMITTEE in sources else []
    rows: list[dict[str, Any]] = []
    for subject in subjects:
        for source in sources:
            have = taken[(subject.id, source)]
            if source == SourceKind.COMMITTEE:
                for key, employee_id, user_id in committee:
                    if key not in have and not (
                        employee_id is not None and employee_id == subject.employee_id
                    ):
                        rows.append(
                            _sheet(
                                cycle, subject.id, source, key, employee=employee_id, user=user_id
                            )
                        )
                continue
            for rater in _raters_of(org, cycle, subject, source, have):
                key = f"e:{rater}"
                if key not in have:
                    have.add(key)
                    rows.append(_sheet(cycle, subject.id, source, key, employee=rater))
    if rows:
        session.execute(
            pg_insert(RatingSheet).on_conflict_do_nothing(
                index_elements=["cycle_subject_id", "source", "rater_key"]
            ),
            rows,
        )
    added = {source: sum(1 for r in rows if r["source"] == source) for source in sources}
    record(
        session,
        actor=actor.email,
        action="cycle.raters_generated",
        record_type="cycle",
        record_id=cycle.id,
        after={"sheets_added": added, "subjects": len(subjects)},
    )
    return added


# -- editing by hand -----------------------------------------------------------------------


def _require_editable(actor: Actor, cycle: Cycle) -> None:
    if not actor.can("cycles.manage"):
        raise Refused()
    if cycle.status not in EDITABLE:
        raise Refused(_l("Raters change only while the cycle is a draft or open."))


def sheet_snapshot(sheet: RatingSheet) -> dict[str, Any]:
    """A sheet as the cycle's audit rows name it (the rating area words the sheet's own)."""
    return {
        "rating_sheet_id": sheet.id,
        "cycle_subject_id": sheet.cycle_subject_id,
        "source": sheet.source,
        "rater_key": sheet.rater_key,
        "sheet_status": sheet.status,
    }


def _employee_by_number(session: Session, number: str | None, field_name: str) -> Employee:
    number = (number or "").strip()
    employee = session.scalar(select(Employee).where(Employee.number == number)) if number else None
    if employee is None:
        raise Invalid(_l("No employee with number %(number)s.", number=number), field_name)
    if employee.status != EmployeeStatus.ACTIVE:
        raise Invalid(_l("%(name)s is not active and cannot rate.", name=employee.name), field_name)
    return employee


def add_rater(
    session: Session,
    actor: Actor,
    cycle: Cycle,
    subject: CycleSubject,
    source: str,
    employee_number: str | None,
) -> RatingSheet:
    """Assign one employee to rate ``subject`` for ``source``."""
    _require_editable(actor, cycle)
    if source not in ASSIGNABLE or source not in scheme_sources(session, cycle):
        raise Invalid(_l("Choose one of the scheme's sources."), "source")
    if not subject.included:
        raise Invalid(_l("This subject is excluded: include it first."), "subject")
    rater = _employee_by_number(session, employee_number, "rater")
    if source == SourceKind.SELF:
        if subject.employee_id is not None and rater.id != subject.employee_id:
            raise Invalid(_l("Only the person assessed rates themself."), "rater")
    elif rater.id == subject.employee_id:
        raise Invalid(_l("Nobody rates themself except for the self source."), "rater")
    if source == SourceKind.SUPERVISOR and not may_supervise(load_org(session), rater.id, subject):
        raise Refused(
            _l(
                "%(name)s does not manage this subject's unit: a supervisor rates only"
                " within their own units.",
                name=rater.name,
            ),
            field="rater",
        )
    key = f"e:{rater.id}"
    taken = session.scalar(
        select(RatingSheet.id).where(
            RatingSheet.cycle_subject_id == subject.id,
            RatingSheet.source == source,
            RatingSheet.rater_key == key,
        )
    )
    if taken is not None:
        raise Invalid(
            _l("%(name)s rates this subject for this source already.", name=rater.name), "rater"
        )
    sheet = RatingSheet(
        cycle_id=cycle.id,
        cycle_subject_id=subject.id,
        source=source,
        rater_key=key,
        rater_employee_id=rater.id,
        values={},
        status=SheetStatus.ASSIGNED,
    )
    session.add(sheet)
    session.flush()
    record(
        session,
        actor=actor.email,
        action="cycle.rater_assigned",
        record_type="cycle",
        record_id=cycle.id,
        after=sheet_snapshot(sheet),
    )
    return sheet


def remove_sheet(session: Session, actor: Actor, cycle: Cycle, sheet: RatingSheet) -> None:
    """Take a rater off a subject; refused once the sheet holds ratings."""
    _require_editable(actor, cycle)
    if sheet.status != SheetStatus.ASSIGNED or sheet.values:
        raise Refused(
            _l("This sheet holds ratings: reopen and clear it before removing the rater."),
            field="sheet",
        )
    record(
        session,
        actor=actor.email,
        action="cycle.rater_removed",
        record_type="cycle",
        record_id=cycle.id,
        before=sheet_snapshot(sheet),
    )
    session.delete(sheet)
    session.flush()


def find_sheet(session: Session, cycle: Cycle, sheet_id: int | None) -> RatingSheet | None:
    if sheet_id is None:
        return None
    return session.scalar(
        select(RatingSheet)
        .where(RatingSheet.id == sheet_id, RatingSheet.cycle_id == cycle.id)
        .with_for_update()
    )


@dataclass(frozen=True)
class Reassigned:
    moved: int
    skipped: int


def reassign(
    session: Session, actor: Actor, cycle: Cycle, from_key: str, to_number: str | None
) -> Reassigned:
    """Hand every sheet of the rater ``from_key`` not yet submitted to another employee (a
    rater who left). A draft's values are cleared: the new rater starts afresh and never
    reads another's opinion. Self sheets, and sheets the new rater has already or that are
    about the new rater, are skipped; a supervisor sheet outside the new rater's units
    refuses the whole change."""
    rater = _employee_by_number(session, to_number, "to")
    _require_editable(actor, cycle)
    sheets = list(
        session.scalars(
            select(RatingSheet)
            .where(
                RatingSheet.cycle_id == cycle.id,
                RatingSheet.rater_key == from_key,
                RatingSheet.status != SheetStatus.SUBMITTED,
            )
            .order_by(RatingSheet.id)
            .with_for_update()
        )
    )
    if not sheets:
        raise Invalid(_l("This rater has no sheet left to hand over."), "from")
    to_key = f"e:{rater.id}"
    if to_key == from_key:
        raise Invalid(_l("Choose someone else."), "to")
    subjects = {
        s.id: s
        for s in session.scalars(
            select(CycleSubject).where(CycleSubject.id.in_({x.cycle_subject_id for x in sheets}))
        )
    }
    has = {
        tuple(row)
        for row in session.execute(
            select(RatingSheet.cycle_subject_id, RatingSheet.source).where(
                RatingSheet.cycle_id == cycle.id, RatingSheet.rater_key == to_key
            )
        )
    }
    org = load_org(session)
    moving, skipped, outside = [], 0, 0
    for sheet in sheets:
        subject = subjects[sheet.cycle_subject_id]
        if (
            sheet.source in (SourceKind.SELF, SourceKind.THIRD_PARTY, SourceKind.CUSTOMER)
            or (sheet.cycle_subject_id, sheet.source) in has
            or subject.employee_id == rater.id
        ):
            skipped += 1
        elif sheet.source == SourceKind.SUPERVISOR and not may_supervise(org, rater.id, subject):
            outside += 1
        else:
            moving.append(sheet)
            has.add((sheet.cycle_subject_id, sheet.source))
    if outside:
        raise Refused(
            _l(
                "%(name)s does not manage the units of %(count)d subjects this rater"
                " supervises: a supervisor rates only within their own units.",
                name=rater.name,
                count=outside,
            ),
            field="to",
        )
    for sheet in moving:
        sheet.rater_key = to_key
        sheet.rater_employee_id = rater.id
        sheet.rater_user_id = None
        sheet.rater_external_id = None
        sheet.values = {}
        sheet.status = SheetStatus.ASSIGNED
        sheet.saved_at = None
    session.flush()
    record(
        session,
        actor=actor.email,
        action="cycle.raters_reassigned",
        record_type="cycle",
        record_id=cycle.id,
        before={"rater_key": from_key},
        after={"rater_key": to_key, "sheets_moved": len(moving), "sheets_skipped": skipped},
    )
    return Reassigned(len(moving), skipped)


# -- third parties -------------------------------------------------------------------------


# A link's token and its stored digest are made in one place (saas/rating/external.py).
token_hash = digest


def add_external(
    session: Session,
    actor: Actor,
    cycle: Cycle,
    *,
    name: str | None,
    organisation: str | None = None,
    unit_id: int | None = None,
) -> tuple[ExternalRater, str]:
    """An outside rater for this cycle only, rating every included subject (or those in the
    unit ``unit_id`` and under it). Returns the rater and the token of their link, which is
    stored only as its SHA-256 digest: show it once."""
    name = " ".join((name or "").split())
    organisation = " ".join((organisation or "").split()) or None
    if not name:
        raise Invalid(_l("Give the rater's name."), "name")
    _require_editable(actor, cycle)
    if SourceKind.THIRD_PARTY not in scheme_sources(session, cycle):
        raise Invalid(_l("This scheme has no third-party source."), "name")
    if len(name) > 100:
        raise Invalid(_l("At most %(count)d characters.", count=100), "name")
    if organisation and len(organisation) > 200:
        raise Invalid(_l("At most %(count)d characters.", count=200), "organisation")
    query = select(CycleSubject.id).where(
        CycleSubject.cycle_id == cycle.id, CycleSubject.included.is_(True)
    )
    if unit_id is not None:
        unit = session.get(OrgUnit, unit_id)
        if unit is None:
            raise Invalid(_l("Choose a unit from the list."), "unit")
        query = query.join(OrgUnit, OrgUnit.id == CycleSubject.unit_id).where(
            OrgUnit.path.startswith(unit.path, autoescape=True)
        )
    subject_ids = list(session.scalars(query.order_by(CycleSubject.id)))
    token, token_digest = make_token()
    rater = ExternalRater(
        cycle_id=cycle.id, name=name, organisation=organisation, token_hash=token_digest
    )
    session.add(rater)
    session.flush()
    key = f"x:{rater.id}"
    rows = [
        _sheet(cycle, subject_id, SourceKind.THIRD_PARTY.value, key, external=rater.id)
        for subject_id in subject_ids
    ]
    if rows:
        session.execute(pg_insert(RatingSheet).on_conflict_do_nothing(), rows)
    record(
        session,
        actor=actor.email,
        action="external_rater.added",
        record_type="external_rater",
        record_id=rater.id,
        after={
            "cycle_id": cycle.id,
            "name": name,
            "organisation": organisation,
            "sheets_added": len(rows),
        },
    )
    return rater, token


def find_external(session: Session, cycle: Cycle, external_id: int | None) -> ExternalRater | None:
    """One third-party rater of this cycle, locked for a change (None for anyone else's)."""
    if external_id is None:
        return None
    return session.scalar(
        select(ExternalRater)
        .where(ExternalRater.id == external_id, ExternalRater.cycle_id == cycle.id)
        .with_for_update()
    )


def revoke_external(session: Session, actor: Actor, cycle: Cycle, rater: ExternalRater) -> bool:
    """Stop a third party's link at once, in any stage: their page answers 410 Gone from
    then on, and the ratings they saved stay. Revoking a revoked link changes nothing and is
    not an error; returns whether this call revoked it."""
    if not actor.can("cycles.manage"):
        raise Refused()
    if rater.revoked_at is not None:
        return False
    rater.revoked_at = utcnow()
    record(
        session,
        actor=actor.email,
        action="cycle.third_party_revoked",
        record_type="cycle",
        record_id=cycle.id,
        after={"name": rater.name, "external_rater_id": rater.id},
    )
    session.flush()
    return True


def new_external_link(session: Session, actor: Actor, cycle: Cycle, rater: ExternalRater) -> str:
    """A fresh link for a third party (a lost or revoked one): the old token stops naming
    anyone, a revoked link works again under its new token. Only while raters change (draft
    or open). Returns the new token, stored only as its digest: show it once."""
    _require_editable(actor, cycle)
    was_revoked = rater.revoked_at is not None
    token, rater.token_hash = make_token()
    rater.revoked_at = None
    record(
        session,
        actor=actor.email,
        action="cycle.third_party_new_link",
        record_type="cycle",
        record_id=cycle.id,
        before={"name": rater.name, "link_revoked": was_revoked},
        after={"name": rater.name, "link_revoked": False, "external_rater_id": rater.id},
    )
    session.flush()
    return token


# -- reading -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SheetRow:
    id: int
    source: str
    status: str
    rater_key: str
    rater_name: str | None
    rater_organisation: str | None
    subject_id: int
    subject_name: str
    subject_number: str | None
    unit_name: str
    has_values: bool


def _rater_joins(query, rater_person):
    return (
        query.outerjoin(rater_person, rater_person.id == RatingSheet.rater_employee_id)
        .outerjoin(User, User.id == RatingSheet.rater_user_id)
        .outerjoin(ExternalRater, ExternalRater.id == RatingSheet.rater_external_id)
    )


def sheet_page(
    session: Session,
    cycle: Cycle,
    scope: Scope,
    *,
    source: str | None = None,
    rater: str | None = None,
    page: int = 1,
) -> Page:
    """One page of the cycle's sheets this user may see (filtered by source and rater):
    two statements."""
    where = [
        RatingSheet.cycle_id == cycle.id,
        CycleSubject.included.is_(True),
        sheet_subject_clause(scope),
    ]
    if source:
        where.append(RatingSheet.source == source)
    if rater:
        where.append(RatingSheet.rater_key == rater)
    total = (
        session.scalar(
            select(func.count())
            .select_from(RatingSheet)
            .join(CycleSubject, CycleSubject.id == RatingSheet.cycle_subject_id)
            .where(*where)
        )
        or 0
    )
    page = page_within(total, page)
    person, rater_person = aliased(Employee), aliased(Employee)
    query = (
        select(
            RatingSheet.id,
            RatingSheet.source,
            RatingSheet.status,
            RatingSheet.rater_key,
            func.coalesce(rater_person.name, User.name, ExternalRater.name).label("rater_name"),
            ExternalRater.organisation.label("rater_organisation"),
            CycleSubject.id.label("subject_id"),
            func.coalesce(person.name, OrgUnit.name).label("subject_name"),
            person.number.label("subject_number"),
            OrgUnit.name.label("unit_name"),
            (RatingSheet.values != {}).label("has_values"),
        )
        .select_from(RatingSheet)
        .join(CycleSubject, CycleSubject.id == RatingSheet.cycle_subject_id)
        .join(OrgUnit, OrgUnit.id == CycleSubject.unit_id)
        .outerjoin(person, person.id == CycleSubject.employee_id)
    )
    rows = session.execute(
        _rater_joins(query, rater_person)
        .where(*where)
        .order_by(OrgUnit.path, person.number, CycleSubject.id, RatingSheet.source, RatingSheet.id)
        .limit(PER_PAGE)
        .offset((page - 1) * PER_PAGE)
    )
    return Page([SheetRow(**row._mapping) for row in rows], total, page)


def rater_options(session: Session, cycle: Cycle, scope: Scope, limit: int = 1000) -> list[Any]:
    """(rater key, name, sheets) of the cycle's raters, for the filter and the hand-over."""
    rater_person = aliased(Employee)
    query = (
        select(
            RatingSheet.rater_key,
            func.min(func.coalesce(rater_person.name, User.name, ExternalRater.name)).label("name"),
            func.count().label("sheets"),
        )
        .select_from(RatingSheet)
        .join(CycleSubject, CycleSubject.id == RatingSheet.cycle_subject_id)
    )
    return list(
        session.execute(
            _rater_joins(query, rater_person)
            .where(RatingSheet.cycle_id == cycle.id, sheet_subject_clause(scope))
            .group_by(RatingSheet.rater_key)
            .order_by(func.min(func.coalesce(rater_person.name, User.name, ExternalRater.name)))
            .limit(limit)
        )
    )


def external_raters(session: Session, cycle: Cycle) -> list[ExternalRater]:
    return list(
        session.scalars(
            select(ExternalRater)
            .where(ExternalRater.cycle_id == cycle.id)
            .order_by(ExternalRater.id)
        )
    )
