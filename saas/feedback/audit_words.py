"""How the audit log words what customer feedback records (see saas/audit/vocabulary.py).
A submission itself is logged as the ledger entry it becomes (actor "customer feedback")."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from saas.audit.vocabulary import MOMENT, Record, Words

LINK_KINDS = {"employee": _l("person"), "unit": _l("unit")}

WORDS = Words(
    actions={
        "feedback.link.make": _l("Feedback link made"),
        "feedback.link.revoke": _l("Feedback link revoked"),
    },
    records={
        "feedback_link": Record(
            _l("Feedback link"),
            fields={
                "kind": _l("Subject kind"),
                "employee_id": _l("Person"),
                "unit_id": _l("Unit"),
                "printed": _l("Made for printed cards"),
                "revoked_at": _l("Revoked at"),
            },
            values={"kind": LINK_KINDS},
            references={"unit_id": "org_unit", "employee_id": "employee"},
            formats={"revoked_at": MOMENT},
        ),
    },
)
