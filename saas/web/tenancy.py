"""Resolve the tenant from the URL before anything else, and give the request its session.

Every tenant URL starts with ``/t/<slug>/``. The registry lookup happens in a URL value
preprocessor, so no view code runs for an unknown slug (404) or a suspended tenant (403).
The request's tenant session is bound to the tenant schema with ``schema_translate_map``.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import Flask, abort, current_app, g, request
from sqlalchemy.orm import Session

from tenants.db import Database
from tenants.resolver import TenantRecord, TenantResolver, TenantSuspended
from tenants.slugs import schema_for

TENANT_PREFIX = "/t/<tenant_slug>"


def database() -> Database:
    return current_app.extensions["kaohe.db"]


def resolver() -> TenantResolver:
    return current_app.extensions["kaohe.tenants"]


def current_tenant() -> TenantRecord | None:
    return g.get("tenant")


def tenant_session() -> Session:
    """The request's session on the current tenant's schema, opened on first use."""
    return _open_session(g.tenant.schema)


def _open_session(schema: str) -> Session:
    # The one session (and so the one pooled connection) of the request. A registry read
    # that the tenant cache needs goes through it too: the registry is in the public schema,
    # which the tenant binding leaves alone.
    if "tenant_session" not in g:
        g.tenant_session = database().tenant_session(schema)
    return g.tenant_session


def tenant_today() -> dt.date:
    """Today's date where the current tenant is (its time zone), not the server's."""
    return dt.datetime.now(ZoneInfo(g.tenant.time_zone)).date()


def _resolve(endpoint: str | None, values: dict | None) -> None:
    if not values or "tenant_slug" not in values:
        return
    slug = values.pop("tenant_slug")
    tenant = resolver().find(slug, session=lambda: _open_session(schema_for(slug)))
    if tenant is None:
        abort(404)
    g.tenant = tenant
    if tenant.is_suspended:
        raise TenantSuspended(tenant.slug)


def adopt_tenant_of_path() -> bool:
    """Is this request in a tenant that is in use? For a URL no route matched (a 404 or
    405), the tenant its ``/t/<slug>/`` names becomes the request's, so that the error page
    keeps the tenant's layout and menu; an unknown or suspended one stays outside."""
    tenant = g.get("tenant")
    if tenant is None:
        parts = request.path.split("/", 3)
        if len(parts) < 3 or parts[1] != "t":
            return False
        slug = parts[2]
        tenant = resolver().find(slug, session=lambda: _open_session(schema_for(slug)))
        if tenant is None or tenant.is_suspended:
            return False
        g.tenant = tenant
    return not tenant.is_suspended


def _add_slug(endpoint: str, values: dict) -> None:
    # Links built inside a tenant's pages stay inside that tenant without passing the slug.
    tenant = g.get("tenant")
    if (
        tenant is not None
        and "tenant_slug" not in values
        and current_app.url_map.is_endpoint_expecting(endpoint, "tenant_slug")
    ):
        values["tenant_slug"] = tenant.slug


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("tenant_session", None)
    if session is not None:
        session.close()


def init_tenancy(app: Flask) -> None:
    app.extensions["kaohe.tenants"] = TenantResolver(app.extensions["kaohe.db"])
    app.url_value_preprocessor(_resolve)
    app.url_defaults(_add_slug)
    app.teardown_appcontext(_close_session)
