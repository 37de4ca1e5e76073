"""Error pages, in the user's language, as full pages or HTMX fragments."""

from __future__ import annotations

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from tenants.resolver import TenantSuspended


def _page(status: int, reason: str | None = None):
    return render_template("errors/error.html", status=status, reason=reason), status


def init_error_pages(app: Flask) -> None:
    @app.errorhandler(TenantSuspended)
    def suspended(_exc):
        return render_template("errors/suspended.html"), 403

    @app.errorhandler(CSRFError)
    def csrf_failed(exc):
        return _page(400, "csrf")

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if exc.code is None or exc.code < 400:
            return exc
        return _page(exc.code)
