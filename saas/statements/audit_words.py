"""How the audit log words what the statements area records (see saas/audit/vocabulary.py)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from saas.audit.vocabulary import HASH, Record, Words, names_by_id
from saas.models.statement import Statement

WORDS = Words(
    actions={"statement.issued": _l("Statement issued")},
    records={
        "statement": Record(
            _l("Statement"),
            fields={
                "serial": _l("Serial number"),
                "kind": _l("Kind"),
                "user_id": _l("Account"),
                "sha256": _l("Fingerprint (SHA-256)"),
            },
            values={"kind": {"sample": _l("sample statement")}},
            references={"user_id": "user"},
            formats={"sha256": HASH},
            names=lambda session, ids: names_by_id(session, Statement.id, Statement.serial, ids),
        ),
    },
)
