"""The runs page of a cycle: its scoring runs, what changed since the latest, a button to run
scoring again and the progress of a run under way."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, g, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from rq.exceptions import NoSuchJobError
from rq.job import Job
from sqlalchemy import select

from saas.auth.accounts import tenant_user
from saas.auth.guard import current_actor, requires
from saas.jobs.tracking import find_job, start_job
from saas.models.cycle import Cycle, RunStatus, ScoringRun
from saas.models.user import User
from saas.notices.overdue import record_overdue
from saas.runs import service
from saas.runs.words import change_text
from saas.web.fragments import page_or_fragment, wants_fragment
from saas.web.tenancy import TENANT_PREFIX, tenant_session, tenant_today
from workers.enqueue import PENDING, SCORING_RUN

bp = Blueprint("runs", __name__, url_prefix=TENANT_PREFIX + "/cycles/<int:cycle_id>/runs")

STATUS_LABELS = {
    RunStatus.RUNNING: _l("Running"),
    RunStatus.FINISHED: _l("Finished"),
    RunStatus.FAILED: _l("Failed"),
}
CYCLE_STATUS_LABELS = {
    "draft": _l("Draft"),
    "open": _l("Open for rating"),
    "scoring": _l("Being scored"),
    "review": _l("In review"),
    "published": _l("Published"),
    "closed": _l("Closed"),
}
RUNS_SHOWN = 50


def _cycle_or_404(cycle_id: int) -> Cycle:
    cycle = service.find_cycle(tenant_session(), cycle_id)
    if cycle is None:
        abort(404)
    return cycle


def _job_alive(job_id: str | None) -> bool:
    """Whether a run's job is still queued, running or waiting for a retry."""
    if not job_id:
        return False
    try:
        job = Job.fetch(job_id, connection=current_app.extensions["kaohe.redis"])
    except (NoSuchJobError, ValueError):
        return False
    return job.get_status(refresh=False) in PENDING


def _context(cycle: Cycle) -> dict:
    session = tenant_session()
    runs = service.runs_of(session, cycle.id, RUNS_SHOWN)
    starters = {run.started_by for run in runs if run.started_by is not None}
    names = (
        dict(session.execute(select(User.id, User.name).where(User.id.in_(starters))).all())
        if starters
        else {}
    )
    latest = next((run for run in runs if run.status == RunStatus.FINISHED), None)
    running = next((run for run in runs if run.status == RunStatus.RUNNING), None)
    job = None
    if running is not None and running.job_id:
        job = find_job(running.job_id, g.tenant.slug, tenant_user().id)
    changes = (
        service.changes_since(session, cycle, latest, g.tenant.time_zone)
        if latest is not None
        else []
    )
    return {
        "cycle": cycle,
        "runs": runs,
        "names": names,
        "latest": latest,
        "running": running,
        "job": job,
        "changes": [change_text(change) for change in changes],
        "status_labels": STATUS_LABELS,
        "cycle_status_labels": CYCLE_STATUS_LABELS,
    }


@bp.get("")
@requires("cycles.view")
def page(cycle_id: int):
    cycle = _cycle_or_404(cycle_id)
    return page_or_fragment("runs/page.html", "runs/_runs.html", "runs", **_context(cycle))


@bp.post("")
@requires("scoring.run")
def start(cycle_id: int):
    session = tenant_session()
    _cycle_or_404(cycle_id)
    # Overdue rectification notices become ledger entries before the run reads the ledger,
    # so a run never misses one the daily sweep has not seen yet (saas/notices/overdue.py).
    # Same transaction: a refused start keeps none of them, and the next sweep makes them.
    record_overdue(session, current_actor(), tenant_today(), zone=g.tenant.time_zone)
    try:
        run = service.start_run(session, current_actor(), cycle_id, job_alive=_job_alive)
    except service.RunRefused as refused:
        session.rollback()
        if refused.code == service.ALREADY_RUNNING:
            flash(_("Run %(number)s is still running.", number=refused.params["number"]), "info")
            return _after(cycle_id)
        # Not a matter of who asks but of when: said on the page, as a refused form would be.
        status = refused.params["status"]
        flash(
            _(
                "Scoring runs only while the cycle is in scoring; it is %(status)s.",
                status=CYCLE_STATUS_LABELS.get(status, status),
            ),
            "error",
        )
        return _after(cycle_id)
    if run is None:
        abort(404)
    session.commit()  # the job must find its run
    user_id = tenant_user().id
    try:
        job = start_job(
            SCORING_RUN, cycle_id, run.id, user_id, key=(cycle_id, run.id), user_id=user_id
        )
    except Exception as error:  # Redis unreachable: the run must not stay "running"
        service.fail_run(session, run.id, f"could not queue the job: {type(error).__name__}")
        session.commit()
        flash(_("The scoring run could not be queued. Try again in a moment."), "error")
        return _after(cycle_id)
    service.attach_job(session, session.get(ScoringRun, run.id), job.id)
    session.commit()
    flash(_("Scoring run %(number)s started.", number=run.number), "success")
    return _after(cycle_id)


def _after(cycle_id: int):
    if wants_fragment("runs"):
        cycle = _cycle_or_404(cycle_id)
        return page_or_fragment("runs/page.html", "runs/_runs.html", "runs", **_context(cycle))
    return redirect(url_for("runs.page", cycle_id=cycle_id), 303)
