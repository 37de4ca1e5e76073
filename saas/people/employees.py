"""Employees: create and change them within the user's scope, and find them in a list.

Every rule a person could break is checked here, not in the form, so the same rules hold for
the web form, a spreadsheet import or a later API: employee numbers are unique per tenant,
the unit must be one the user may write to (and not archived), and a manager chain never
loops. Every change writes an audit row with the changed fields before → after.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from saas.auth.permissions import Actor, Refused
from saas.models.audit import record
from saas.models.org import OrgUnit, PositionLevel
from saas.models.people import Employee, EmployeeStatus
from saas.models.user import User
from saas.org.access import Scope
from saas.paging import PER_PAGE, Page, page_within
from saas.people.contacts import BadContact, normalise_email, normalise_mobile
from saas.people.names import pinyin_initials
from saas.validation import Invalid, page_number, record_id

# Suggestions only: the field is free text, because forms of employment differ by client.
EMPLOYMENT_FORMS = ("正式员工", "合同制", "劳务派遣", "临时工", "实习生", "外包人员")

STATUS_LABELS = {
    EmployeeStatus.ACTIVE: _l("Active"),
    EmployeeStatus.ON_LEAVE: _l("On leave"),
    EmployeeStatus.LEFT: _l("Left"),
}


@dataclass(frozen=True)
class EmployeeData:
    """What a user sets on an employee; ids, not objects, so any caller can build it."""

    number: str
    name: str
    unit_id: int | None
    position: str | None = None
    position_level_id: int | None = None
    employment_form: str | None = None
    manager_id: int | None = None
    hire_date: dt.date | None = None
    status: str = EmployeeStatus.ACTIVE
    mobile: str | None = None
    email: str | None = None

    def cleaned(self) -> EmployeeData:
        return replace(
            self,
            number=(self.number or "").strip(),
            name=" ".join((self.name or "").split()),
            position=_blank_to_none(self.position),
            employment_form=_blank_to_none(self.employment_form),
            mobile=_normalised(self.mobile, normalise_mobile),
            email=_normalised(self.email, normalise_email),
        )


def _blank_to_none(value: str | None) -> str | None:
    value = " ".join((value or "").split())
    return value or None


def _normalised(value: str | None, normalise) -> str | None:
    """The stored form of a contact; one that cannot be read stays as typed, and the check
    reports it."""
    value = _blank_to_none(value)
    if value is None:
        return None
    try:
        return normalise(value)
    except BadContact:
        return value


# -- changing employees -------------------------------------------------------------------


def create_employee(session: Session, actor: Actor, data: EmployeeData) -> Employee:
    """Add an employee; raises Invalid (nothing written) when a rule is broken."""
    data = data.cleaned()
    _raise_if_invalid(_check(session, actor.scope, data, None))
    employee = Employee(initials=pinyin_initials(data.name))
    _apply(employee, data)
    session.add(employee)
    _flush(session, data.number)
    record(
        session,
        actor=actor.email,
        action="employee.created",
        record_type="employee",
        record_id=employee.id,
        after=snapshot(session, employee),
    )
    return employee


def update_employee(
    session: Session, actor: Actor, employee: Employee, data: EmployeeData
) -> Employee:
    """Change an employee the user may write (else Refused); audits only the fields that
    changed."""
    current_unit = session.get(OrgUnit, employee.unit_id)
    if current_unit is None or not actor.scope.can_write_in_unit_path(current_unit.path):
        raise Refused()
    data = data.cleaned()
    _raise_if_invalid(_check(session, actor.scope, data, employee))
    before = snapshot(session, employee)
    if data.name != employee.name:
        employee.initials = pinyin_initials(data.name)
    _apply(employee, data)
    _sync_account_email(session, employee)
    _flush(session, data.number)
    after = snapshot(session, employee)
    changed = [key for key in after if after[key] != before.get(key)]
    if changed:
        record(
            session,
            actor=actor.email,
            action="employee.updated",
            record_type="employee",
            record_id=employee.id,
            before={key: before.get(key) for key in changed},
            after={key: after[key] for key in changed},
        )
    return employee


def _apply(employee: Employee, data: EmployeeData) -> None:
    for item in fields(data):
        setattr(employee, item.name, getattr(data, item.name))


def _sync_account_email(session: Session, employee: Employee) -> None:
    """A linked account logs in and gets its mail at the person's e-mail address."""
    if employee.user_id is None:
        return
    user = session.get(User, employee.user_id)
    if user is not None and user.email != employee.email:
        user.email = employee.email


