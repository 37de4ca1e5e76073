"""Which language a page is shown in: the user's choice, else the tenant's default."""

from __future__ import annotations

from flask import g, request, session
from flask_babel import lazy_gettext as _l
from flask_login import current_user

LANGUAGES = {"zh_CN": "中文", "en": "English"}
DEFAULT_LOCALE = "zh_CN"


def select_locale() -> str:
    chosen = session.get("lang")
    if chosen in LANGUAGES:
        return chosen
    user_locale = getattr(current_user, "locale", None)
    if user_locale in LANGUAGES:
        return user_locale
    tenant = g.get("tenant")
    if tenant is not None and tenant.locale in LANGUAGES:
        return tenant.locale
    return request.accept_languages.best_match(list(LANGUAGES), DEFAULT_LOCALE)


def select_timezone() -> str:
    tenant = g.get("tenant")
    return tenant.time_zone if tenant is not None else "Asia/Shanghai"


TENANT_STATUS = {
    "trial": _l("trial"),
    "active": _l("active"),
    "suspended": _l("suspended"),
}


def clear_session_keeping_language() -> None:
    """Start a fresh session at log-in and log-out, but keep the language the user chose."""
    lang = session.get("lang")
    session.clear()
    if lang in LANGUAGES:
        session["lang"] = lang


PLAN_NAMES = {"standard": _l("Standard")}
