"""Lists of statements for pages: one query each, without the PDFs themselves."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from saas.auth.permissions import Actor
from saas.models.statement import SAMPLE_KIND, Statement


@dataclass(frozen=True)
class StatementLine:
    id: int
    serial: str
    kind: str
    issued_at: dt.datetime


def own_statements(session: Session, actor: Actor) -> list[StatementLine]:
    """The statements issued to ``actor``, newest first. Samples are left out: they are
    nobody's statement, only a demonstration of one."""
    rows = session.execute(
        select(Statement.id, Statement.serial, Statement.kind, Statement.created_at)
        .where(Statement.user_id == actor.user_id, Statement.kind != SAMPLE_KIND)
        .order_by(Statement.created_at.desc(), Statement.id.desc())
    )
    return [StatementLine(*row) for row in rows]
