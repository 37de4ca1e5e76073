"""Jobs through a real Redis and a real `kaohe worker` process."""

import re
import time

import pytest
from rq.job import Job

from saas.platform.onboarding import resume_tenant, suspend_tenant
from tests.conftest import csrf_token, login
from workers.queues import job_queue, redis_connection
from workers.runtime import TenantUnavailable, tenant_context


def start_demo(browser, tenant) -> str:
    token = csrf_token(browser, f"/t/{tenant.slug}/")
    response = browser.post(
        f"/t/{tenant.slug}/jobs/demo", headers={"HX-Request": "true", "X-CSRFToken": token}
    )
    assert response.status_code == 200
    return re.search(r'data-job-id="([^"]+)"', response.get_data(as_text=True)).group(1)


def poll_until_done(browser, tenant, job_id, timeout=60.0) -> tuple[list[int], str]:
    seen, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = browser.get(f"/t/{tenant.slug}/jobs/{job_id}").get_data(as_text=True)
        seen.append(int(re.search(r'value="(\d+)"', body).group(1)))
        if "job-done" in body or "job-failed" in body:
            return seen, body
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not finish; progress seen: {seen}")


def test_demo_job_round_trip_reports_progress_and_reads_its_tenant(app, worker, tenant):
    browser = app.test_client()
    login(browser, tenant)
    job_id = start_demo(browser, tenant)
    seen, final = poll_until_done(browser, tenant, job_id)
    assert "job-done" in final and seen[-1] == 100
    assert any(0 < value < 100 for value in seen), seen  # the bar moved in between
    assert seen == sorted(seen)
    job = Job.fetch(job_id, connection=app.extensions["kaohe.redis"])
    assert job.return_value() == {"tenant": tenant.slug, "steps": 10, "users": 1}
    assert job.meta["tenant"] == tenant.slug


def test_another_tenant_cannot_poll_the_job(app, worker, make_tenant):
    alpha, beta = make_tenant(), make_tenant()
    owner, other = app.test_client(), app.test_client()
    login(owner, alpha)
    login(other, beta)
    job_id = start_demo(owner, alpha)
    assert other.get(f"/t/{beta.slug}/jobs/{job_id}").status_code == 404
    assert other.get(f"/t/{alpha.slug}/jobs/{job_id}").status_code == 302
    assert app.test_client().get(f"/t/{alpha.slug}/jobs/{job_id}").status_code == 302
    assert owner.get(f"/t/{alpha.slug}/jobs/not-a-job").status_code == 404


def test_job_context_refuses_missing_and_suspended_tenants(settings, db, tenant):
    with pytest.raises(TenantUnavailable, match="does not exist"):
        tenant_context("no-such-tenant", settings)
    with pytest.raises(TenantUnavailable):
        tenant_context("../etc", settings)
    suspend_tenant(db, tenant.slug)
    try:
        with pytest.raises(TenantUnavailable, match="suspended"):
            tenant_context(tenant.slug, settings)
    finally:
        resume_tenant(db, tenant.slug)
    assert tenant_context(tenant.slug, settings).tenant.slug == tenant.slug


def test_a_job_for_a_suspended_tenant_fails_loudly_in_the_worker(settings, db, worker, tenant):
    from workers.demo import count_in_steps

    suspend_tenant(db, tenant.slug)
    try:
        queue = job_queue(settings, redis_connection(settings))
        job = queue.enqueue(count_in_steps, tenant.slug, 1, 0)
        deadline = time.monotonic() + 30
        while job.get_status(refresh=True) not in ("failed", "finished"):
            assert time.monotonic() < deadline, "worker never picked the job up"
            time.sleep(0.1)
        assert job.get_status() == "failed"
        assert "suspended" in job.latest_result().exc_string
    finally:
        resume_tenant(db, tenant.slug)
