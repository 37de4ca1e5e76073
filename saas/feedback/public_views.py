"""The customer's pages, opened from a QR code without an account: the feedback form of one
link, and the status page of a reference.

A token that names nothing is 404 (also another tenant's token on this tenant's address: each
tenant looks only in its own schema); a revoked link, a person who has left or an archived
unit is 410 with a page saying so. The pages show the subject's name (a person's with their
unit) and nothing else about them, and have no menu.

Every POST goes through the guards of guard.py, in this order: the request body is bounded
(16 KB, before anything reads it); attempts per client (Redis only); the link; the form
token (damaged or expired: the form again with a fresh one; too fast: the form again); the
fields; the token spent once (a replay is refused); submissions per client and per subject;
duplicates (intake.py). A refusal is a page in the customer's language (400, 404, 409, 410,
413, 429), never a 500; the 429 page says only "try again later", not which limit or when.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.exceptions import RequestEntityTooLarge

from saas.auth.guard import public
from saas.feedback import intake
from saas.feedback.guard import FormTokens, Guard, Policy, Verdict, client_hash
from saas.feedback.tokens import Found, find_link
from saas.feedback.words import CATEGORY_LABELS, KIND_LABELS
from saas.rendering import supported_locale
from saas.validation import Invalid
from saas.web.security import private
from saas.web.tenancy import TENANT_PREFIX, tenant_session, tenant_today

bp = Blueprint("feedback_public", __name__, url_prefix=TENANT_PREFIX + "/feedback")

FORM_BYTES = 16 * 1024  # the form is a few hundred bytes; 500 Chinese characters are 4.5 KB
DEFAULT_POLICY = Policy()


@bp.url_value_preprocessor
def _bound_the_body(_endpoint, _values) -> None:
    # Before any before_request (the CSRF check reads the form): a larger body is refused
    # unread (413), and the parser keeps to a few small fields.
    request.max_content_length = FORM_BYTES
    request.max_form_memory_size = FORM_BYTES
    request.max_form_parts = 20


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_exc):
    return _refusal("too_large", 413)


def _policy() -> Policy:
    return current_app.config.get("KAOHE_FEEDBACK_POLICY", DEFAULT_POLICY)


def _secret() -> str:
    return current_app.config["SECRET_KEY"]


def _guard() -> Guard:
    settings = current_app.extensions["kaohe.settings"]
    redis = current_app.extensions["kaohe.redis"]
    return Guard(redis, f"kaohe:{settings.queue_name}", g.tenant.slug, _policy())


def _client() -> str:
    return client_hash(_secret(), request.remote_addr)


def _refusal(reason: str, status: int, **context):
    page = render_template("feedback/refused.html", reason=reason, **context)
    return private(make_response(page, status))


def _open_link(token: str) -> Found:
    found = find_link(tenant_session(), token)
    if found is None:
        abort(404)
    if found.closed is not None:
        abort(_refusal("gone", 410, closed=found.closed.value))
    return found


def _form(found: Found, token: str, *, status: int = 200, **context):
    form_token = context.pop("form_token", None) or FormTokens(_secret()).issue(
        g.tenant.slug, found.link.id
    )
    page = render_template(
        "feedback/form.html",
        found=found,
        token=token,
        form_token=form_token,
        kinds=KIND_LABELS,
        categories=CATEGORY_LABELS,
        values=context.pop("values", {}),
        errors=context.pop("errors", {}),
        notice=context.pop("notice", None),
        text_limit=intake.TEXT_LIMIT,
    )
    return private(make_response(page, status))


@bp.get("/<feedback_token>")
@public
def form(feedback_token: str):
    return _form(_open_link(feedback_token), feedback_token)


def _values() -> dict[str, str]:
    form = request.form
    return {
        "kind": (form.get("kind") or "")[:20],
        "category": (form.get("category") or "")[:40],
        "text": (form.get("text") or "")[: intake.TEXT_LIMIT * 2],
        "phone": (form.get("phone") or "")[: intake.PHONE_LIMIT],
    }


@bp.post("/<feedback_token>")
@public
def send(feedback_token: str):
    guard = _guard()
    client = _client()
    if not guard.count("attempts", client, guard.policy.attempts):
        return _refusal("busy", 429)
    found = _open_link(feedback_token)
    values = _values()
    form_token = (request.form.get("form_token") or "")[:400]
    verdict = FormTokens(_secret()).judge(form_token, g.tenant.slug, found.link.id, guard.policy)
    if verdict in (Verdict.DAMAGED, Verdict.EXPIRED):
        return _form(found, feedback_token, status=400, values=values, notice=verdict.value)
    try:
        sent = intake.read(values["kind"], values["category"], values["text"], values["phone"])
    except Invalid as error:
        return _form(
            found,
            feedback_token,
            status=400,
            values=values,
            errors=error.errors,
            form_token=form_token,
        )
    if verdict is Verdict.TOO_FAST:
        return _form(
            found,
            feedback_token,
            status=400,
            values=values,
            notice="too_fast",
            form_token=form_token,
        )
    if not guard.spend(form_token):
        return _refusal("replayed", 409, token=feedback_token)
    subject = f"{found.link.kind}:{found.link.employee_id or found.link.unit_id}"
    if not (
        guard.count("sent", client, guard.policy.client)
        and guard.count("subject", subject, guard.policy.subject)
    ):
        return _refusal("busy", 429)
    return _store(found, feedback_token, sent, client)


def _store(found: Found, feedback_token: str, sent: intake.Sent, client: str):
    session = tenant_session()
    try:
        stored = intake.submit(
            session,
            found.link.id,
            sent,
            client_hash=client,
            today=tenant_today(),
            locale=supported_locale(g.tenant.locale),
        )
    except intake.Duplicate:
        session.rollback()
        return _refusal("duplicate", 409, token=feedback_token)
    if stored is None:
        session.rollback()
        return _refusal("gone", 410, closed="revoked")
    session.commit()
    return redirect(url_for(".status", reference=stored.reference, sent=1))


@bp.get("/status/<reference>")
@public
def status(reference: str):
    guard = _guard()
    if not guard.count("status", _client(), guard.policy.status):
        return _refusal("busy", 429)
    found = intake.status_of(tenant_session(), reference[:40])
    page = render_template(
        "feedback/status.html",
        found=found,
        just_sent=found is not None and request.args.get("sent") == "1",
    )
    return private(make_response(page, 200 if found is not None else 404))
