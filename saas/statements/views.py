"""Statement pages: start a sample statement, download one's own, verify any upload."""

from __future__ import annotations

from io import BytesIO

from flask import Blueprint, abort, render_template, request, send_file
from sqlalchemy import select

from saas.auth.accounts import tenant_user
from saas.auth.guard import current_actor, requires
from saas.auth.permissions import Reach
from saas.extensions import limiter
from saas.jobs.tracking import start_job
from saas.models.statement import Statement
from saas.statements.verification import verify_serial, verify_upload
from saas.web.tenancy import TENANT_PREFIX, database, tenant_session
from workers.enqueue import SAMPLE_STATEMENT

bp = Blueprint("statements", __name__)


@bp.post(TENANT_PREFIX + "/statements/sample")
@requires("statements.sample")
def start_sample():
    user = tenant_user()
    job = start_job(SAMPLE_STATEMENT, user.id, user_id=user.id)
    return render_template("partials/job_progress.html", job=job, progress=0, stage="")


@bp.get(TENANT_PREFIX + "/statements/<int:statement_id>.pdf")
@requires("statements.view")
def download(statement_id: int):
    actor = current_actor()
    query = select(Statement).where(Statement.id == statement_id)
    if Reach.ALL not in actor.reach("statements.view"):
        query = query.where(Statement.user_id == actor.user_id)  # someone else's: not found
    statement = tenant_session().scalar(query)
    if statement is None:
        abort(404)
    return send_file(
        BytesIO(statement.pdf),
        mimetype="application/pdf",
        download_name=f"{statement.serial}.pdf",
        as_attachment=request.args.get("download") == "1",
    )


@bp.route("/verify", methods=["GET", "POST"])
@limiter.limit("30 per minute")
def verify():
    result, serial = None, request.args.get("serial", "")
    if request.method == "GET" and serial:
        result = verify_serial(database(), serial[:64])
    if request.method == "POST":
        upload = request.files.get("statement")
        if upload is None or not upload.filename:
            return render_template("statements/verify.html", missing_file=True), 400
        result = verify_upload(database(), upload.read())
    return render_template(
        "statements/verify.html", result=result, by_serial=request.method == "GET"
    )
