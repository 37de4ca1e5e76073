"""Scoring runs: start one, load and score its inputs, finish or fail it, and say what changed
since a run.

A run's life (docs/scoring-runs.md):

1. An admin starts it (``start_run``) while the cycle is in "scoring": the cycle row is
   locked, so two starts at once are one after the other; the second finds the first
   running and is refused (``RunRefused``, code ``already_running``). The run row is
   numbered per cycle; a partial unique index keeps one running run per cycle.
2. The job (workers/jobs/scoring.py) finds its run by id, reads the cycle in one REPEATABLE
   READ transaction (``load_run``), scores the cohort (``score``), and writes everything in
   one transaction (``finish_run``): the results by COPY, the previous run's results deleted,
   the run marked finished with its fingerprint and input summary. Killed at any point before
   that commit, it leaves nothing behind: the retry finds its run still running and starts
   over.
3. A run that cannot finish is marked failed with its error (``fail_run``); it blocks no new
   run. A run whose job vanished (the worker killed on its last try) is marked failed when
   the next run starts.

This module has no Flask: the job uses it. Refusals carry a code; the pages word them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from saas.auth.permissions import Actor, Refused
from saas.models.audit import record
from saas.models.cycle import Cycle, CycleStatus, RatingSheet, RunStatus, ScoringRun, SheetStatus
from saas.runs.inputs import DEFAULT_ZONE, CycleInputs, inputs_summary, read_cycle
from saas.runs.persist import replace_results
from saas.scoring.cohort import score_cohort
from saas.scoring.engine import Engine
from saas.scoring.result import Result
from tenants.db import utcnow

NOT_SCORING = "not_scoring"
ALREADY_RUNNING = "already_running"
JOB_ACTOR = "scoring run"  # who the audit trail names for what the job itself writes
STOPPED = "The job stopped without finishing (the worker was stopped or restarted)."
ERROR_LIMIT = 2000


class RunRefused(Refused):
    """A run may not start now; ``code`` says why (NOT_SCORING, ALREADY_RUNNING)."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code, self.params = code, params


def find_cycle(session: Session, cycle_id: int, *, lock: bool = False) -> Cycle | None:
    query = select(Cycle).where(Cycle.id == cycle_id)
    if lock:
        query = query.with_for_update()
    return session.scalar(query)


def runs_of(session: Session, cycle_id: int, limit: int = 50) -> list[ScoringRun]:
    """The cycle's latest runs, newest first."""
    return list(
        session.scalars(
            select(ScoringRun)
            .where(ScoringRun.cycle_id == cycle_id)
            .order_by(ScoringRun.number.desc())
            .limit(limit)
        )
    )


def running_run(session: Session, cycle_id: int) -> ScoringRun | None:
    return session.scalar(
        select(ScoringRun).where(
            ScoringRun.cycle_id == cycle_id, ScoringRun.status == RunStatus.RUNNING
        )
    )


def start_run(
    session: Session,
    actor: Actor,
    cycle_id: int,
    *,
    job_alive: Callable[[str | None], bool] = lambda job_id: True,
) -> ScoringRun | None:
    """A new running run of the cycle (None: no such cycle). ``job_alive(job_id)`` says
    whether a running run's job is still queued, running or waiting for a retry; a run whose
    job is gone is marked failed first, so it does not block the cycle for ever."""
    cycle = find_cycle(session, cycle_id, lock=True)  # starts of one cycle queue up here
    if cycle is None:
        return None
    if cycle.status != CycleStatus.SCORING:
        raise RunRefused(NOT_SCORING, status=cycle.status)
    running = running_run(session, cycle.id)
    if running is not None:
        if job_alive(running.job_id):
            raise RunRefused(ALREADY_RUNNING, number=running.number, run_id=running.id)
        _fail(session, running, STOPPED, actor.email)
        session.flush()  # the partial unique index must see it stopped before the new row
    number = (
        session.scalar(
            select(func.coalesce(func.max(ScoringRun.number), 0)).where(
                ScoringRun.cycle_id == cycle.id
            )
        )
        + 1
    )
    run = ScoringRun(
        cycle_id=cycle.id,
        number=number,
        status=RunStatus.RUNNING,
        inputs={},
        subjects=0,
        started_by=actor.user_id,
        started_at=utcnow(),
    )
    session.add(run)
    session.flush()
    record(
        session,
        actor.email,
        "scoring_run.start",
        "scoring_run",
        run.id,
        None,
        {"cycle_id": cycle.id, "number": number, "status": RunStatus.RUNNING.value},
    )
    return run


def attach_job(session: Session, run: ScoringRun, job_id: str) -> None:
    """Remember the run's job, so the page can follow it and a later start can tell a live
    run from one whose worker died."""
    run.job_id = job_id


def load_run(
    session: Session, run_id: int, zone: str = DEFAULT_ZONE
) -> tuple[ScoringRun | None, CycleInputs | None]:
    """The run and, while it is still running, the cycle's inputs as of one instant (``zone``:
    the tenant's time zone, whose days count inspections in the period).

    Must be the first thing in the session's transaction: it makes it REPEATABLE READ, so
    every query sees the same snapshot (a sheet submitted meanwhile counts in the next run).
    The caller ends the transaction (it only read)."""
    session.execute(text("set transaction isolation level repeatable read, read only"))
    run = session.get(ScoringRun, run_id)
    if run is None or run.status != RunStatus.RUNNING:
        return run, None
    return run, read_cycle(session, run.cycle_id, zone)


