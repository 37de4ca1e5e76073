"""Inspection jobs: the signed report of a finished inspection (saas/inspections/report.py).

Idempotent: an inspection that has its report keeps it, so a retry or a second queueing
changes nothing; one that is not done (cancelled meanwhile, say) gets none.
"""

from __future__ import annotations

from saas.inspections.report import issue_report
from workers.progress import report
from workers.runtime import JobContext, tenant_job


@tenant_job
def render_inspection_report(ctx: JobContext, inspection_id: int) -> dict[str, int | str | None]:
    serial = issue_report(ctx, inspection_id, report)
    return {"inspection_id": inspection_id, "serial": serial}
