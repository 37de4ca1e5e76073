"""Scoring runs in a real `kaohe worker`: a run started from the page, followed by its
progress bar; a work horse killed with SIGKILL while it writes, the job retried: identical
results and no duplicates."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import psycopg
from sqlalchemy import func, select

from saas.models.cycle import CycleResult, ScoringRun
from tests.conftest import csrf_token, login
from tests.runs.conftest import make_ready
from tests.runs.helpers import results, score_now, start, without_run
from tests.test_jobs import poll_until_done, wait_for, wait_for_progress
from workers.enqueue import SCORING_RUN, enqueue


def _horse(worker) -> int:
    """The worker's work horse: its newest child (the other is the scheduler, forked when
    the worker started)."""
    path = Path(f"/proc/{worker.pid}/task/{worker.pid}/children")
    children = [int(pid) for pid in path.read_text().split()]

    def started(pid: int) -> int:
        stat = Path(f"/proc/{pid}/stat").read_text()
        return int(stat.rsplit(")", 1)[1].split()[19])

    return max(children, key=started)


def _waiting_on_a_lock(database_url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    with psycopg.connect(database_url, autocommit=True) as watcher:
        while True:
            waiting = watcher.execute(
                "select count(*) from pg_stat_activity where wait_event_type = 'Lock'"
                " and query ilike '%cycle_result%'"
            ).fetchone()[0]
            if waiting:
                return
            assert time.monotonic() < deadline, "the job never reached its write"
            time.sleep(0.05)


def test_a_worker_killed_while_writing_is_retried_to_identical_results(
    db, settings, worker, make_tenant
):
    ready = make_ready(db, make_tenant, people=40)
    expected = without_run(results(db, ready)) or None
    run_id = start(db, ready)
    url = settings.database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url) as blocker:
        # Hold the results table: the job reads and scores, then waits at its write.
        blocker.execute(f'lock table "{ready.schema}".cycle_result in exclusive mode')
        job = enqueue(
            SCORING_RUN,
            ready.slug,
            ready.cycle_id,
            run_id,
            ready.admin_id,
            key=(ready.cycle_id, run_id),
            user_id=ready.admin_id,
            settings=settings,
        )
        wait_for_progress(job, 65)
        _waiting_on_a_lock(url)
        os.kill(_horse(worker), signal.SIGKILL)
        time.sleep(0.5)
        blocker.rollback()  # the killed write gets the table and finds its client gone
    done = wait_for(job, timeout=90)
    assert done.get_status() == "finished", done.latest_result().exc_string
    assert done.retries_left < SCORING_RUN.policy.retries  # it was retried
    assert done.return_value()["subjects"] == 40
    with db.tenant(ready.schema) as session:
        run = session.get(ScoringRun, run_id)
        assert (run.status, run.subjects, run.error) == ("finished", 40, None)
        counts = session.execute(
            select(CycleResult.cycle_subject_id, func.count())
            .group_by(CycleResult.cycle_subject_id)
            .having(func.count() > 1)
        ).all()
        assert counts == []  # no duplicates
    killed_then_retried = results(db, ready)
    assert len(killed_then_retried) == 40
    assert expected is None
    # A run in the test process, from scratch, gives the very same rows and traces.
    score_now(db, ready)
    assert without_run(results(db, ready)) == without_run(killed_then_retried)


def test_the_admin_runs_scoring_and_watches_the_progress_bar(app, db, worker, make_tenant):
    ready = make_ready(db, make_tenant, people=12)
    client = app.test_client()
    login(client, ready.org.tenant)
    page = client.get(ready.url())
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "run-scoring" in body and "has not been scored yet" in body
    token = csrf_token(client, ready.url())
    started = client.post(ready.url(), data={"csrf_token": token})
    assert started.status_code == 303
    body = client.get(ready.url()).get_data(as_text=True)
    assert "Scoring run 1 started." in body
    with db.tenant(ready.schema) as session:
        job_id = session.scalar(select(ScoringRun.job_id))
    if 'data-job-id="' in body:  # not finished yet: the bar polls
        _seen, final = poll_until_done(client, ready.org.tenant, job_id)
        assert "job-done" in final and "Scoring run 1 finished." in final
    body = client.get(ready.url()).get_data(as_text=True)
    assert "Latest results: run 1" in body and "12 subjects scored" in body
    assert "Nothing has changed since run 1" in body
    assert len(results(db, ready)) == 12
