"""Import jobs: check or commit one uploaded spreadsheet of a tenant.

Each job takes the tenant slug, the batch id and the id of the admin who started it, works
in that tenant's schema only, and reports progress for the batch page's progress bar. Both
are idempotent: a check of a committed batch and a commit of a committed batch change nothing.
"""

from __future__ import annotations

from typing import Any

from saas.auth.logins import audit_name
from saas.imports.batches import check_batch, commit_batch
from saas.models.user import Role, User
from workers.progress import report
from workers.runtime import JobContext, tenant_job


class ImportRefused(RuntimeError):
    """The batch is gone, or the user who started the job may no longer import."""


@tenant_job
def check_import(ctx: JobContext, batch_id: int, user_id: int) -> dict[str, Any]:
    with ctx.db.tenant_session(ctx.schema) as session:
        done = check_batch(session, batch_id, progress=report)
    if done is None:
        raise ImportRefused(f"no import batch {batch_id} in {ctx.tenant.slug!r}")
    return done.as_dict()


@tenant_job
def commit_import(ctx: JobContext, batch_id: int, user_id: int) -> dict[str, Any]:
    with ctx.db.tenant_session(ctx.schema) as session:
        user = session.get(User, user_id)
        # Checked again here: the admin may have lost the role while the job waited.
        if user is None or not user.is_active_account or not user.has_role(Role.TENANT_ADMIN):
            raise ImportRefused(f"user {user_id} of {ctx.tenant.slug!r} may not import")
        actor = audit_name(session, user)
        session.rollback()
        done = commit_batch(session, ctx.schema, batch_id, actor, progress=report)
    if done is None:
        raise ImportRefused(f"no import batch {batch_id} in {ctx.tenant.slug!r}")
    return done.as_dict()
