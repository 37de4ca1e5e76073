"""How the audit log words what scoring runs record (see saas/audit/vocabulary.py)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from saas.audit.vocabulary import HASH, Record, Words, names_by_id
from saas.models.cycle import ScoringRun

WORDS = Words(
    actions={
        "scoring_run.start": _l("Scoring run started"),
        "scoring_run.finish": _l("Scoring run finished"),
        "scoring_run.fail": _l("Scoring run failed"),
    },
    records={
        "scoring_run": Record(
            _l("Scoring run"),
            fields={
                "cycle_id": _l("Cycle"),
                "number": _l("Run number"),
                "subjects": _l("Subjects scored"),
                "fingerprint": _l("Inputs fingerprint"),
                "error": _l("Error"),
            },
            values={
                "status": {
                    "running": _l("running"),
                    "finished": _l("finished"),
                    "failed": _l("failed"),
                }
            },
            formats={"fingerprint": HASH},
            names=lambda session, ids: names_by_id(session, ScoringRun.id, ScoringRun.number, ids),
        ),
    },
)
