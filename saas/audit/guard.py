"""The audit log is append-only: sessions refuse to change or delete an audit row.

Without a database trigger (that would need a migration), the ORM is where the rule is kept:
a flush that would UPDATE or DELETE an audit entry, or a bulk ``update()``/``delete()`` aimed
at an audit table, raises instead; and as a last line, any engine refuses to send an UPDATE,
DELETE or TRUNCATE of an audit table, however it was written. Tests also watch the SQL the
application sends.
"""

from __future__ import annotations

import re

from sqlalchemy import Engine, event
from sqlalchemy.orm import ORMExecuteState, Session

from saas.models.audit import AuditEntry, PlatformAuditEntry

AUDIT_MODELS = (AuditEntry, PlatformAuditEntry)
AUDIT_TABLES = frozenset(model.__tablename__ for model in AUDIT_MODELS)
CHANGING_AUDIT_SQL = re.compile(
    r"^\s*(?:UPDATE|DELETE\s+FROM|TRUNCATE(?:\s+TABLE)?)\s+(?:ONLY\s+)?"
    r"(?:\"?[\w$]+\"?\.)?\"?(?:platform_)?audit_entry\b",
    re.IGNORECASE,
)


class AuditIsAppendOnly(RuntimeError):
    """Something tried to change or delete an audit row."""


def _refuse_changed_rows(session: Session, _context, _instances) -> None:
    for entry in session.deleted:
        if isinstance(entry, AUDIT_MODELS):
            raise AuditIsAppendOnly(f"audit entry {entry.id} cannot be deleted")
    for entry in session.dirty:
        if isinstance(entry, AUDIT_MODELS) and session.is_modified(entry):
            raise AuditIsAppendOnly(f"audit entry {entry.id} cannot be changed")


def _refuse_bulk_statements(state: ORMExecuteState) -> None:
    if not (state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if table is not None and getattr(table, "name", None) in AUDIT_TABLES:
        raise AuditIsAppendOnly(f"{table.name} rows cannot be updated or deleted")


def _refuse_sql(_conn, _cursor, statement: str, _params, _context, _executemany) -> None:
    if CHANGING_AUDIT_SQL.match(statement):
        raise AuditIsAppendOnly("audit rows cannot be updated, deleted or truncated")


def install() -> None:
    """Watch every Session in this process; safe to call more than once."""
    if not event.contains(Session, "before_flush", _refuse_changed_rows):
        event.listen(Session, "before_flush", _refuse_changed_rows)
    if not event.contains(Session, "do_orm_execute", _refuse_bulk_statements):
        event.listen(Session, "do_orm_execute", _refuse_bulk_statements)
    if not event.contains(Engine, "before_cursor_execute", _refuse_sql):
        event.listen(Engine, "before_cursor_execute", _refuse_sql)
