"""How the audit log words what the ledger records (see saas/audit/vocabulary.py)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from saas.audit.vocabulary import DATE, HASH, Record, Words

KIND_LABELS = {"employee": _l("person"), "unit": _l("unit"), "provider": _l("provider")}
SOURCE_LABELS = {
    "internal": _l("internal"),
    "customer": _l("customer"),
    "inspection": _l("inspection"),
}
VALIDITY_LABELS = {
    "pending": _l("pending decision"),
    "valid": _l("valid"),
    "invalid": _l("invalid"),
}

WORDS = Words(
    actions={
        "ledger.entry.add": _l("Ledger entry added"),
        "ledger.entry.decide": _l("Ledger entry decided"),
        "ledger.entry.redecide": _l("Ledger entry decision changed"),
        "ledger.entry.withdraw": _l("Ledger entry withdrawn"),
        "ledger.entry.attach": _l("File added to a ledger entry"),
        "ledger.entry.import": _l("Ledger entry imported from Excel"),
    },
    records={
        "ledger_entry": Record(
            _l("Ledger entry"),
            fields={
                "kind": _l("Subject kind"),
                "employee_id": _l("Person"),
                "unit_id": _l("Unit"),
                "on": _l("Date"),
                "event": _l("Event"),
                "label": _l("What happened"),
                "points": _l("Points"),
                "fine": _l("Fine"),
                "note": _l("Note"),
                "source": _l("Entry source"),
                "validity": _l("Validity"),
                "decision_reason": _l("Reason for the decision"),
                "withdrawn_reason": _l("Reason for withdrawing"),
                "file": _l("File"),
                "file_sha256": _l("File digest (SHA-256)"),
            },
            values={"kind": KIND_LABELS, "source": SOURCE_LABELS, "validity": VALIDITY_LABELS},
            references={"unit_id": "org_unit", "employee_id": "employee"},
            formats={"on": DATE, "file_sha256": HASH},
        ),
    },
)
