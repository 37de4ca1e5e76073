"""Feedback jobs: print a unit's customer feedback cards (saas/feedback/cards.py).

The job takes the tenant slug, the unit id, the user who asked and the chosen subjects (ids,
never a token). The PDF waits in Redis under the job's id for an hour (it holds working
links, so it is kept no longer); the new links commit only after it is stored, so a failed
job leaves the old links working and a retry prints afresh.
"""

from __future__ import annotations

from rq import get_current_job

from saas.feedback.cards import CARDS_TTL, parse_chosen, pdf_key, print_cards
from workers.progress import report
from workers.queues import redis_connection
from workers.runtime import JobContext, tenant_job


@tenant_job
def print_feedback_cards(
    ctx: JobContext, unit_id: int, user_id: int, chosen: str
) -> dict[str, int | bool]:
    job = get_current_job()
    key = pdf_key(ctx.settings.queue_name, job.id if job is not None else "direct")
    redis = redis_connection(ctx.settings)
    try:
        with ctx.db.tenant(ctx.schema) as session:
            report(10, "loading")
            printed = print_cards(
                session,
                ctx.tenant,
                ctx.settings.base_url,
                unit_id,
                user_id,
                parse_chosen(chosen),
                report,
            )
            report(90, "storing")
            redis.set(key, printed.pdf, ex=CARDS_TTL)
    except BaseException:
        redis.delete(key)  # links not made: the PDF's would not work
        raise
    return {"unit_id": unit_id, "cards": printed.cards, "tent": printed.tent}
