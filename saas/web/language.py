"""The language switch: remembered in the session, for any page."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, request, session

from saas.web.i18n import LANGUAGES
from saas.web.navigation import safe_next

bp = Blueprint("language", __name__)


@bp.post("/lang")
def switch():
    lang = request.form.get("lang", "")
    if lang not in LANGUAGES:
        abort(400)
    session["lang"] = lang
    return redirect(safe_next(request.form.get("next")) or "/")
