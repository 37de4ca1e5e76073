"""The job runtime through a real Redis and a real `kaohe worker` process: jobs run without a
Flask app, the same work queued twice runs once, and timeouts and retries come from
workers/defaults.py through the one enqueue path."""

from __future__ import annotations

import dataclasses
import re
import secrets
import threading
import time
from pathlib import Path

import pytest
from rq import Queue
from rq.job import Job
from rq.utils import import_attribute
from sqlalchemy import select

from saas.models.user import User
from saas.platform.onboarding import resume_tenant, suspend_tenant
from tenants.slugs import schema_for
from tests.conftest import login
from tests.job_probes import COUNT_AND_WAIT, WHERE_AM_I
from workers import defaults
from workers.defaults import JobPolicy
from workers.enqueue import KINDS, JobKind, enqueue, job_id
from workers.queues import redis_connection
from workers.runtime import TenantUnavailable, tenant_context

ROOT = Path(__file__).resolve().parent.parent


def wait_for(job: Job, timeout: float = 60.0) -> Job:
    """The job, fetched again once the worker has finished or failed it."""
    deadline = time.monotonic() + timeout
    while job.get_status(refresh=True) not in ("finished", "failed"):
        assert time.monotonic() < deadline, f"the worker never finished {job.id}"
        time.sleep(0.05)
    return Job.fetch(job.id, connection=job.connection)