# Two users saving the same new value at once: the second one gets the check's message.
_CLASHES = {
    "uq_employee_number": "number",
    "uq_employee_mobile": "mobile",
    "uq_employee_email": "email",
    "uq_user_account_email": "email",
}


def _flush(session: Session, number: str) -> None:
    try:
        session.flush()
    except IntegrityError as exc:
        constraint = getattr(getattr(exc.orig, "diag", None), "constraint_name", "")
        if constraint == "uq_employee_number":
            raise Invalid(_duplicate_number(number), "number") from None
        if constraint in _CLASHES:
            raise Invalid(_CONTACT_TAKEN[_CLASHES[constraint]], _CLASHES[constraint]) from None
        raise


def snapshot(session: Session, employee: Employee) -> dict[str, Any]:
    """A JSON-able picture for the audit log: ids with the names a reader recognises."""
    unit = session.get(OrgUnit, employee.unit_id) if employee.unit_id else None
    level_id = employee.position_level_id
    level = session.get(PositionLevel, level_id) if level_id else None
    manager = session.get(Employee, employee.manager_id) if employee.manager_id else None
    return {
        "number": employee.number,
        "name": employee.name,
        "unit_id": employee.unit_id,
        "unit": unit.name if unit else None,
        "position": employee.position,
        "position_level_id": employee.position_level_id,
        "position_level": level.name if level else None,
        "employment_form": employee.employment_form,
        "manager_id": employee.manager_id,
        "manager": f"{manager.number} {manager.name}" if manager else None,
        "hire_date": employee.hire_date.isoformat() if employee.hire_date else None,
        "status": employee.status,
        "mobile": employee.mobile,
        "email": employee.email,
    }


# -- the rules ----------------------------------------------------------------------------


def _duplicate_number(number: str):
    return _l("Employee number %(number)s is already in use.", number=number)


def _raise_if_invalid(errors: dict[str, list[Any]]) -> None:
    if errors:
        raise Invalid.many(errors)


def check_employee(
    session: Session, scope: Scope, data: EmployeeData, employee: Employee | None = None
) -> dict[str, list[Any]]:
    """Every broken rule, by field, without writing anything (empty when all is well)."""
    return _check(session, scope, data.cleaned(), employee)


def _check(
    session: Session, scope: Scope, data: EmployeeData, employee: Employee | None
) -> dict[str, list[Any]]:
    errors: dict[str, list[Any]] = {}

    def add(name: str, message: Any) -> None:
        errors.setdefault(name, []).append(message)

    _check_texts(data, add)
    if data.number and _number_taken(session, data.number, employee):
        add("number", _duplicate_number(data.number))
    if employee is None or data.unit_id != employee.unit_id:
        _check_unit(session, scope, data.unit_id, add)
    if data.position_level_id is not None and not session.get(
        PositionLevel, data.position_level_id
    ):
        add("position_level_id", _l("Choose a position level from the list."))
    if data.status not in set(EmployeeStatus):
        add("status", _l("Choose a status from the list."))
    if data.manager_id is not None and (employee is None or data.manager_id != employee.manager_id):
        _check_manager(session, scope, data.manager_id, employee, add)
    _check_contacts(session, data, employee, add)
    return errors


