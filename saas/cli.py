"""`kaohe`: run, migrate and administer Kaohe from the command line."""

from __future__ import annotations

import sys

import click

from saas.config import Settings, load_settings
from saas.inspections.cli import inspections
from saas.schemes.cli import scheme
from tenants.db import Database


def _open(settings: Settings) -> Database:
    return Database(settings.database_url, pooler=settings.db_pooler)


def _database() -> Database:
    return _open(load_settings())


def _fail(message: str) -> None:
    click.secho(message, fg="red", err=True)
    sys.exit(2)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Kaohe: goals, assessments and signed performance statements for organisations."""


# -- database ---------------------------------------------------------------------------


@main.group()
def db() -> None:
    """Migrate the public schema and every tenant schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Upgrade public, then every tenant not at head; safe to re-run after an interruption."""
    from saas.database_setup import ensure_database
    from tenants.migrate import upgrade_all

    settings = load_settings()
    ensure_database(settings.database_url)
    database = _open(settings)
    failed = 0

    def report(result) -> None:
        nonlocal failed
        if result.error:
            failed += 1
            click.secho(f"{result.schema}: FAILED at {result.before}: {result.error}", fg="red")
        elif result.changed:
            click.echo(f"{result.schema}: {result.before or 'empty'} -> {result.after}")
        else:
            click.echo(f"{result.schema}: already at {result.after}")

    results = upgrade_all(database, report)
    tenants = len(results) - 1
    click.echo(f"public and {tenants} tenant schema(s) needed work; the rest were at head.")
    if failed:
        _fail(f"{failed} schema(s) failed; fix them and run `kaohe db upgrade` again.")


@db.command("status")
def db_status() -> None:
    """List every schema not at head; exit 1 if there is any."""
    from tenants.migrate import status

    public, tenants = status(_database())
    behind = [r for r in [public, *tenants] if r.before != r.after]
    for result in behind:
        click.echo(f"{result.schema}: at {result.before or 'nothing'}, head is {result.after}")
    click.echo(f"{len(tenants)} tenant schema(s); {len(behind)} schema(s) not at head.")
    sys.exit(1 if behind else 0)


# -- tenants ----------------------------------------------------------------------------


@main.group()
def tenant() -> None:
    """Create, list, suspend, resume and drop client organisations."""


@tenant.command("create")
@click.argument("slug")
@click.option("--name", required=True, help="The organisation's name, e.g. 某某物业公司.")
@click.option("--admin-email", required=True, help="E-mail of the first tenant admin.")
@click.option(
    "--admin-password", help="Password for that admin; if left out, a one-time set-up link."
)
@click.option("--locale", default="zh_CN", type=click.Choice(["zh_CN", "en"]))
@click.option("--time-zone", default="Asia/Shanghai")
@click.option("--seat-limit", default=50, type=click.IntRange(min=1))
def tenant_create(slug, name, admin_email, admin_password, locale, time_zone, seat_limit):
    """Create a tenant: schema, tables, signing certificate and first admin, all or nothing."""
    from saas.platform.onboarding import ProvisioningError, create_tenant
    from tenants.slugs import InvalidSlug

    settings = load_settings()
    try:
        created = create_tenant(
            _open(settings),
            settings,
            slug,
            name,
            admin_email,
            admin_password,
            locale=locale,
            time_zone=time_zone,
            seat_limit=seat_limit,
        )
    except (InvalidSlug, ProvisioningError) as exc:
        _fail(str(exc))
    click.echo(f"Created tenant {created.slug} ({created.name}).")
    click.echo(f"Log in at {settings.base_url}/t/{created.slug}/login as {created.admin_email}")
    if created.setup_link:
        click.echo(f"The admin sets a password here (one-time link, 7 days): {created.setup_link}")


@tenant.command("list")
def tenant_list() -> None:
    """List tenants with their status, plan and seat limit."""
    from tenants.registry import all_tenants

    with _database().public() as session:
        rows = all_tenants(session)
    for t in rows:
        click.echo(f"{t.slug:<40} {t.status:<10} {t.plan:<10} {t.seat_limit:>6}  {t.name}")
    click.echo(f"{len(rows)} tenant(s).")


def _status_command(change, verb: str):
    def command(slug: str) -> None:
        from saas.platform.onboarding import ProvisioningError

        try:
            change(_database(), slug)
        except ProvisioningError as exc:
            _fail(str(exc))
        click.echo(f"Tenant {slug} {verb}.")

    return command


@tenant.command("suspend")
@click.argument("slug")
@click.option("--reason", required=True, help="Why; kept in the platform's audit log.")
def tenant_suspend(slug: str, reason: str) -> None:
    """Suspend a tenant: its users see a 'suspended' page, its jobs refuse to run."""
    from saas.platform.onboarding import suspend_tenant

    _status_command(lambda db, slug: suspend_tenant(db, slug, reason), "suspended")(slug)


@tenant.command("resume")
@click.argument("slug")
def tenant_resume(slug: str) -> None:
    """Resume a suspended tenant with the status it had before (trial or active)."""
    from saas.platform.onboarding import resume_tenant

    _status_command(resume_tenant, "resumed")(slug)


@tenant.command("drop")
@click.argument("slug")
@click.option("--yes", is_flag=True, help="Confirm: every record of the tenant is deleted.")
def tenant_drop(slug: str, yes: bool) -> None:
    """Delete a tenant and all its data (needs --yes)."""
    from saas.platform.onboarding import drop_tenant

    if not yes:
        _fail(f"This deletes every record of {slug}. Re-run with --yes to confirm.")
    _status_command(drop_tenant, "dropped")(slug)


@tenant.command("pool")
@click.argument("size", type=click.IntRange(min=0))
def tenant_pool(size: int) -> None:
    """Pre-build tenant schemas until SIZE wait in the pool, so onboarding is instant."""
    import saas.models  # noqa: F401  (the tenant tables the pooled schemas are built with)
    from tenants.pool import fill_pool, pooled_count

    database = _database()
    built = fill_pool(database, size)
    click.echo(f"Built {built} schema(s); {pooled_count(database)} wait in the pool.")


# -- platform admins ----------------------------------------------------------------------


@main.group()
def notices() -> None:
    """Rectification notices (整改通知)."""


@notices.command("sweep")
def notices_sweep() -> None:
    """Enter newly overdue rectification notices in the ledger, in every tenant (run daily)."""
    from saas.notices.overdue import sweep

    failed = 0
    for swept in sweep(_database()):
        if swept.error:
            failed += 1
            click.secho(f"{swept.slug}: FAILED: {swept.error}", fg="red")
        elif swept.entries:
            click.echo(f"{swept.slug}: {swept.entries} overdue notice(s) entered in the ledger")
    if failed:
        _fail(f"{failed} tenant(s) failed; the others were swept.")
    click.echo("Overdue notices swept.")


@main.group("platform-admin")
def platform_admin() -> None:
    """Manage the platform admins who onboard tenants at /platform/."""


@platform_admin.command("create")
@click.argument("email")
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="At least 10 characters; prompted for if left out.",
)
def platform_admin_create(email: str, password: str) -> None:
    """Create a platform admin."""
    from saas.platform.admins import create_platform_admin
    from saas.platform.onboarding import ProvisioningError

    try:
        with _database().public() as session:
            create_platform_admin(session, email, password)
    except ProvisioningError as exc:
        _fail(str(exc))
    click.echo(f"Platform admin {email} created; log in at {load_settings().base_url}/platform/")


# -- processes ----------------------------------------------------------------------------


@main.command()
@click.option("--burst", is_flag=True, help="Work off the queue, then exit.")
def worker(burst: bool) -> None:
    """Run one RQ worker for Kaohe's jobs (scoring, statements, imports)."""
    from workers.worker import run_worker

    sys.exit(0 if run_worker(load_settings(), burst=burst) else 1)


@main.command()
@click.option("--bind", default="127.0.0.1:8000", show_default=True)
@click.option("--workers", "processes", default=2, show_default=True, type=click.IntRange(1))
def web(bind: str, processes: int) -> None:
    """Serve the web application with gunicorn."""
    import os

    os.execvp(
        sys.executable,
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--bind",
            bind,
            "--workers",
            str(processes),
            "saas.wsgi:app",
        ],
    )


@main.command()
@click.option("--bind", default="127.0.0.1:8000", show_default=True)
def up(bind: str) -> None:
    """Run everything: embedded PostgreSQL and Redis unless configured, web server, worker."""
    from saas.up import run_up

    sys.exit(run_up(bind))


main.add_command(scheme)
main.add_command(inspections)

if __name__ == "__main__":
    main()