def wait_for_progress(job: Job, percent: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while job.get_meta(refresh=True).get("progress") != percent:
        assert time.monotonic() < deadline, f"{job.id} never reported {percent} %"
        time.sleep(0.05)


def poll_until_done(browser, tenant, job_id: str, timeout: float = 60.0) -> tuple[list[int], str]:
    """Poll the progress fragment as the page does; the percentages seen and the last body."""
    seen, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = browser.get(f"/t/{tenant.slug}/jobs/{job_id}").get_data(as_text=True)
        seen.append(int(re.search(r'value="(\d+)"', body).group(1)))
        if "job-done" in body or "job-failed" in body:
            return seen, body
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not finish; progress seen: {seen}")


def probe_keys(settings) -> tuple[str, str]:
    prefix = f"kaohe-test:{settings.queue_name}:{secrets.token_hex(4)}"
    return f"{prefix}:runs", f"{prefix}:gate"


def test_a_job_runs_in_a_worker_that_never_imported_the_flask_app(settings, worker, tenant):
    job = wait_for(enqueue(WHERE_AM_I, tenant.slug, settings=settings))
    assert job.get_status() == "finished", job.latest_result().exc_string
    seen = job.return_value()
    assert seen["saas.app"] is False
    assert seen["flask"] is False
    assert seen["saas.web"] is False
    assert seen["pid"] != worker.pid  # a work horse forked from the worker
    assert (seen["tenant"], seen["users"]) == (tenant.slug, 1)  # read its own tenant's schema
    assert job.meta["progress"] == 100 and job.meta["stage"] == "done"
    assert (job.meta["tenant"], job.meta["kind"]) == (tenant.slug, WHERE_AM_I.name)


def test_the_same_work_queued_twice_runs_once(settings, worker, tenant):
    redis = redis_connection(settings)
    runs, gate = probe_keys(settings)
    first = enqueue(COUNT_AND_WAIT, tenant.slug, runs, gate, settings=settings)
    queued_again = enqueue(COUNT_AND_WAIT, tenant.slug, runs, gate, settings=settings)
    wait_for_progress(first, 50)  # running now, held at the gate
    while_running = enqueue(COUNT_AND_WAIT, tenant.slug, runs, gate, settings=settings)
    assert first.id == queued_again.id == while_running.id
    assert first.id == job_id(settings.queue_name, COUNT_AND_WAIT, tenant.slug, (runs, gate))
    redis.set(gate, "open", ex=60)
    assert wait_for(first).return_value() == 1
    assert int(redis.get(runs)) == 1

    # Finished work may be asked for again: it runs again, under the same key.
    again = wait_for(enqueue(COUNT_AND_WAIT, tenant.slug, runs, gate, settings=settings))
    assert again.id == first.id and again.return_value() == 2
    # Other ids are other work.
    other = enqueue(COUNT_AND_WAIT, tenant.slug, runs, gate, key=("other",), settings=settings)
    assert other.id != first.id and wait_for(other).return_value() == 3


def test_racing_callers_queue_one_job(settings, worker, tenant):
    redis = redis_connection(settings)
    runs, gate = probe_keys(settings)
    ids: list[str] = []
    start = threading.Barrier(8)

    def click() -> None:
        start.wait()
        ids.append(enqueue(COUNT_AND_WAIT, tenant.slug, runs, gate, settings=settings).id)

    threads = [threading.Thread(target=click) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(ids) == 8 and len(set(ids)) == 1
    redis.set(gate, "open", ex=60)
    wait_for(Job.fetch(ids[0], connection=redis))
    time.sleep(0.5)  # a duplicate in the queue would have started by now
    assert int(redis.get(runs)) == 1


def test_every_kind_takes_its_timeout_and_retries_from_the_defaults_module(settings, tenant):
    policies = [value for value in vars(defaults).values() if isinstance(value, JobPolicy)]
    # A queue no worker listens to: the jobs are only inspected, never run.
    idle = dataclasses.replace(settings, queue_name=f"{settings.queue_name}-idle")
    connection = redis_connection(settings)
    try:
        for kind in KINDS:
            assert any(kind.policy is policy for policy in policies), kind
            assert callable(import_attribute(kind.function)), kind
            queued = enqueue(kind, tenant.slug, 1, 2, settings=idle, connection=connection)
            job = Job.fetch(queued.id, connection=connection)
            policy = kind.policy
            assert job.timeout == policy.timeout
            assert job.retries_left == policy.retries
            assert job.retries_left == 0 or job.retry_intervals == list(policy.retry_intervals)
            assert (job.result_ttl, job.failure_ttl) == (policy.result_ttl, policy.failure_ttl)
            assert job.meta["kind"] == kind.name and job.func_name == kind.function
    finally:
        Queue(idle.queue_name, connection=connection).delete(delete_jobs=True)


def test_only_the_enqueue_path_gives_rq_timeouts_and_retries():
    allowed = {ROOT / "workers" / "enqueue.py"}
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("saas", "workers", "tenants")
        for path in (ROOT / folder).rglob("*.py")
        if path not in allowed
        and re.search(r"job_timeout=|\bRetry\(|\.enqueue\(|enqueue_call\(", path.read_text())
    ]
    assert not offenders, f"queue jobs through workers.enqueue.enqueue only: {offenders}"


def test_the_worker_applies_a_kinds_retries_and_timeout(settings, worker, tenant):
    redis = redis_connection(settings)
    runs, _gate = probe_keys(settings)
    flaky = JobKind(
        "probe_flaky", "tests.job_probes.fail_first_time", JobPolicy(30, retry_intervals=(0,))
    )
    job = wait_for(enqueue(flaky, tenant.slug, runs, settings=settings))
    assert job.get_status() == "finished" and job.return_value() == 2
    assert int(redis.get(runs)) == 2  # failed once, retried once

    slow = JobKind("probe_slow", "tests.job_probes.sleep_for", JobPolicy(1, retry_intervals=()))
    job = wait_for(enqueue(slow, tenant.slug, 20, settings=settings))
    assert job.get_status() == "failed"
    assert "JobTimeoutException" in job.latest_result().exc_string


def test_job_context_refuses_missing_and_suspended_tenants(settings, db, tenant):
    with pytest.raises(TenantUnavailable, match="does not exist"):
        tenant_context("no-such-tenant", settings)
    with pytest.raises(TenantUnavailable):
        tenant_context("../etc", settings)
    suspend_tenant(db, tenant.slug, "unpaid invoice")
    try:
        with pytest.raises(TenantUnavailable, match="suspended"):
            tenant_context(tenant.slug, settings)
    finally:
        resume_tenant(db, tenant.slug)
    assert tenant_context(tenant.slug, settings).tenant.slug == tenant.slug


def test_a_job_for_a_suspended_tenant_fails_loudly_and_is_not_retried(settings, db, worker, tenant):
    # A retry would be scheduled ten minutes out, leaving the job "scheduled", not "failed".
    retried = dataclasses.replace(WHERE_AM_I, policy=JobPolicy(30, retry_intervals=(600,)))
    suspend_tenant(db, tenant.slug, "unpaid invoice")
    try:
        job = wait_for(enqueue(retried, tenant.slug, settings=settings), timeout=30)
        assert job.get_status() == "failed"
        assert "suspended" in job.latest_result().exc_string
    finally:
        resume_tenant(db, tenant.slug)


def _admin_id(db, tenant) -> int:
    with db.tenant(schema_for(tenant.slug)) as session:
        return session.scalar(select(User.id).where(User.email == tenant.admin_email))


def test_only_the_user_who_queued_a_job_follows_its_progress(
    app, db, settings, worker, make_tenant
):
    alpha, beta = make_tenant(), make_tenant()
    owner, other = app.test_client(), app.test_client()
    login(owner, alpha)
    login(other, beta)
    runs, gate = probe_keys(settings)
    job = enqueue(
        COUNT_AND_WAIT, alpha.slug, runs, gate, user_id=_admin_id(db, alpha), settings=settings
    )
    wait_for_progress(job, 50)
    page = owner.get(f"/t/{alpha.slug}/jobs/{job.id}").get_data(as_text=True)
    assert 'value="50"' in page and "hx-get" in page  # the bar polls on
    assert other.get(f"/t/{beta.slug}/jobs/{job.id}").status_code == 404
    assert other.get(f"/t/{alpha.slug}/jobs/{job.id}").status_code == 302
    assert app.test_client().get(f"/t/{alpha.slug}/jobs/{job.id}").status_code == 302
    assert owner.get(f"/t/{alpha.slug}/jobs/not-a-job").status_code == 404
    redis_connection(settings).set(gate, "open", ex=60)
    seen, final = poll_until_done(owner, alpha, job.id)
    assert "job-done" in final and seen[-1] == 100 and seen == sorted(seen)
