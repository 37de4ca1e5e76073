"""create_app(): the Kaohe web application."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, render_template
from flask_babel import get_locale
from redis import Redis

from saas.auth.guard import init_access
from saas.config import Settings, load_settings
from saas.extensions import babel, csrf, htmx, limiter, login_manager
from saas.web.errors import init_error_pages
from saas.web.i18n import (
    LANGUAGES,
    PLAN_NAMES,
    TENANT_STATUS,
    init_fast_gettext,
    select_locale,
    select_timezone,
)
from saas.web.input import init_input
from saas.web.menu import init_menu
from saas.web.numbers import init_numbers
from saas.web.security import init_security_headers
from saas.web.tenancy import init_tenancy
from tenants.db import Database

ROOT = Path(__file__).resolve().parent.parent


def _configure(app: Flask, settings: Settings) -> None:
    app.config.update(
        SECRET_KEY=settings.secret_key,
        SESSION_COOKIE_NAME="kaohe_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        REMEMBER_COOKIE_SECURE=settings.secure_cookies,
        MAX_CONTENT_LENGTH=10 * 1024 * 1024,
        WTF_CSRF_TIME_LIMIT=None,
        BABEL_TRANSLATION_DIRECTORIES=str(ROOT / "saas" / "translations"),
        BABEL_DEFAULT_LOCALE="zh_CN",
        RATELIMIT_STORAGE_URI=settings.redis_url,
        RATELIMIT_KEY_PREFIX=f"kaohe-limits:{settings.queue_name}",
        RATELIMIT_HEADERS_ENABLED=True,
        KAOHE_LOGIN_RATE_LIMIT=settings.login_rate_limit,
    )


def register_blueprints(app: Flask) -> None:
    from saas.accounts.setup_views import bp as people_accounts
    from saas.accounts.views import bp as accounts
    from saas.attachments.views import bp as attachments
    from saas.audit.views import bp as audit
    from saas.auth.views import bp as auth
    from saas.cycles.views import bp as cycles
    from saas.feedback.public_views import bp as feedback_public
    from saas.feedback.views import bp as feedback
    from saas.goals.import_views import bp as goal_imports
    from saas.goals.report_views import bp as goal_reports
    from saas.goals.views import bp as goals
    from saas.health import bp as health
    from saas.home.views import bp as home
    from saas.imports.views import bp as imports
    from saas.inspections.views import bp as inspections
    from saas.jobs.views import bp as jobs
    from saas.ledger.views import bp as ledger
    from saas.notices.views import bp as notices
    from saas.org.views import bp as org
    from saas.people.views import bp as people
    from saas.platform.views import bp as platform
    from saas.providers.views import bp as providers
    from saas.rating.external_views import bp as rate
    from saas.rating.grid_views import bp as rating_grid
    from saas.rating.views import bp as rating
    from saas.results.views import bp as results
    from saas.runs.views import bp as runs
    from saas.schemes.views import bp as schemes
    from saas.settings.views import bp as tenant_settings
    from saas.statements.views import bp as statements
    from saas.web.language import bp as language

    for blueprint in (
        accounts,
        attachments,
        audit,
        auth,
        cycles,
        ledger,
        feedback,
        feedback_public,
        notices,
        providers,
        inspections,
        goals,
        goal_imports,
        goal_reports,
        health,
        home,
        imports,
        jobs,
        org,
        people,
        people_accounts,
        platform,
        runs,
        rating_grid,
        results,
        rate,
        rating,
        schemes,
        statements,
        tenant_settings,
        language,
    ):
        app.register_blueprint(blueprint)
    app.add_url_rule("/", "landing", lambda: render_template("landing.html"))


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or load_settings()
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "saas" / "static"),
    )
    _configure(app, settings)
    app.extensions["kaohe.settings"] = settings
    app.extensions["kaohe.db"] = Database(settings.database_url, pooler=settings.db_pooler)
    app.extensions["kaohe.redis"] = Redis.from_url(settings.redis_url)

    init_tenancy(app)
    csrf.init_app(app)
    htmx.init_app(app)
    init_input(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    init_fast_gettext(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.blueprint_login_views = {"platform": "platform.login"}
    login_manager.login_message = None
    import saas.auth.accounts  # noqa: F401  (registers the user loader)

    app.jinja_env.globals.update(
        LANGUAGES=LANGUAGES,
        TENANT_STATUS=TENANT_STATUS,
        PLAN_NAMES=PLAN_NAMES,
        get_locale=get_locale,
    )
    init_security_headers(app)
    init_error_pages(app)
    init_access(app)
    init_menu(app)
    init_numbers(app)
    register_blueprints(app)
    return app
