"""How the audit log words what the organisation area records (see saas/audit/vocabulary.py)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from saas.audit.vocabulary import COUNT, MOMENT, Record, Words, names_by_id
from saas.models.org import OrgUnit
from saas.org.units import KIND_LABELS

WORDS = Words(
    actions={
        "unit.created": _l("Unit added"),
        "unit.updated": _l("Unit changed"),
        "unit.moved": _l("Unit moved"),
        "unit.archived": _l("Unit archived"),
        "unit.restored": _l("Unit restored"),
    },
    records={
        "org_unit": Record(
            _l("Unit"),
            fields={
                "kind": _l("Kind"),
                "category": _l("Category"),
                "parent_id": _l("Parent unit"),
                "parent_code": _l("Parent unit code"),
                "manager_id": _l("Manager"),
                "manager_number": _l("Manager"),
                "archived_at": _l("Archived"),
                "units": _l("Units included"),
                "units_moved": _l("Units moved with it"),
            },
            values={"kind": KIND_LABELS},
            references={"parent_id": "org_unit", "manager_id": "employee"},
            formats={"archived_at": MOMENT, "units": COUNT},
            hidden=frozenset({"path", "position"}),
            names=lambda session, ids: names_by_id(session, OrgUnit.id, OrgUnit.name, ids),
        ),
    },
)
