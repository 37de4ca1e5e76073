"""The start page's to-do for customer feedback (顾客意见待处理): the customers' ledger entries
still awaiting a decision, counted for the subject's manager (their units' people and units,
never themself) and for those who decide entries (``ledger.decide``), leading to the ledger
filtered on them."""

from __future__ import annotations

from collections.abc import Iterator

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from saas.auth.accounts import TenantPrincipal
from saas.auth.guard import actor_for
from saas.home.todos import Todo, todo_source
from saas.ledger.service import entry_clause
from saas.models.ledger import EntrySource, EntryValidity, LedgerEntry
from saas.models.user import Role


@todo_source
def feedback_todos(session: Session, principal: TenantPrincipal) -> Iterator[Todo]:
    actor = actor_for(principal)
    if not actor.can("ledger.view"):
        return
    if not (actor.has_role(Role.MANAGER) or actor.can("ledger.decide")):
        return  # an inspector reads the ledger but does not follow customers up
    count = session.scalar(
        select(func.count())
        .select_from(LedgerEntry)
        .where(
            entry_clause(actor, "ledger.view"),
            LedgerEntry.source == EntrySource.CUSTOMER,
            LedgerEntry.validity == EntryValidity.PENDING,
            LedgerEntry.withdrawn_at.is_(None),
        )
    )
    yield Todo(
        "feedback.pending",
        _("Customer feedback to handle"),
        count or 0,
        url_for("ledger.index", source=EntrySource.CUSTOMER.value, validity="pending"),
    )
