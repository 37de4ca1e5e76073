"""How the audit log words what the cycles area records (see saas/audit/vocabulary.py)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from saas.audit.vocabulary import COUNT, DATE, Record, Words, names_by_id
from saas.models.cycle import Cycle, ExternalRater
from saas.rating.audit_words import SOURCE_LABELS as SOURCES

CYCLE_STATUS = {
    "draft": _l("draft"),
    "open": _l("open for ratings"),
    "scoring": _l("scoring"),
    "review": _l("in review"),
    "published": _l("published"),
    "closed": _l("closed"),
}
ORIGINS = {
    "eligible": _l("chosen by the rules"),
    "added": _l("added by an admin"),
    "kept": _l("kept by an admin"),
}
SHEET_STATUS = {"assigned": _l("Not started"), "draft": _l("Draft"), "submitted": _l("Submitted")}
YES_NO = {True: _l("yes"), False: _l("no")}


def _reasons(value, _row) -> str:
    from saas.cycles.subjects import reason_texts

    if not isinstance(value, list):
        return str(value)
    return "; ".join(str(text) for text in reason_texts(value))


WORDS = Words(
    actions={
        "cycle.created": _l("Cycle created"),
        "cycle.changed": _l("Cycle changed"),
        "cycle.moved": _l("Cycle moved to another stage"),
        "cycle.subjects_chosen": _l("Cycle subjects chosen"),
        "cycle.raters_generated": _l("Raters generated"),
        "cycle.raters_reassigned": _l("Rater's sheets handed over"),
        "cycle_subject.added": _l("Subject added"),
        "cycle_subject.included": _l("Subject included again or kept"),
        "cycle_subject.removed": _l("Subject removed"),
        "cycle.rater_assigned": _l("Rater assigned"),
        "cycle.rater_removed": _l("Rater removed"),
        "external_rater.added": _l("Third-party rater added"),
        "cycle.third_party_revoked": _l("Third party's rating link revoked"),
        "cycle.third_party_new_link": _l("Third party given a new rating link"),
    },
    records={
        "cycle": Record(
            _l("Cycle"),
            fields={
                "scheme_version_id": _l("Scheme version"),
                "period": _l("Period"),
                "subject_kind": _l("Who is assessed"),
                "rating_due": _l("Ratings due"),
                "peer_count": _l("Peers per subject"),
                "left_excluded": _l("Subjects excluded for having left"),
                "included": _l("Subjects included"),
                "excluded": _l("Subjects excluded"),
                "sheets_added": _l("Sheets added"),
                "subjects": _l("Subjects"),
                "rater_key": _l("Rater"),
                "sheets_moved": _l("Sheets handed over"),
                "sheets_skipped": _l("Sheets skipped"),
                "rating_sheet_id": _l("Rating sheet"),
                "cycle_subject_id": _l("Subject"),
                "source": _l("Source"),
                "sheet_status": _l("Sheet status"),
                "link_revoked": _l("Link revoked"),
                "external_rater_id": _l("Third-party rater"),
            },
            values={
                "status": CYCLE_STATUS,
                "link_revoked": YES_NO,
                "sheet_status": SHEET_STATUS,
                "source": SOURCES,
                "subject_kind": {
                    "employee": _l("employees"),
                    "unit": _l("units"),
                    "provider": _l("providers"),
                },
            },
            formats={
                "rating_due": DATE,
                "left_excluded": COUNT,
                "sheets_added": lambda value, _row: (
                    ", ".join(f"{SOURCES.get(k, k)} {n}" for k, n in value.items())
                    if isinstance(value, dict)
                    else str(value)
                ),
            },
            hidden=frozenset(
                {"scheme_version_id", "rating_sheet_id", "cycle_subject_id", "external_rater_id"}
            ),
            names=lambda session, ids: names_by_id(session, Cycle.id, Cycle.name, ids),
        ),
        "cycle_subject": Record(
            _l("Cycle subject"),
            fields={
                "cycle_id": _l("Cycle"),
                "employee_id": _l("Employee"),
                "unit_id": _l("Unit"),
                "included": _l("Assessed"),
                "origin": _l("How it entered"),
                "excluded_because": _l("Excluded because"),
                "sheets_deleted": _l("Unstarted sheets deleted"),
            },
            values={"origin": ORIGINS, "included": YES_NO},
            references={"cycle_id": "cycle", "employee_id": "employee", "unit_id": "org_unit"},
            formats={"excluded_because": _reasons},
        ),
        "external_rater": Record(
            _l("Third-party rater"),
            fields={
                "cycle_id": _l("Cycle"),
                "organisation": _l("Rater's organisation"),
                "sheets_added": _l("Sheets added"),
            },
            references={"cycle_id": "cycle"},
            names=lambda session, ids: names_by_id(
                session, ExternalRater.id, ExternalRater.name, ids
            ),
        ),
    },
)
