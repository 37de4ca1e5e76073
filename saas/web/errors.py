"""Error pages, in the user's language, as full pages or HTMX fragments.

A refusal anywhere (``Refused``, from ``@requires`` or from a service) becomes one 403: the
error page, or for an HTMX request a fragment saying why. Nothing of a refused change is kept:
every error page rolls the request's session back before it is drawn.

On a tenant's URL a 4xx page keeps the tenant's layout and, for a logged-in user, the menu,
also when no route matched (``adopt_tenant_of_path``). An unknown or suspended tenant's URL
gets the plain page, which says nothing of any tenant. A 5xx page is always plain: after an
unexpected error nothing more is asked of the database.
"""

from __future__ import annotations

from flask import Flask, g, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from saas.auth.permissions import Refused
from saas.web.fragments import wants_fragment
from saas.web.tenancy import adopt_tenant_of_path
from tenants.resolver import TenantSuspended


def _rollback() -> None:
    session = g.get("tenant_session")
    if session is not None:
        session.rollback()


def error_page(status: int, reason: str | None = None, message: object = None):
    """The error page for ``status``, in the tenant's layout where there is one."""
    _rollback()
    in_tenant = status < 500 and adopt_tenant_of_path()
    layout = "tenant_base.html" if in_tenant else "base.html"
    return render_template(
        "errors/error.html", layout=layout, status=status, reason=reason, message=message
    ), status


def init_error_pages(app: Flask) -> None:
    @app.errorhandler(TenantSuspended)
    def suspended(_exc):
        return render_template("errors/suspended.html"), 403

    @app.errorhandler(Refused)
    def refused(exc: Refused):
        if wants_fragment():
            _rollback()
            return render_template("errors/_refused.html", message=exc.message), 403
        return error_page(403, message=exc.message)

    @app.errorhandler(CSRFError)
    def csrf_failed(exc):
        return error_page(400, "csrf")

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if exc.code is None or exc.code < 400:
            return exc
        return error_page(exc.code)
