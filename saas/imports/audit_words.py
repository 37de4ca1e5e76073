"""How the audit log words what the imports area records (see saas/audit/vocabulary.py).

The rows an import writes for each unit and employee are the org and people areas' own
("unit.created", "employee.updated"), in the columns of the file.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from saas.audit.vocabulary import Record, Words, names_by_id
from saas.imports.messages import KIND_LABELS
from saas.models.imports import ImportBatch


def counts_text(counts: Any, _context: Mapping[str, Any] | None = None) -> str:
    """{"units": {"new": 2, "changed": 1, …}, …} as "Units: 2 new, 1 changed"."""
    if not isinstance(counts, dict):
        return str(counts)
    parts = []
    for kind, numbers in counts.items():
        if not isinstance(numbers, dict) or not (numbers.get("new") or numbers.get("changed")):
            continue
        parts.append(
            _(
                "%(kind)s: %(new)s new, %(changed)s changed",
                kind=KIND_LABELS.get(kind, kind),
                new=numbers.get("new", 0),
                changed=numbers.get("changed", 0),
            )
        )
    return "; ".join(parts) or _("nothing new or changed")


WORDS = Words(
    actions={"import.committed": _l("Spreadsheet imported")},
    records={
        "import_batch": Record(
            _l("Import"),
            fields={"filename": _l("File"), "rows": _l("Rows"), "counts": _l("Result")},
            formats={"counts": counts_text},
            names=lambda session, ids: names_by_id(
                session, ImportBatch.id, ImportBatch.filename, ids
            ),
        ),
    },
)