_BAD_CONTACT = {
    "mobile": _l("Enter a mainland mobile number of 11 digits, e.g. 138 0013 8000."),
    "email": _l("Enter an e-mail address like name@example.com."),
}
_CONTACT_TAKEN = {
    "mobile": _l("Another person already has this mobile number."),
    "email": _l("Another person or account already has this e-mail address."),
}


def _check_contacts(session: Session, data: EmployeeData, employee: Employee | None, add) -> None:
    """Each contact readable, and nobody else's: it is also a login."""
    own_id = employee.id if employee is not None else None
    own_user = employee.user_id if employee is not None else None
    for name, normalise in (("mobile", normalise_mobile), ("email", normalise_email)):
        value = getattr(data, name)
        if value is None:
            continue
        try:
            readable = normalise(value) == value
        except BadContact:
            readable = False
        if not readable:
            add(name, _BAD_CONTACT[name])
        elif contact_taken(session, name, value, own_id, own_user):
            add(name, _CONTACT_TAKEN[name])


def contact_taken(
    session: Session, name: str, value: str, employee_id: int | None, user_id: int | None
) -> bool:
    """Does another employee (or, for an e-mail, another account) have this contact?"""
    column = Employee.mobile if name == "mobile" else Employee.email
    query = select(Employee.id).where(column == value)
    if employee_id is not None:
        query = query.where(Employee.id != employee_id)
    if session.scalar(query.limit(1)) is not None:
        return True
    if name != "email":
        return False
    accounts = select(User.id).where(func.lower(User.email) == value)
    if user_id is not None:
        accounts = accounts.where(User.id != user_id)
    return session.scalar(accounts.limit(1)) is not None


def _check_texts(data: EmployeeData, add) -> None:
    limits = {"number": 40, "name": 100, "position": 100, "employment_form": 40}
    if not data.number:
        add("number", _l("Enter the employee number."))
    if not data.name:
        add("name", _l("Enter the name."))
    for name, limit in limits.items():
        if len(getattr(data, name) or "") > limit:
            add(name, _l("At most %(count)d characters.", count=limit))
    if data.hire_date is not None and not dt.date(1900, 1, 1) <= data.hire_date <= _latest_hire():
        add("hire_date", _l("Enter a hire date between 1900 and next year."))


def _latest_hire() -> dt.date:
    today = dt.date.today()
    return today.replace(year=today.year + 1, month=12, day=31)


def _number_taken(session: Session, number: str, employee: Employee | None) -> bool:
    query = select(Employee.id).where(Employee.number == number)
    if employee is not None:
        query = query.where(Employee.id != employee.id)
    return session.scalar(query.limit(1)) is not None


def _check_unit(session: Session, scope: Scope, unit_id: int | None, add) -> None:
    if unit_id is None:
        add("unit_id", _l("Choose a unit."))
        return
    unit = session.scalar(
        select(OrgUnit).where(OrgUnit.id == unit_id, scope.writable_unit_clause())
    )
    if unit is None:
        add("unit_id", _l("Choose one of the units you manage."))
    elif unit.archived_at is not None:
        add("unit_id", _l("Unit %(unit)s is archived; choose another.", unit=unit.name))


def _check_manager(
    session: Session, scope: Scope, manager_id: int, employee: Employee | None, add
) -> None:
    manager = session.scalar(
        select(Employee).where(Employee.id == manager_id, scope.employee_clause())
    )
    if manager is None:
        add("manager_id", _l("No such employee."))
    elif employee is not None and manager.id == employee.id:
        add("manager_id", _l("An employee cannot be their own manager."))
    elif manager.status == EmployeeStatus.LEFT:
        add("manager_id", _l("%(name)s has left; choose a current employee.", name=manager.name))
    elif employee is not None and _manages(session, employee.id, manager.id):
        add(
            "manager_id",
            _l(
                "%(manager)s reports to %(name)s (directly or indirectly): that would make a "
                "circle of managers.",
                manager=manager.name,
                name=employee.name,
            ),
        )


