"""Statement jobs. Each takes a tenant slug and ids, opens its own tenant session, and
reports progress in ``job.meta`` for the UI's progress bar."""

from __future__ import annotations

from saas.statements.sample import issue_sample_statement
from workers.progress import report
from workers.runtime import JobContext, tenant_job


@tenant_job
def generate_sample_statement(ctx: JobContext, user_id: int) -> dict[str, int | str]:
    """Issue a sample statement for one user of a tenant.

    A re-run issues another sample with a new serial; samples are not assessment results,
    so several of them are harmless (and the idempotency key keeps a double click to one).
    """
    statement = issue_sample_statement(ctx, user_id, report, actor="job:sample-statement")
    return {"statement_id": statement.id, "serial": statement.serial}
