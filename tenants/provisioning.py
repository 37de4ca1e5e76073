"""The tenancy half of onboarding and offboarding: registry rows, schemas, statuses, drops.

Everything here runs inside a transaction the caller owns, so the application can add its
own half (signing identity, first admin, audit rows) and have both commit or neither. The
schema comes from the pool of pre-built schemas when there is one (a rename), else from the
compiled DDL.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, delete, text
from sqlalchemy.orm import Session

from tenants.ddl import create_tables
from tenants.pool import claim
from tenants.registry import Tenant, TenantStatus, find_tenant
from tenants.resolver import forget_in_this_process
from tenants.slugs import schema_for, validate_slug


class ProvisioningError(ValueError):
    """A tenant cannot be created or changed as asked; the message says why."""


@dataclass(frozen=True)
class TenantFields:
    slug: str
    name: str
    locale: str = "zh_CN"
    time_zone: str = "Asia/Shanghai"
    plan: str = "standard"
    seat_limit: int = 50


def provision(connection: Connection, public: Session, fields: TenantFields) -> Tenant:
    """Add the registry row and build the tenant's schema in the caller's transaction."""
    validate_slug(fields.slug)
    if find_tenant(public, fields.slug) is not None:
        raise ProvisioningError(f"A tenant with the slug {fields.slug!r} already exists.")
    tenant = Tenant(
        slug=fields.slug,
        name=fields.name,
        status=TenantStatus.TRIAL,
        plan=fields.plan,
        seat_limit=fields.seat_limit,
        locale=fields.locale,
        time_zone=fields.time_zone,
    )
    public.add(tenant)
    public.flush()
    schema = schema_for(fields.slug)
    if not claim(connection, schema):
        create_tables(connection, schema)
    return tenant


def snapshot(tenant: Tenant) -> dict:
    """The registry row as audit rows record it."""
    return {
        "slug": tenant.slug,
        "name": tenant.name,
        "status": tenant.status,
        "plan": tenant.plan,
        "seat_limit": tenant.seat_limit,
        "locale": tenant.locale,
        "time_zone": tenant.time_zone,
    }


def require(session: Session, slug: str) -> Tenant:
    tenant = find_tenant(session, slug)
    if tenant is None:
        raise ProvisioningError(f"There is no tenant {slug!r}.")
    return tenant


def suspend(session: Session, slug: str) -> tuple[dict, Tenant]:
    """Suspend a tenant, remembering the status it had; returns the row before and the row."""
    tenant = require(session, slug)
    if tenant.is_suspended:
        raise ProvisioningError(f"Tenant {slug!r} is already suspended.")
    before = snapshot(tenant)
    tenant.suspended_from, tenant.status = tenant.status, TenantStatus.SUSPENDED
    session.flush()
    forget_in_this_process(slug)
    return before, tenant


def resume(session: Session, slug: str) -> tuple[dict, Tenant]:
    """Give a suspended tenant back the status it had (a trial stays a trial)."""
    tenant = require(session, slug)
    if not tenant.is_suspended:
        raise ProvisioningError(f"Tenant {slug!r} is not suspended.")
    before = snapshot(tenant)
    tenant.status, tenant.suspended_from = tenant.suspended_from or TenantStatus.ACTIVE, None
    session.flush()
    forget_in_this_process(slug)
    return before, tenant


def drop(session: Session, slug: str) -> dict:
    """Delete a tenant's schema with all its data and its registry row; returns the row."""
    tenant = require(session, slug)
    before = snapshot(tenant)
    session.execute(text(f'DROP SCHEMA IF EXISTS "{tenant.schema}" CASCADE'))
    session.execute(delete(Tenant).where(Tenant.id == tenant.id))
    forget_in_this_process(slug)
    return before
