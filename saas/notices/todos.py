"""Rectification to-dos on the start page, in one statement:

- the owner's: notices to answer, the overdue ones among them, and answers sent back;
- the inspector's (whoever ran the inspection): answers to verify, and overdue notices of
  their inspections.

Overdue follows the tenant's today (saas/notices/overdue.py)."""

from __future__ import annotations

from collections.abc import Iterator

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from saas.auth.accounts import TenantPrincipal
from saas.auth.guard import actor_for
from saas.home.todos import Todo, todo_source
from saas.models.inspection import Inspection, NoticeStatus, RectificationNotice
from saas.notices.lists import INSPECTOR, OWNER
from saas.notices.overdue import overdue_clause
from saas.notices.words import REOPENED
from saas.web.tenancy import tenant_today

N = RectificationNotice


@todo_source
def notice_todos(session: Session, principal: TenantPrincipal) -> Iterator[Todo]:
    actor = actor_for(principal)
    if not actor.can("notices.view"):
        return
    me, today = actor.user_id, tenant_today()
    mine = N.owner_id == me
    inspected = Inspection.inspector_id == me
    is_open = N.status == NoticeStatus.OPEN
    late = overdue_clause(today)
    row = session.execute(
        select(
            func.count().filter(mine, is_open),
            func.count().filter(mine, late),
            func.count().filter(mine, is_open, N.rejections > 0),
            func.count().filter(inspected, N.status == NoticeStatus.ANSWERED),
            func.count().filter(inspected, late),
        )
        .select_from(N)
        .join(Inspection, Inspection.id == N.inspection_id)
        .where(or_(mine, inspected), N.status != NoticeStatus.ACCEPTED)
    ).one()
    to_answer, overdue, sent_back, to_verify, overdue_inspected = row
    index = "notices.index"
    yield Todo(
        "notices.answer",
        _("Rectification notices to answer"),
        to_answer,
        url_for(index, mine=OWNER, status=NoticeStatus.OPEN),
    )
    yield Todo(
        "notices.overdue",
        _("Your rectification notices past their deadline"),
        overdue,
        url_for(index, mine=OWNER, overdue=1),
    )
    yield Todo(
        "notices.sent_back",
        _("Rectification answers sent back to you"),
        sent_back,
        url_for(index, mine=OWNER, status=REOPENED),
    )
    yield Todo(
        "notices.verify",
        _("Rectification answers to verify"),
        to_verify,
        url_for(index, mine=INSPECTOR, status=NoticeStatus.ANSWERED),
    )
    yield Todo(
        "notices.overdue_inspected",
        _("Overdue rectification notices from your inspections"),
        overdue_inspected,
        url_for(index, mine=INSPECTOR, overdue=1),
    )
