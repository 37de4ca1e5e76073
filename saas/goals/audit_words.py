"""How the audit log words what the goals area records (see saas/audit/vocabulary.py)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from saas.audit.vocabulary import DATE, Record, Words, names_by_id
from saas.models.goal import Goal

STATUS_LABELS = {
    "draft": _l("draft"),
    "submitted": _l("submitted"),
    "approved": _l("approved"),
    "returned": _l("returned"),
}

WORDS = Words(
    actions={
        "goal.create": _l("Goal drafted"),
        "goal.change": _l("Goal changed"),
        "goal.move": _l("Goal moved"),
        "goal.submitted": _l("Submitted for approval"),
        "goal.approved": _l("Goal approved"),
        "goal.returned": _l("Returned with a comment"),
        "goal.actual": _l("Actual recorded"),
        "goal.actual.correct": _l("Actual corrected"),
        "goal.actual.withdraw": _l("Actual withdrawn"),
        "goal.delete": _l("Draft goal deleted"),
        "goal.board.show": _l("Goals board published"),
        "goal.board.hide": _l("Goals board taken down"),
    },
    records={
        "goal": Record(
            _l("Goal"),
            fields={
                "title": _l("Title"),
                "description": _l("Description"),
                "weight": _l("Weight (%)"),
                "contribution": _l("Share of its parent"),
                "measure": _l("Measure"),
                # The goal's unit of measure (分, 元, %), not an organisational unit.
                "unit": _l("Unit of measure"),
                "baseline": _l("Baseline"),
                "target": _l("Target"),
                "direction": _l("Better when"),
                "cap": _l("Attainment counts up to (%)"),
                "parent_id": _l("Parent goal"),
                "value": _l("Actual"),
                "done": _l("Done?"),
                "on": _l("Date"),
                "period": _l("Period"),
                "actual_id": _l("Actual entry"),
                "actuals": _l("Actuals recorded"),
                "unit_id": _l("Owning unit"),
                "employee_id": _l("Owning person"),
            },
            values={
                "status": STATUS_LABELS,
                "measure": {
                    "numeric": _l("a number"),
                    "milestone": _l("a milestone (done or not)"),
                },
                "direction": {"higher": _l("higher is better"), "lower": _l("lower is better")},
            },
            references={"parent_id": "goal", "unit_id": "org_unit", "employee_id": "employee"},
            formats={"on": DATE},
            names=lambda session, ids: names_by_id(session, Goal.id, Goal.title, ids),
        ),
        "goal_board": Record(_l("Goals board"), fields={"period": _l("Period")}),
    },
)
