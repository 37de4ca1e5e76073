"""What changed since a scoring run, in the reader's language: the runs page and the results
page say it alike."""

from __future__ import annotations

from flask_babel import gettext as _

from saas.runs.service import Change


def change_text(change: Change) -> str:
    """One change (``saas.runs.service.changes_since``) as a sentence."""
    p = change.params
    if change.code == "sheets_submitted":
        return _("%(count)s rating sheet(s) submitted since this run started.", count=p["count"])
    if change.code == "sheets_withdrawn":
        return _(
            "%(count)s rating sheet(s) reopened or withdrawn since this run.", count=p["count"]
        )
    if change.code == "sheets_changed":
        return _("Submitted ratings have changed since this run.")
    if change.code == "subjects_changed":
        return _(
            "Subjects changed: %(then)s assessed and %(then_x)s excluded then, "
            "%(now)s and %(now_x)s now.",
            then=p["included_then"],
            then_x=p["excluded_then"],
            now=p["included_now"],
            now_x=p["excluded_now"],
        )
    if change.code == "goals_changed":
        return _(
            "Goals changed: %(then)s approved and %(then_p)s pending then, "
            "%(now)s and %(now_p)s now.",
            then=p["approved_then"],
            then_p=p["pending_then"],
            now=p["approved_now"],
            now_p=p["pending_now"],
        )
    if change.code == "actuals_changed":
        return _("Goal actuals were recorded or corrected since this run.")
    if change.code == "ledger_changed":
        return _(
            "Ledger entries were added, decided or withdrawn since this run "
            "(%(then)s then, %(now)s now).",
            then=p["then"],
            now=p["now"],
        )
    if change.code == "inspections_changed":
        return _(
            "Inspections were finished or corrected since this run (%(then)s then, %(now)s now).",
            then=p["then"],
            now=p["now"],
        )
    if change.code == "levels_changed":
        return _("Position levels changed since this run (eligibility rules use them).")
    return _("The way inputs are read has changed since this run.")
