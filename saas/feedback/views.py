"""The feedback links pages (顾客意见码), for ``feedback.links``: the units in reach, one unit's
people and the unit itself with the state of their links, making, renewing and revoking a
link, and printing the unit's cards and table tent.

A unit out of reach (a manager's outside their subtrees, another tenant's) is not found
(404). A made or renewed link's address and QR code are shown once, in the answer to that
request (only its digest is kept). Printing runs as a job (saas/feedback/cards.py) that makes
the chosen subjects' new links itself; its PDF is offered to whoever asked, for an hour.
"""

from __future__ import annotations

from io import BytesIO

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _

from saas.auth.guard import current_actor, requires
from saas.feedback import links
from saas.feedback import todos as _todos  # noqa: F401  (registers the start-page to-do)
from saas.feedback.cards import PRINT_LIMIT, pdf_key
from saas.feedback.tokens import UNIT, link_url
from saas.jobs.tracking import find_job, start_job
from saas.models.org import OrgUnit
from saas.qrcodes import qr_svg
from saas.validation import Invalid, record_id
from saas.web.fragments import wants_fragment
from saas.web.security import private
from saas.web.tenancy import TENANT_PREFIX, tenant_session
from workers.enqueue import FEEDBACK_CARDS

bp = Blueprint("feedback", __name__, url_prefix=TENANT_PREFIX + "/feedback/links")

PERMISSION = links.PERMISSION


def _unit_or_404(unit_id: int) -> OrgUnit:
    found = links.unit_in_reach(tenant_session(), current_actor(), unit_id)
    if found is None:
        abort(404)
    return found


def _unit_page(unit: OrgUnit, status: int = 200, **context):
    """The unit's page; one showing a new link is private (never cached, no Referer)."""
    rows = links.rows(tenant_session(), unit)
    fresh = context.pop("fresh", None)
    page = render_template(
        "feedback/unit.html",
        unit=unit,
        rows=rows,
        listed_all=len(rows) - 1 < links.MAX_LISTED,
        print_limit=PRINT_LIMIT,
        fresh=fresh,
        job=context.pop("job", None),
        progress=0,
        stage="",
        error=context.pop("error", None),
    )
    response = make_response(page, status)
    return private(response) if fresh else response


@bp.get("/")
@requires(PERMISSION)
def units():
    rows = links.units(tenant_session(), current_actor())
    return render_template("feedback/units.html", units=rows)


@bp.get("/unit/<int:unit_id>")
@requires(PERMISSION)
def unit(unit_id: int):
    return _unit_page(_unit_or_404(unit_id))


def _subject() -> str | None:
    return (request.form.get("subject") or "")[:20] or None


def _fresh(name: str, token: str) -> dict:
    settings = current_app.extensions["kaohe.settings"]
    url = link_url(settings.base_url, g.tenant.slug, token)
    return {"name": name, "url": url, "qr": qr_svg(url)}


def _change(unit_id: int, change):
    """(unit, outcome) of a link change, committed; its ``Invalid`` answers the page again
    with the message (400)."""
    session = tenant_session()
    unit = _unit_or_404(unit_id)
    try:
        outcome = change(session, current_actor(), unit, _subject())
    except Invalid as error:
        session.rollback()
        abort(_unit_page(unit, 400, error=error.message))
    session.commit()
    return unit, outcome


@bp.post("/unit/<int:unit_id>/make")
@requires(PERMISSION)
def make(unit_id: int):
    unit, (name, token) = _change(unit_id, links.make)
    return _unit_page(unit, fresh=_fresh(name, token))


@bp.post("/unit/<int:unit_id>/renew")
@requires(PERMISSION)
def renew(unit_id: int):
    unit, (name, token) = _change(unit_id, links.renew)
    return _unit_page(unit, fresh=_fresh(name, token))


@bp.post("/unit/<int:unit_id>/revoke")
@requires(PERMISSION)
def revoke(unit_id: int):
    _unit, name = _change(unit_id, links.revoke)
    message = _(
        "The link of %(name)s was revoked: its page now says it no longer works.", name=name
    )
    flash(message, "success")
    return redirect(url_for(".unit", unit_id=unit_id))


def _print_refused(unit: OrgUnit, message: str):
    if wants_fragment("print-job"):
        return render_template("feedback/_print_refused.html", message=message), 400
    return _unit_page(unit, 400, error=message)


@bp.post("/unit/<int:unit_id>/print")
@requires(PERMISSION)
def print_cards(unit_id: int):
    unit = _unit_or_404(unit_id)
    asked = request.form.getlist("chosen")[: PRINT_LIMIT + 1]
    chosen = list(dict.fromkeys(k for k in asked if k == UNIT or record_id(k) is not None))
    if not chosen:
        return _print_refused(unit, _("Tick the cards to print."))
    if len(chosen) > PRINT_LIMIT:
        return _print_refused(unit, _("At most %(n)s cards at a time.", n=PRINT_LIMIT))
    actor = current_actor()
    job = start_job(FEEDBACK_CARDS, unit.id, actor.user_id, ",".join(chosen), user_id=actor.user_id)
    if wants_fragment("print-job"):
        return render_template("partials/job_progress.html", job=job, progress=0, stage="")
    return _unit_page(unit, job=job)


@bp.get("/cards/<job_id>.pdf")
@requires(PERMISSION)
def cards_pdf(job_id: str):
    job = find_job(job_id[:200], g.tenant.slug, current_actor().user_id)
    if job is None or job.meta.get("kind") != FEEDBACK_CARDS.name:
        abort(404)
    settings = current_app.extensions["kaohe.settings"]
    pdf = current_app.extensions["kaohe.redis"].get(pdf_key(settings.queue_name, job.id))
    if pdf is None:
        abort(404)  # not printed yet, or kept past its hour
    return private(
        send_file(BytesIO(pdf), mimetype="application/pdf", download_name="feedback-cards.pdf")
    )
