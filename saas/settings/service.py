"""Tenant settings: which exist, their defaults, reading them and changing them (audited).

Every setting is declared once in ``SETTINGS`` with its default; a tenant's row in
``tenant_setting`` exists only once an admin changed it. An area reads a setting with
``value(session, key)``: the tenant's rows are read once per session (one small query) and
kept in ``session.info``, so a page that checks a rule for many records asks once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from saas.auth.permissions import Actor
from saas.models.audit import record
from saas.models.setting import TenantSetting

FOUR_EYES = "goals.four_eyes"
_CACHE = "tenant_settings"


@dataclass(frozen=True)
class Setting:
    key: str
    label: Any  # lazily translated
    hint: Any
    default: bool


SETTINGS = (
    Setting(
        FOUR_EYES,
        _l("Four-eyes rule for goals"),
        _l(
            "Nobody approves a goal they drafted or submitted themselves; another approver "
            "of the goal does. With one tenant admin, the company's goals then need a second "
            "admin to approve them."
        ),
        True,
    ),
)
_BY_KEY = {setting.key: setting for setting in SETTINGS}


def value(session: Session, key: str) -> Any:
    """The tenant's value of ``key``, or its default while the tenant has not changed it."""
    setting = _BY_KEY[key]  # a typo fails loudly
    stored = _stored(session)
    return stored.get(key, setting.default)


def _stored(session: Session) -> dict[str, Any]:
    if _CACHE not in session.info:
        rows = session.execute(select(TenantSetting.key, TenantSetting.value)).all()
        session.info[_CACHE] = dict(rows)
    return session.info[_CACHE]


def change_settings(session: Session, actor: Actor, values: Mapping[str, Any]) -> list[str]:
    """Set the switches to ``values`` (a missing key is off, as an unticked box); returns the
    keys that changed, each audited before → after."""
    actor.require("settings.change")
    changed = []
    for setting in SETTINGS:
        new, old = bool(values.get(setting.key)), value(session, setting.key)
        if new == old:
            continue
        row = session.get(TenantSetting, setting.key)
        if row is None:
            session.add(TenantSetting(key=setting.key, value=new, changed_by=actor.user_id))
        else:
            row.value, row.changed_by = new, actor.user_id
        before, after = {"value": old}, {"value": new}
        record(session, actor.email, "setting.change", "setting", setting.key, before, after)
        changed.append(setting.key)
    session.flush()
    session.info.pop(_CACHE, None)
    return changed
