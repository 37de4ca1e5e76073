"""The `kaohe` command line."""

import pytest
from click.testing import CliRunner

from saas.cli import main
from tenants.registry import find_tenant
from tests.conftest import unique_slug

COMMANDS = {
    ("db", "upgrade"),
    ("db", "status"),
    ("tenant", "create"),
    ("tenant", "list"),
    ("tenant", "pool"),
    ("tenant", "suspend"),
    ("tenant", "resume"),
    ("tenant", "drop"),
    ("platform-admin", "create"),
    ("notices", "sweep"),
    ("scheme", "check"),
    ("scheme", "try"),
    ("worker",),
    ("web",),
    ("up",),
}


@pytest.fixture
def cli(settings, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("REDIS_URL", settings.redis_url)
    monkeypatch.setenv("KAOHE_INSTANCE", str(settings.instance))
    runner = CliRunner()
    return lambda *args, **kw: runner.invoke(main, list(args), **kw)


def test_help_lists_every_command_with_one_line(cli):
    for command in COMMANDS:
        parent = cli(*command[:-1], "--help").output
        lines = [line.strip() for line in parent.splitlines()]
        described = [line for line in lines if line.split(" ", 1)[0] == command[-1]]
        assert described and len(described[0].split(None, 1)) == 2, (command, parent)


def test_tenant_lifecycle_from_the_command_line(cli, db):
    slug = unique_slug("cli")
    created = cli(
        "tenant", "create", slug, "--name", "某某食堂", "--admin-email", "boss@st.example.com"
    )
    assert created.exit_code == 0, created.output
    assert f"/t/{slug}/login" in created.output
    assert f"/t/{slug}/accounts/welcome/" in created.output
    assert slug in cli("tenant", "list").output
    assert cli("tenant", "suspend", slug).exit_code == 2  # --reason is required
    assert cli("tenant", "suspend", slug, "--reason", "unpaid invoice").exit_code == 0
    with db.public() as session:
        assert find_tenant(session, slug).is_suspended
    assert cli("tenant", "resume", slug).exit_code == 0
    refused = cli("tenant", "drop", slug)
    assert refused.exit_code == 2 and "--yes" in refused.output
    assert cli("tenant", "drop", slug, "--yes").exit_code == 0
    with db.public() as session:
        assert find_tenant(session, slug) is None


def test_bad_slug_on_the_command_line_says_what_is_allowed(cli):
    result = cli(
        "tenant",
        "create",
        'a"; drop schema public; --',
        "--name",
        "x",
        "--admin-email",
        "a@b.example.com",
    )
    assert result.exit_code == 2
    assert "3 to 40 characters" in result.output


def test_platform_admin_create(cli):
    email = f"{unique_slug('ops')}@kaohe.example.com"
    assert cli("platform-admin", "create", email, "--password", "long-enough-pw").exit_code == 0
    again = cli("platform-admin", "create", email, "--password", "long-enough-pw")
    assert again.exit_code == 2 and "already exists" in again.output
    short = cli("platform-admin", "create", "x" + email, "--password", "short")
    assert short.exit_code == 2 and "10 characters" in short.output


def test_pool_command_fills_the_pool(cli, db):
    from tenants.pool import pooled_count

    target = pooled_count(db) + 2
    result = cli("tenant", "pool", str(target))
    assert result.exit_code == 0, result.output
    assert f"{target} wait in the pool" in result.output
    assert pooled_count(db) == target
