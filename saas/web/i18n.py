"""Which language a page is shown in: the user's choice, else the tenant's default."""

from __future__ import annotations

from babel.support import NullTranslations
from flask import Flask, g, request, session
from flask.globals import _cv_app
from flask_babel import get_translations
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


def current_translations() -> NullTranslations:
    """The page's catalog, looked up once per request and locale.

    Flask-Babel finds the catalog anew for every string (three context lookups and a locale
    name each time); a page with a few hundred strings spent a third of its time there. The
    catalog is kept on the request's ``g`` beside the locale it is for, so ``force_locale``
    (which swaps that locale) still gets the right one.
    """
    context = _cv_app.get(None)
    if context is None:
        return get_translations()
    kept = context.g.__dict__.get("kaohe_translations")
    babel_state = context.g.__dict__.get("_flask_babel")
    locale = getattr(babel_state, "babel_locale", None)
    if kept is not None and locale is not None and kept[0] is locale:
        return kept[1]
    translations = get_translations()  # settles the locale on the first call
    locale = getattr(context.g.__dict__.get("_flask_babel"), "babel_locale", None)
    context.g.kaohe_translations = (locale, translations)
    return translations


def init_fast_gettext(app: Flask) -> None:
    """Templates translate through ``current_translations`` (after Flask-Babel's init)."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: current_translations().ugettext(s),
        ngettext=lambda s, p, n: current_translations().ungettext(s, p, n),
        pgettext=lambda c, s: current_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: current_translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
