"""Account jobs: print a sheet of set-up links (saas/accounts/sheets.py).

The job takes the tenant slug and the sheet id, never a link. It is idempotent: a sheet that
has its PDF is left as it is, so a re-run (a retry, the sheet page asking again) neither
prints a second set of links nor spoils the links of a sheet already handed out.
"""

from __future__ import annotations

from sqlalchemy import select

from saas.accounts.sheets import sheet_pdf
from saas.models.tokens import AccountSheet
from tenants.db import utcnow
from workers.progress import report
from workers.runtime import JobContext, tenant_job


class SheetGone(LookupError):
    """No such sheet in the job's tenant."""


@tenant_job
def print_setup_sheet(ctx: JobContext, sheet_id: int) -> dict[str, int]:
    with ctx.db.tenant(ctx.schema) as session:
        sheet = session.scalar(
            select(AccountSheet).where(AccountSheet.id == sheet_id).with_for_update()
        )
        if sheet is None:
            raise SheetGone(f"no set-up sheet {sheet_id} in {ctx.tenant.slug!r}")
        if sheet.pdf is None:
            report(10, "loading")
            sheet.pdf = sheet_pdf(session, sheet, ctx.tenant, ctx.settings.base_url, report)
            sheet.rendered_at = utcnow()
            report(90, "storing")
        return {"sheet_id": sheet.id, "people": sheet.people}