def _manages(session: Session, boss_id: int, employee_id: int) -> bool:
    """Is ``employee_id`` managed by ``boss_id``, directly or through a chain of managers?"""
    chain = (
        select(Employee.id, Employee.manager_id)
        .where(Employee.id == employee_id)
        .cte("chain", recursive=True)
    )
    # UNION (not UNION ALL) ends the walk even if bad data already holds a loop.
    chain = chain.union(
        select(Employee.id, Employee.manager_id).join(chain, Employee.id == chain.c.manager_id)
    )
    return bool(session.scalar(select(func.count()).where(chain.c.manager_id == boss_id)))


# -- looking people up --------------------------------------------------------------------


def find_by_number(session: Session, scope: Scope, number: str) -> Employee | None:
    """An employee the user may see, by exact employee number."""
    return session.scalar(
        select(Employee).where(Employee.number == number.strip(), scope.employee_clause())
    )


def visible_employee(session: Session, scope: Scope, employee_id: int) -> Employee | None:
    return session.scalar(
        select(Employee).where(Employee.id == employee_id, scope.employee_clause())
    )


def suggestions(session: Session, scope: Scope, text: str, limit: int = 15) -> list[Any]:
    """A few people matching ``text``, for picking a manager as one types."""
    text = text.strip()[:50]
    if not text:
        return []
    return list(
        session.execute(
            select(Employee.number, Employee.name, OrgUnit.name.label("unit_name"))
            .join(OrgUnit, Employee.unit_id == OrgUnit.id)
            .where(_matches(text), scope.employee_clause(), Employee.status != EmployeeStatus.LEFT)
            .order_by(Employee.number)
            .limit(limit)
        )
    )


@dataclass(frozen=True)
class EmployeeQuery:
    """The list's search, filters and page: everything lives in the query string."""

    q: str = ""
    unit: int | None = None
    status: str = ""
    page: int = 1

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> EmployeeQuery:
        """Tolerant: a hand-edited URL with nonsense in it still shows a list."""
        unit, page = args.get("unit", ""), args.get("page", "")
        status = args.get("status", "")
        return cls(
            q=" ".join(args.get("q", "").split())[:100],
            unit=record_id(unit),
            status=status if status in set(EmployeeStatus) else "",
            page=page_number(page),
        )

    def args(self, **changes: Any) -> dict[str, Any]:
        """Query-string arguments for a link, leaving out the empty ones."""
        values = {"q": self.q, "unit": self.unit, "status": self.status, "page": self.page}
        values.update(changes)
        return {k: v for k, v in values.items() if v not in ("", None) and (k, v) != ("page", 1)}

    @property
    def filtered(self) -> bool:
        return bool(self.q or self.unit or self.status)


@dataclass(frozen=True)
class EmployeeRow:
    id: int
    number: str
    name: str
    position: str | None
    employment_form: str | None
    status: str
    hire_date: dt.date | None
    unit_id: int
    unit_name: str
    level_name: str | None
    has_account: bool


def search_employees(session: Session, scope: Scope, query: EmployeeQuery) -> Page:
    """One page of the people this user may see: two statements, whatever the page size."""
    conditions = _conditions(scope, query)
    total = session.scalar(
        select(func.count())
        .select_from(Employee)
        .join(OrgUnit, Employee.unit_id == OrgUnit.id)
        .where(*conditions)
    )
    page = page_within(total or 0, query.page)
    rows = session.execute(
        select(
            Employee.id,
            Employee.number,
            Employee.name,
            Employee.position,
            Employee.employment_form,
            Employee.status,
            Employee.hire_date,
            Employee.unit_id,
            OrgUnit.name.label("unit_name"),
            PositionLevel.name.label("level_name"),
            Employee.user_id.is_not(None).label("has_account"),
        )
        .join(OrgUnit, Employee.unit_id == OrgUnit.id)
        .outerjoin(PositionLevel, Employee.position_level_id == PositionLevel.id)
        .where(*conditions)
        .order_by(Employee.number, Employee.id)
        .limit(PER_PAGE)
        .offset((page - 1) * PER_PAGE)
    )
    return Page([EmployeeRow(**row._mapping) for row in rows], total or 0, page)


