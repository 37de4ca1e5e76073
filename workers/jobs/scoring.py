"""The scoring run of a cycle: read its inputs at one instant, score every subject, write the
results in one transaction (saas/runs/service.py says the whole life of a run).

The job takes the tenant slug, the cycle id, the run id and the id of the admin who started
it. It is safe to run again: a retry (after a crash, a killed worker or a transient database
error) finds its run still "running" and does all of it again from the start; results are
written only at the end, in the transaction that marks the run finished, so a retry never
duplicates a row and gives the same rows. A run already finished or failed is left alone.
"""

from __future__ import annotations

from typing import Any

from rq import get_current_job

from saas.models.cycle import CycleStatus, RunStatus
from saas.runs.inputs import DEFAULT_ZONE, DamagedInput, without_collecting
from saas.runs.service import fail_run, finish_run, load_run, score
from saas.scoring.engine import ScoringInputError
from workers.progress import report
from workers.runtime import JobContext, tenant_job


class RunGone(RuntimeError):
    """The run does not exist in this tenant or belongs to another cycle."""


# Errors that come back identically on every try: the run fails at once, without retries.
_FOR_GOOD = (DamagedInput, ScoringInputError, RunGone)


@tenant_job
def score_cycle(ctx: JobContext, cycle_id: int, run_id: int, user_id: int) -> dict[str, Any]:
    with ctx.db.tenant_session(ctx.schema) as session:
        try:
            # A run holds a million small objects at once; none of them in a reference cycle.
            return without_collecting(_run, session, cycle_id, run_id, ctx.tenant.time_zone)
        except Exception as error:
            session.rollback()
            if isinstance(error, _FOR_GOOD) or not _will_retry():
                _give_up()
                if fail_run(session, run_id, f"{type(error).__name__}: {error}") is not None:
                    session.commit()
            raise


def _run(session, cycle_id: int, run_id: int, zone: str = DEFAULT_ZONE) -> dict[str, Any]:
    report(5, "loading")
    run, inputs = load_run(session, run_id, zone)
    if run is None or run.cycle_id != cycle_id:
        raise RunGone(f"no scoring run {run_id} of cycle {cycle_id}")
    outcome = {"run_id": run.id, "cycle_id": cycle_id, "number": run.number}
    session.rollback()  # the snapshot only read
    if inputs is None:  # finished or failed already (a retry after the commit)
        return {**outcome, "status": run.status, "subjects": run.subjects}
    if inputs.status != CycleStatus.SCORING:
        if fail_run(session, run_id, f"the cycle is {inputs.status}, no longer scoring"):
            session.commit()
        return {**outcome, "status": RunStatus.FAILED.value, "subjects": 0}
    report(30, "scoring")
    results = score(inputs)
    report(65, "storing")
    finished = finish_run(session, run_id, inputs, results)
    session.commit()
    if finished is None:
        return {**outcome, "status": RunStatus.FAILED.value, "subjects": 0}
    return {**outcome, "status": finished.status, "subjects": finished.subjects}


def _will_retry() -> bool:
    job = get_current_job()
    return job is not None and (job.retries_left or 0) > 0


def _give_up() -> None:
    job = get_current_job()
    if job is not None:
        job.retries_left = 0
