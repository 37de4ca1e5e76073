"""The inspector's to-do on the start page (待检查): their inspections due by today, planned
or in progress, and those their schedules plan on the next look, leading to their list."""

from __future__ import annotations

from collections.abc import Iterator

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from saas.auth.accounts import TenantPrincipal
from saas.auth.guard import actor_for
from saas.home.todos import Todo, todo_source
from saas.inspections.lists import due_count
from saas.web.tenancy import tenant_today


@todo_source
def inspection_todos(session: Session, principal: TenantPrincipal) -> Iterator[Todo]:
    actor = actor_for(principal)
    if actor.user_id is None or not actor.can("inspections.run"):
        return
    count = due_count(session, actor.user_id, tenant_today())
    yield Todo(
        "inspections.due",
        _("Inspections due"),
        count,
        url_for("inspections.index", mine="1"),
    )
