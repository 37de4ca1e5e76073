"""Poll a job's progress: the HTMX fragment behind every progress bar (imports, statements)."""

from __future__ import annotations

from flask import Blueprint, abort, g, render_template

from saas.auth.accounts import tenant_user
from saas.auth.guard import requires
from saas.jobs.tracking import find_job
from saas.web.tenancy import TENANT_PREFIX

bp = Blueprint("jobs", __name__, url_prefix=TENANT_PREFIX + "/jobs")


@bp.get("/<job_id>")
@requires("jobs.run")
def status(job_id: str):
    job = find_job(job_id, g.tenant.slug, tenant_user().id)
    if job is None:
        abort(404)
    state = job.get_status(refresh=False)
    if state == "finished":
        return render_template("partials/job_result.html", job=job, result=job.return_value())
    if state in ("failed", "stopped", "canceled"):
        return render_template("partials/job_failed.html", job=job)
    return render_template(
        "partials/job_progress.html",
        job=job,
        progress=job.meta.get("progress", 0),
        stage=job.meta.get("stage", ""),
    )
