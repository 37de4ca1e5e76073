"""Statement jobs. Each takes a tenant slug and ids, opens its own tenant session, and
reports progress in ``job.meta`` for the UI's progress bar."""

from __future__ import annotations

from collections.abc import Callable

from rq import get_current_job

from saas.statements.sample import issue_sample_statement
from workers.runtime import tenant_context


def _job_progress() -> Callable[[int, str], None]:
    job = get_current_job()
    if job is None:  # called directly (a shell, a test): nobody polls

        def ignore(percent: int, stage: str) -> None:
            return None

        return ignore

    def report(percent: int, stage: str) -> None:
        job.meta["progress"] = max(0, min(100, percent))
        job.meta["stage"] = stage
        job.save_meta()

    return report


def generate_sample_statement(slug: str, user_id: int) -> dict[str, int | str]:
    """Issue a sample statement for one user of a tenant.

    Raises TenantUnavailable for a missing or suspended tenant, before touching its data.
    A re-run issues another sample with a new serial; samples are not assessment results,
    so several of them are harmless.
    """
    progress = _job_progress()
    progress(0, "queued")
    ctx = tenant_context(slug)
    statement = issue_sample_statement(ctx, user_id, progress, actor="job:sample-statement")
    return {"statement_id": statement.id, "serial": statement.serial}
