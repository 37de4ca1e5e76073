"""Rating to-dos on the start page (待我评分): per open cycle, how many of the user's sheets
are not submitted yet, leading to their list of sheets."""

from __future__ import annotations

from collections.abc import Iterator

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from saas.auth.accounts import TenantPrincipal
from saas.auth.guard import actor_for
from saas.home.todos import Todo, todo_source
from saas.rating.mine import assigned_to
from saas.rating.sheets import open_counts


@todo_source
def rating_todos(session: Session, principal: TenantPrincipal) -> Iterator[Todo]:
    actor = actor_for(principal)
    if not actor.can("rating.enter"):
        return
    for cycle_id, name, count in open_counts(session, assigned_to(actor)):
        yield Todo(
            f"rating.{cycle_id}",
            _("Ratings to do: %(cycle)s", cycle=name),
            count,
            url_for("rating.mine", _anchor=f"cycle-{cycle_id}"),
        )
