"""Checking and committing one uploaded ImportBatch, the same way in a request and in a job.

``ImportBatch.errors`` holds the check's findings as plain JSON: first an entry with the code
"summary" (rows that are new, changed or unchanged per kind; columns the file has that Kaohe
ignores; the first rows it creates or changes, field by field, see ``preview``), then one entry
per problem (kind, row, column, value, code, params).

A commit takes a per-tenant advisory lock, checks the file again against the organisation as
it is now (someone may have changed it since the preview), and writes everything or nothing.
Re-running the commit of a committed batch does nothing.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from saas.imports import apply
from saas.imports.columns import KINDS
from saas.imports.formats import Workbook, read_workbook
from saas.imports.preview import planned_rows
from saas.imports.validate import CheckResult, check, load_snapshot
from saas.models.audit import record
from saas.models.imports import ImportBatch
from tenants.db import utcnow

SUMMARY = "summary"
# Up to this many rows a check or commit runs inside the request; more go to a worker.
INLINE_ROWS = 500


def _quiet(percent: int, stage: str) -> None:
    return None


@dataclass
class Outcome:
    batch_id: int
    status: str
    error_count: int
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    committed_now: bool = False

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def summary(batch: ImportBatch) -> dict[str, Any]:
    entries = batch.errors or []
    return next((e for e in entries if e.get("code") == SUMMARY), {})


def problems(batch: ImportBatch) -> list[dict[str, Any]]:
    return [e for e in batch.errors or [] if e.get("code") != SUMMARY]


def outcome(batch: ImportBatch, committed_now: bool = False) -> Outcome:
    return Outcome(
        batch.id, batch.status, batch.error_count, summary(batch).get("counts", {}), committed_now
    )


def read_batch(batch: ImportBatch) -> Workbook:
    chosen = batch.kind if batch.kind in KINDS else None
    return read_workbook(batch.content, batch.filename, chosen)


def _locked_batch(session: Session, batch_id: int) -> ImportBatch | None:
    return session.scalar(
        select(ImportBatch)
        .where(ImportBatch.id == batch_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def _store(batch: ImportBatch, result: CheckResult) -> None:
    head = {
        "code": SUMMARY,
        "counts": result.counts,
        "ignored": result.ignored_columns,
        "planned": planned_rows(result),
    }
    batch.errors = [head, *result.problems]
    batch.error_count = len(result.problems)
    batch.status = "checked"


def _run_check(session: Session, batch: ImportBatch, progress) -> tuple[CheckResult, Any]:
    progress(5, "loading")
    workbook = read_batch(batch)
    progress(20, "loading")
    snapshot = load_snapshot(session)
    progress(30, "loading")
    result = check(workbook, snapshot)
    _store(batch, result)
    return result, snapshot


def check_batch(session: Session, batch_id: int, progress=_quiet) -> Outcome | None:
    """Check a batch and store what was found; a committed or discarded batch is left alone."""
    try:
        batch = _locked_batch(session, batch_id)
        if batch is None:
            return None
        if batch.status in ("uploaded", "checked"):
            _run_check(session, batch, progress)
        progress(95, "storing")
        session.commit()
        return outcome(batch)
    except BaseException:
        session.rollback()
        raise


def _lock_tenant_imports(session: Session, schema: str) -> None:
    # One commit at a time per tenant: each checks against what the one before it wrote.
    session.execute(select(func.pg_advisory_xact_lock(func.hashtext(f"kaohe-import:{schema}"))))


def commit_batch(
    session: Session, schema: str, batch_id: int, actor: str, progress=_quiet
) -> Outcome | None:
    """Check again and write the batch in one transaction; all or nothing."""
    try:
        _lock_tenant_imports(session, schema)
        batch = _locked_batch(session, batch_id)
        if batch is None:
            return None
        if batch.status != "checked" or batch.error_count:
            unchanged = outcome(batch)  # a committed batch ends here: re-running adds nothing
            session.rollback()
            return unchanged
        result, snapshot = _run_check(session, batch, progress)
        if not result.problems:
            apply.apply_plan(session, result, snapshot, actor, progress)
            _mark_committed(session, batch, actor)
        progress(95, "storing")
        session.commit()
        return outcome(batch, committed_now=batch.status == "committed")
    except BaseException:
        session.rollback()
        raise


def _mark_committed(session: Session, batch: ImportBatch, actor: str) -> None:
    batch.status = "committed"
    batch.committed_at = utcnow()
    record(
        session,
        actor=actor,
        action="import.committed",
        record_type="import_batch",
        record_id=batch.id,
        after={
            "filename": batch.filename,
            "rows": batch.row_count,
            "counts": summary(batch).get("counts", {}),
        },
    )


def discard_batch(session: Session, batch: ImportBatch) -> bool:
    """Drop an uncommitted upload's content; a committed batch stays as the record of it."""
    if batch.status == "committed":
        return False
    batch.status = "discarded"
    batch.content = b""
    batch.errors = None
    batch.error_count = 0
    return True


def new_batch(
    session: Session, workbook: Workbook, filename: str, content: bytes, user_id: int
) -> ImportBatch:
    batch = ImportBatch(
        kind=workbook.kind,
        filename=filename[-255:],
        content=content,
        status="uploaded",
        row_count=workbook.row_count,
        error_count=0,
        created_by=user_id,
    )
    session.add(batch)
    session.flush()
    return batch


def is_large(batch: ImportBatch) -> bool:
    return batch.row_count > INLINE_ROWS
