"""How the audit log words what the people area records (see saas/audit/vocabulary.py)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from saas.audit.vocabulary import DATE, Record, Words, names_by_id, numeric_ids
from saas.models.eligibility import EligibilityRule
from saas.models.org import PositionLevel
from saas.models.people import Employee
from saas.people.eligibility import KIND_LABELS as RULE_KIND_LABELS
from saas.people.employees import STATUS_LABELS


def _employee_names(session, ids) -> dict[str, str]:
    rows = session.execute(
        select(Employee.id, Employee.number, Employee.name).where(Employee.id.in_(numeric_ids(ids)))
    )
    return {str(row.id): f"{row.name} ({row.number})" for row in rows}


def _rule_names(session, ids) -> dict[str, str]:
    rows = session.execute(
        select(EligibilityRule.id, EligibilityRule.value, PositionLevel.name)
        .outerjoin(PositionLevel, PositionLevel.id == EligibilityRule.position_level_id)
        .where(EligibilityRule.id.in_(numeric_ids(ids)))
    )
    return {str(row.id): row.value or row.name for row in rows if row.value or row.name}


WORDS = Words(
    actions={
        "employee.created": _l("Employee added"),
        "employee.updated": _l("Employee changed"),
        "position_level.created": _l("Position level added"),
        "position_level.updated": _l("Position level changed"),
        "position_level.deleted": _l("Position level deleted"),
        "eligibility_rule.created": _l("Eligibility rule added"),
        "eligibility_rule.deleted": _l("Eligibility rule deleted"),
    },
    records={
        "employee": Record(
            _l("Employee"),
            fields={
                "number": _l("Employee number"),
                "unit": _l("Unit"),
                "unit_code": _l("Unit code"),
                "position": _l("Position"),
                "position_level": _l("Position level"),
                "employment_form": _l("Employment form"),
                # The employee's manager; the role "Manager" is another word.
                "manager": _l("Reports to"),
                "manager_number": _l("Reports to"),
                "hire_date": _l("Hire date"),
                "account": _l("Account"),
                "mobile": _l("Mobile number"),
            },
            values={"status": STATUS_LABELS},
            formats={"hire_date": DATE},
            # Each id is stored beside the name a reader knows it by.
            hidden=frozenset({"unit_id", "position_level_id", "manager_id"}),
            names=_employee_names,
        ),
        "position_level": Record(
            _l("Position level"),
            fields={"rank": _l("Rank")},
            names=lambda session, ids: names_by_id(
                session, PositionLevel.id, PositionLevel.name, ids
            ),
        ),
        "eligibility_rule": Record(
            _l("Eligibility rule"),
            fields={
                "kind": _l("Excluded by"),
                "position_level": _l("Position level"),
                "value": _l("Value"),
            },
            values={"kind": RULE_KIND_LABELS},
            hidden=frozenset({"position_level_id"}),
            names=_rule_names,
        ),
    },
)
