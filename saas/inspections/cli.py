"""`kaohe inspections plan`: let every tenant's schedules plan the inspections whose date has
come. Run it from cron (e.g. every hour); it is idempotent, and the inspections list does the
same whenever it is opened, so a missed run only delays what nobody has looked at yet."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click


def _today(zone: str) -> dt.date:
    try:
        return dt.datetime.now(ZoneInfo(zone)).date()
    except (ZoneInfoNotFoundError, ValueError):
        return dt.datetime.now(dt.UTC).date()


@click.group("inspections")
def inspections() -> None:
    """Inspections (检查): schedules."""


@inspections.command("plan")
@click.option("--tenant", "slug", default=None, help="Only this tenant (its slug).")
def plan(slug: str | None) -> None:
    """Plan the inspections of every schedule whose date has come, in every tenant not
    suspended."""
    from saas.config import load_settings
    from saas.inspections.schedules import materialise
    from tenants.db import Database
    from tenants.registry import all_tenants
    from tenants.slugs import schema_for

    settings = load_settings()
    database = Database(settings.database_url, pooler=settings.db_pooler)
    try:
        with database.public() as public:
            tenants = [t for t in all_tenants(public) if not t.is_suspended]
        if slug is not None:
            tenants = [t for t in tenants if t.slug == slug]
            if not tenants:
                raise click.ClickException(f"no tenant {slug!r}, or it is suspended")
        total = 0
        for tenant in tenants:
            with database.tenant(schema_for(tenant.slug)) as session:
                planned = materialise(session, _today(tenant.time_zone))
            total += len(planned)
            if planned:
                click.echo(f"{tenant.slug}: {len(planned)} inspection(s) planned")
        click.echo(f"{total} inspection(s) planned in {len(tenants)} tenant(s).")
    finally:
        database.dispose()
