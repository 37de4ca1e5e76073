"""How the audit log, and the inspection pages, word what inspections record."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from saas.audit.vocabulary import DATE, HASH, Record, Words

METHOD_LABELS = {
    "inspection": _l("Inspection (检查)"),
    "spot_check": _l("Spot check (抽查)"),
    "mystery": _l("Mystery visit (暗访)"),
}
STATUS_LABELS = {
    "planned": _l("Planned"),
    "in_progress": _l("In progress"),
    "done": _l("Done"),
    "cancelled": _l("Cancelled"),
}
EVERY_LABELS = {"week": _l("Every week"), "month": _l("Every month")}
YES_NO = {True: _l("yes"), False: _l("no")}

WORDS = Words(
    actions={
        "inspection.plan": _l("Inspection planned"),
        "inspection.start": _l("Inspection started"),
        "inspection.finish": _l("Inspection finished"),
        "inspection.cancel": _l("Inspection cancelled"),
        "inspection.report": _l("Inspection report signed"),
        "inspection_schedule.add": _l("Inspection schedule added"),
        "inspection_schedule.end": _l("Inspection schedule ended"),
        "inspection_schedule.materialise": _l("Scheduled inspection planned"),
    },
    records={
        "inspection": Record(
            _l("Inspection"),
            fields={
                "unit_id": _l("Unit"),
                "version_id": _l("Checklist version"),
                "method": _l("Method"),
                "unannounced": _l("Unannounced"),
                "planned_on": _l("Date"),
                "inspector_id": _l("Inspector"),
                "schedule_id": _l("Schedule"),
                "cancelled_reason": _l("Reason for cancelling"),
                "score": _l("Score"),
                "band": _l("Band"),
                "failed": _l("Failed items"),
                "not_applicable": _l("Items not applicable"),
                "onsite_name": _l("Signed on site by"),
                "report_serial": _l("Report serial"),
                "sha256": _l("Fingerprint (SHA-256)"),
            },
            values={"method": METHOD_LABELS, "status": STATUS_LABELS, "unannounced": YES_NO},
            references={
                "unit_id": "org_unit",
                "version_id": "scheme_version",
                "inspector_id": "user",
                "schedule_id": "inspection_schedule",
            },
            formats={"planned_on": DATE, "sha256": HASH},
        ),
        "inspection_schedule": Record(
            _l("Inspection schedule"),
            fields={
                "scheme_id": _l("Inspection checklist"),
                "unit_id": _l("Unit"),
                "every": _l("How often"),
                "next_on": _l("Next date"),
                "method": _l("Method"),
                "unannounced": _l("Unannounced"),
                "inspector_id": _l("Inspector"),
                "ended": _l("Ended"),
                "planned": _l("Inspection planned"),
            },
            values={
                "every": EVERY_LABELS,
                "method": METHOD_LABELS,
                "unannounced": YES_NO,
                "ended": YES_NO,
            },
            references={
                "scheme_id": "scheme",
                "unit_id": "org_unit",
                "inspector_id": "user",
                "planned": "inspection",
            },
            formats={"next_on": DATE},
        ),
    },
)
