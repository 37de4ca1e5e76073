"""Error pages, in the user's language, as full pages or HTMX fragments.

A refusal anywhere (``Refused``, from ``@requires`` or from a service) becomes one 403: the
error page, or for an HTMX request a fragment saying why. Nothing of a refused change is kept.
"""

from __future__ import annotations

from flask import Flask, g, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from saas.auth.permissions import Refused
from saas.web.fragments import wants_fragment
from tenants.resolver import TenantSuspended


def _page(status: int, reason: str | None = None, message: object = None):
    return render_template(
        "errors/error.html", status=status, reason=reason, message=message
    ), status


def init_error_pages(app: Flask) -> None:
    @app.errorhandler(TenantSuspended)
    def suspended(_exc):
        return render_template("errors/suspended.html"), 403

    @app.errorhandler(Refused)
    def refused(exc: Refused):
        session = g.get("tenant_session")
        if session is not None:
            session.rollback()
        if wants_fragment():
            return render_template("errors/_refused.html", message=exc.message), 403
        return _page(403, message=exc.message)

    @app.errorhandler(CSRFError)
    def csrf_failed(exc):
        return _page(400, "csrf")

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if exc.code is None or exc.code < 400:
            return exc
        return _page(exc.code)
