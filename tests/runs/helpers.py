"""Run a scoring run in the test process, as the job does it (workers/jobs/scoring.py)."""

from __future__ import annotations

from sqlalchemy import select

from saas.models.cycle import CycleResult, ScoringRun
from saas.runs.service import start_run
from workers.jobs.scoring import _run


def start(db, ready, **options) -> int:
    with db.tenant(ready.schema) as session:
        run = start_run(session, ready.actor(), ready.cycle_id, **options)
        return run.id


def run_job(db, ready, run_id: int) -> dict:
    with db.tenant_session(ready.schema) as session:
        return _run(session, ready.cycle_id, run_id)


def score_now(db, ready) -> int:
    run_id = start(db, ready)
    outcome = run_job(db, ready, run_id)
    assert outcome["status"] == "finished", outcome
    return run_id


def results(db, ready) -> list[tuple]:
    """Every result row of the cycle (whatever run), without ids, by subject."""
    with db.tenant(ready.schema) as session:
        rows = session.execute(
            select(
                CycleResult.run_id,
                CycleResult.cycle_subject_id,
                CycleResult.unit_id,
                CycleResult.excluded,
                CycleResult.final,
                CycleResult.band,
                CycleResult.award,
                CycleResult.fines,
                CycleResult.pay_coefficient,
                CycleResult.consequence,
                CycleResult.disqualified,
                CycleResult.disqualified_next,
                CycleResult.breakdown,
                CycleResult.trace,
            )
            .join(ScoringRun, ScoringRun.id == CycleResult.run_id)
            .where(ScoringRun.cycle_id == ready.cycle_id)
            .order_by(CycleResult.cycle_subject_id)
        ).all()
    return [tuple(row) for row in rows]


def without_run(rows: list[tuple]) -> list[tuple]:
    return [row[1:] for row in rows]


def run_row(db, ready, run_id: int) -> ScoringRun:
    with db.tenant(ready.schema) as session:
        return session.get(ScoringRun, run_id)