def score(inputs: CycleInputs) -> list[Result]:
    """Every subject's result, the scheme's eligibility and band quotas applied over the
    cohort (saas/scoring/cohort.py, as `kaohe scheme try` scores); a subject rated by
    inspections has them named first in its trace."""
    results = score_cohort(
        Engine(inputs.scheme), inputs.subjects, inputs.period, inputs.facts, inputs.level_ranks
    )
    if not inputs.evidence:
        return results
    return [_with_evidence(result, inputs.evidence.get(result.subject)) for result in results]


def _with_evidence(result: Result, steps: tuple | None) -> Result:
    if not steps or result.excluded:
        return result
    return dataclasses.replace(result, notes=(*steps, *result.notes))


def finish_run(
    session: Session, run_id: int, inputs: CycleInputs, results: list[Result]
) -> ScoringRun | None:
    """Write the run's results and mark it finished, in the caller's transaction; None when
    the run is no longer running (failed meanwhile): then nothing is written."""
    run = session.scalar(select(ScoringRun).where(ScoringRun.id == run_id).with_for_update())
    if run is None or run.status != RunStatus.RUNNING:
        return None
    count = replace_results(session, run, inputs.rows, results)
    run.status = RunStatus.FINISHED
    run.fingerprint = inputs.fingerprint
    run.inputs = inputs.summary
    run.subjects = count
    run.finished_at = utcnow()
    run.error = None
    record(
        session,
        JOB_ACTOR,
        "scoring_run.finish",
        "scoring_run",
        run.id,
        {"status": RunStatus.RUNNING.value},
        {"status": RunStatus.FINISHED.value, "subjects": count, "fingerprint": run.fingerprint},
    )
    return run


def fail_run(session: Session, run_id: int, error: str) -> ScoringRun | None:
    """Mark a running run failed with its error (in the caller's transaction)."""
    run = session.scalar(select(ScoringRun).where(ScoringRun.id == run_id).with_for_update())
    if run is None or run.status != RunStatus.RUNNING:
        return None
    _fail(session, run, error, JOB_ACTOR)
    return run


def _fail(session: Session, run: ScoringRun, error: str, who: str) -> None:
    run.status = RunStatus.FAILED
    run.error = error[:ERROR_LIMIT]
    run.finished_at = utcnow()
    record(
        session,
        who,
        "scoring_run.fail",
        "scoring_run",
        run.id,
        {"status": RunStatus.RUNNING.value},
        {"status": RunStatus.FAILED.value, "error": run.error},
    )


# -- what changed since a run ----------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    code: str  # sheets_submitted, sheets_withdrawn, sheets_changed, subjects_changed, …
    params: dict[str, Any] = field(default_factory=dict)


def changes_since(
    session: Session, cycle: Cycle, run: ScoringRun, zone: str = DEFAULT_ZONE
) -> list[Change]:
    """What differs between the inputs ``run`` read and the cycle now (two queries); empty
    when a run now would score exactly the same inputs. ``zone``: the tenant's time zone."""
    then = run.inputs or {}
    if not then:
        return []
    now = inputs_summary(session, cycle, zone)
    changes: list[Change] = []
    sheets_then, sheets_now = then.get("sheets", {}), now["sheets"]
    if sheets_then.get("digest") != sheets_now["digest"]:
        taken = then.get("taken_at")
        since = 0
        if taken:
            since = session.scalar(
                select(func.count())
                .select_from(RatingSheet)
                .where(
                    RatingSheet.cycle_id == cycle.id,
                    RatingSheet.status == SheetStatus.SUBMITTED,
                    RatingSheet.submitted_at > dt.datetime.fromisoformat(taken),
                )
            )
        withdrawn = sheets_then.get("submitted", 0) + since - sheets_now["submitted"]
        if since:
            changes.append(Change("sheets_submitted", {"count": since}))
        if withdrawn > 0:
            changes.append(Change("sheets_withdrawn", {"count": withdrawn}))
        if not since and withdrawn <= 0:
            changes.append(Change("sheets_changed"))
    subjects_then, subjects_now = then.get("subjects", {}), now["subjects"]
    if subjects_then.get("digest") != subjects_now["digest"]:
        changes.append(
            Change(
                "subjects_changed",
                {
                    "included_then": subjects_then.get("included", 0),
                    "included_now": subjects_now["included"],
                    "excluded_then": subjects_then.get("excluded", 0),
                    "excluded_now": subjects_now["excluded"],
                },
            )
        )
    goals_then, goals_now = then.get("goals", {}), now["goals"]
    if goals_then.get("digest") != goals_now["digest"]:
        changes.append(
            Change(
                "goals_changed",
                {
                    "approved_then": goals_then.get("approved", 0),
                    "approved_now": goals_now["approved"],
                    "pending_then": goals_then.get("pending", 0),
                    "pending_now": goals_now["pending"],
                },
            )
        )
    if goals_then.get("actuals") != goals_now["actuals"]:
        changes.append(Change("actuals_changed"))
    events_then, events_now = then.get("events", {}), now["events"]
    if events_then.get("digest") != events_now["digest"]:
        changes.append(
            Change(
                "ledger_changed",
                {"then": events_then.get("count", 0), "now": events_now["count"]},
            )
        )
    inspected_then, inspected_now = then.get("inspections"), now["inspections"]
    # A run of an older read policy read no inspections: the policy change says so.
    if inspected_then is not None and inspected_then.get("digest") != inspected_now["digest"]:
        changes.append(
            Change(
                "inspections_changed",
                {"then": inspected_then.get("count", 0), "now": inspected_now["count"]},
            )
        )
    if then.get("levels", {}).get("digest") != now["levels"]["digest"]:
        changes.append(Change("levels_changed"))
    if then.get("policy") != now["policy"]:
        changes.append(Change("policy_changed"))
    return changes
