"""The organisation's settings: a tenant admin switches them on a page of their own, every
change audited; nobody else may, and one tenant's settings are not another's."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from saas.auth.permissions import Refused
from saas.models.audit import AuditEntry
from saas.models.setting import TenantSetting
from saas.settings import service
from tests.conftest import csrf_token, login
from tests.goals.test_views import as_user
from tests.org.conftest import make_org

KEY = service.FOUR_EYES


def page(team) -> str:
    return f"/t/{team.org.slug}/settings/"


def test_a_setting_is_its_default_until_changed_and_the_change_is_audited(db, team):
    with db.tenant(team.schema) as session:
        assert service.value(session, KEY) is True
        admin = team.actor(session, "admin")
        assert service.change_settings(session, admin, {KEY: ""}) == [KEY]
        assert service.value(session, KEY) is False
        assert service.change_settings(session, admin, {}) == []  # already off
        assert service.change_settings(session, admin, {KEY: "1"}) == [KEY]
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "setting.change").order_by(AuditEntry.id)
        ).all()
        assert [(e.record_id, e.before, e.after) for e in entries] == [
            (KEY, {"value": True}, {"value": False}),
            (KEY, {"value": False}, {"value": True}),
        ]


def test_only_a_tenant_admin_changes_settings(db, team):
    with db.tenant(team.schema) as session:
        with pytest.raises(Refused):
            service.change_settings(session, team.actor(session, "gc"), {})
        assert session.scalars(select(TenantSetting)).all() == []


def test_an_unknown_setting_fails_loudly(db, team):
    with db.tenant(team.schema) as session, pytest.raises(KeyError):
        service.value(session, "goals.no_such_thing")


def test_the_admin_switches_the_four_eyes_rule_off_on_the_page(client, db, team):
    csrf = as_user(client, team, "admin")
    shown = client.get(page(team)).get_data(as_text=True)
    assert f'name="{KEY}" value="1" checked' in shown and "Four-eyes rule for goals" in shown
    assert f'href="{page(team)}"' in client.get(f"/t/{team.org.slug}/").get_data(as_text=True)
    response = client.post(page(team), data={"csrf_token": csrf})
    assert response.status_code == 303
    assert f'name="{KEY}" value="1" checked' not in client.get(page(team)).get_data(as_text=True)
    with db.tenant(team.schema) as session:
        assert service.value(session, KEY) is False


@pytest.mark.parametrize("name", ["gc", "li"])
def test_other_roles_neither_see_nor_change_the_settings(client, db, team, name):
    csrf = as_user(client, team, name)
    assert client.get(page(team)).status_code == 403
    assert client.post(page(team), data={"csrf_token": csrf}).status_code == 403
    assert f'href="{page(team)}"' not in client.get(f"/t/{team.org.slug}/").get_data(as_text=True)
    with db.tenant(team.schema) as session:
        assert service.value(session, KEY) is True


def test_another_tenants_admin_changes_only_their_own(client, db, team, make_tenant):
    other = make_org(db, make_tenant)
    login(client, other.tenant)
    csrf = csrf_token(client, f"/t/{other.slug}/")
    assert client.post(f"/t/{other.slug}/settings/", data={"csrf_token": csrf}).status_code == 303
    # Their cookie is worth nothing here.
    elsewhere = client.post(page(team), data={"csrf_token": csrf})
    assert elsewhere.status_code == 302 and "/login" in elsewhere.headers["Location"]
    with db.tenant(team.schema) as session:
        assert service.value(session, KEY) is True
    with db.tenant(other.schema) as session:
        assert service.value(session, KEY) is False
