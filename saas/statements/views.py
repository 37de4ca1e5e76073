"""Statement pages: start a sample statement, download one's own, verify any upload."""

from __future__ import annotations

from io import BytesIO

from flask import Blueprint, abort, current_app, render_template, request, send_file
from sqlalchemy import select
from werkzeug.exceptions import RequestEntityTooLarge

from saas.auth.accounts import tenant_user
from saas.auth.guard import current_actor, requires
from saas.auth.permissions import Reach
from saas.extensions import limiter
from saas.jobs.tracking import start_job
from saas.models.statement import Statement
from saas.semaphore import Busy, Semaphore
from saas.signing.screening import MAX_BYTES
from saas.statements.verification import (
    SLOT_HOLD_SECONDS,
    TOO_LARGE,
    VerificationResult,
    verify_serial,
    verify_upload,
)
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


# The answer to each result of an upload: a judgement is a 200; a file that could not be
# judged is the client's to fix (413, 422); no free slot is a 503 with a time to come back.
_UPLOAD_STATUS = {"too_large": 413, "unreadable": 422}
RETRY_AFTER_SECONDS = 5


def _slots() -> Semaphore:
    settings = current_app.extensions["kaohe.settings"]
    return Semaphore(
        current_app.extensions["kaohe.redis"],
        f"kaohe:{settings.queue_name}:verify-slots",
        settings.verify_slots,
        SLOT_HOLD_SECONDS,
    )


def _verdict(result: VerificationResult, *, by_serial: bool = False, status: int = 200):
    page = render_template(
        "statements/verify.html",
        result=result,
        by_serial=by_serial,
        max_megabytes=MAX_BYTES // (1024 * 1024),
    )
    return page, status


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_exc):
    # Raised while the body is read (by the CSRF check, before the view): the same answer.
    return _verdict(TOO_LARGE, status=413)


def _verify_limit() -> str:
    return current_app.extensions["kaohe.settings"].verify_rate_limit


@bp.route("/verify", methods=["GET", "POST"])
@limiter.limit(_verify_limit)
def verify():
    serial = request.args.get("serial", "")
    if request.method == "GET":
        if not serial:
            return render_template("statements/verify.html")
        return _verdict(verify_serial(database(), serial[:64]), by_serial=True)
    upload = request.files.get("statement")
    if upload is None or not upload.filename:
        return render_template("statements/verify.html", missing_file=True), 400
    try:
        result = verify_upload(database(), upload.read(MAX_BYTES + 1), _slots())
    except Busy:
        page = render_template("statements/verify.html", busy=True)
        return page, 503, {"Retry-After": str(RETRY_AFTER_SECONDS)}
    return _verdict(result, status=_UPLOAD_STATUS.get(result.status, 200))
