"""Jinja outside Flask: mail and PDFs render in workers without an app or a request.

One environment per locale over the same ``templates/`` folder and the same catalogs in
``saas/translations`` the web pages use, with Jinja's i18n extension in new-style gettext
(``_("Hello %(name)s", name=...)``), exactly as Flask-Babel installs it for the pages. So a
template renders the same words in a worker as on a page, and a job never builds a Flask app.

Dates follow the time zone passed to :func:`render` (the tenant's), not the server's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.support import Translations
from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context, select_autoescape
from jinja2.runtime import Context

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES_DIR = ROOT / "templates"
TRANSLATIONS_DIR = ROOT / "saas" / "translations"

LOCALES = ("zh_CN", "en")
DEFAULT_LOCALE = "zh_CN"
DEFAULT_TIME_ZONE = "Asia/Shanghai"


def supported_locale(*candidates: str | None) -> str:
    """The first candidate Kaohe speaks (a user's, then a tenant's choice), else Chinese."""
    return next((c for c in candidates if c in LOCALES), DEFAULT_LOCALE)


@cache
def translations(locale: str) -> Translations:
    # Babel spells zh_CN as zh_Hans_CN, the folder the catalog lives in.
    return Translations.load(str(TRANSLATIONS_DIR), [Locale.parse(locale)])


def translator(locale: str) -> Callable[..., str]:
    """``_`` for Python code outside a request: ``_("Hello %(name)s", name=n)``."""
    catalog = translations(supported_locale(locale))

    def gettext(message: str, **values: Any) -> str:
        text = catalog.gettext(message)
        return text % values if values else text

    return gettext


def _zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or DEFAULT_TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _aware(value: dt.datetime) -> dt.datetime:
    # Stored times are UTC; a naive one is read as UTC, as Flask-Babel does.
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


@cache
def environment(locale: str = DEFAULT_LOCALE) -> Environment:
    """The environment for ``locale``, built once per process."""
    locale = supported_locale(locale)
    babel_locale = Locale.parse(locale)
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        # As Flask does: HTML escaped, plain-text mail bodies not (a name with "&" stays "&").
        autoescape=select_autoescape(["html", "htm", "xml", "svg"], default_for_string=True),
        # A missing value must fail the job, not send a mail or sign a PDF with a hole in it.
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_translations(translations(locale), newstyle=True)  # type: ignore[attr-defined]

    @pass_context
    def datetimeformat(context: Context, value: dt.datetime, format: str = "medium") -> str:
        zone = _zone(context.get("time_zone"))
        return format_datetime(_aware(value), format, tzinfo=zone, locale=babel_locale)

    @pass_context
    def dateformat(context: Context, value: dt.date | dt.datetime, format: str = "medium") -> str:
        if isinstance(value, dt.datetime):
            value = _aware(value).astimezone(_zone(context.get("time_zone")))
        return format_date(value, format, locale=babel_locale)

    env.filters.update(datetimeformat=datetimeformat, dateformat=dateformat)
    env.globals["get_locale"] = lambda: babel_locale
    return env


def render(
    name: str, *, locale: str = DEFAULT_LOCALE, time_zone: str | None = None, **context: Any
) -> str:
    """Render ``templates/<name>`` in ``locale``, with dates in ``time_zone``."""
    template = environment(supported_locale(locale)).get_template(name)
    return template.render(time_zone=time_zone or DEFAULT_TIME_ZONE, **context)