def _conditions(scope: Scope, query: EmployeeQuery) -> list[ColumnElement[bool]]:
    conditions = [scope.employee_clause()]
    if query.q:
        conditions.append(_matches(query.q))
    if query.status:
        conditions.append(Employee.status == query.status)
    if query.unit:
        # The chosen unit and everything under it: its path is a prefix of theirs.
        chosen = select(OrgUnit.path).where(OrgUnit.id == query.unit).scalar_subquery()
        conditions.append(OrgUnit.path.startswith(chosen))
    return conditions


def _matches(text: str) -> ColumnElement[bool]:
    """Name contains the text, or the number, the pinyin initials or the mobile number start
    with it."""
    options = [
        Employee.name.icontains(text, autoescape=True),
        Employee.number.istartswith(text, autoescape=True),
    ]
    compact = text.replace(" ", "").lower()
    if compact.isascii() and compact.isalpha():
        options.append(Employee.initials.startswith(compact, autoescape=True))
    if compact.isascii() and compact.isdigit():
        options.append(Employee.mobile.startswith(compact, autoescape=True))
    return or_(*options)


def unit_choices(session: Session, clause: ColumnElement[bool]) -> list[tuple[int, str]]:
    """Units matching ``clause`` (not archived) in tree order, indented by depth, for a select."""
    units = session.execute(
        select(OrgUnit.id, OrgUnit.parent_id, OrgUnit.name, OrgUnit.position, OrgUnit.path).where(
            clause, OrgUnit.archived_at.is_(None)
        )
    ).all()
    present = {unit.id for unit in units}
    children: dict[int | None, list[Any]] = {}
    for unit in units:
        # A manager's subtree starts below units they cannot see: those are their roots.
        parent = unit.parent_id if unit.parent_id in present else None
        children.setdefault(parent, []).append(unit)
    result: list[tuple[int, str]] = []

    def walk(parent: int | None, depth: int) -> None:
        for unit in sorted(children.get(parent, []), key=lambda u: (u.position, u.name, u.id)):
            # Ideographic spaces survive in an <option>; ASCII spaces would collapse.
            result.append((unit.id, "\u3000" * depth + unit.name))
            walk(unit.id, depth + 1)

    walk(None, 0)
    return result


@dataclass
class Profile:
    """Everything the profile page shows, loaded in a handful of queries."""

    employee: Employee
    unit: OrgUnit
    ancestors: list[OrgUnit]
    level: PositionLevel | None
    manager: Employee | None
    manager_visible: bool
    reports: list[Employee]
    account: User | None
    writable: bool


def employee_profile(session: Session, scope: Scope, employee_id: int) -> Profile | None:
    """The profile of an employee the user may see; None (→ 404) for anyone else."""
    employee = visible_employee(session, scope, employee_id)
    if employee is None:
        return None
    unit = session.get(OrgUnit, employee.unit_id)
    ancestors = sorted(
        session.scalars(select(OrgUnit).where(OrgUnit.id.in_(unit.ancestor_ids))),
        key=lambda u: len(u.path),
    )
    manager = session.get(Employee, employee.manager_id) if employee.manager_id else None
    reports = session.scalars(
        select(Employee)
        .where(Employee.manager_id == employee.id, scope.employee_clause())
        .order_by(Employee.number)
    )
    return Profile(
        employee=employee,
        unit=unit,
        ancestors=ancestors,
        level=session.get(PositionLevel, employee.position_level_id)
        if employee.position_level_id
        else None,
        manager=manager,
        manager_visible=manager is not None
        and visible_employee(session, scope, manager.id) is not None,
        reports=list(reports),
        account=session.get(User, employee.user_id) if employee.user_id else None,
        writable=scope.can_write_in_unit_path(unit.path),
    )
