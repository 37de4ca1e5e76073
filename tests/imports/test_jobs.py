"""Large files go through a real RQ worker, with a progress bar, in their own tenant only."""

from __future__ import annotations

import time

from rq.job import Job
from sqlalchemy import select

from saas.models.audit import AuditEntry
from tenants.slugs import schema_for
from tests.imports.conftest import (
    add_levels,
    admin_client,
    batch_id_of,
    commit,
    count_rows,
    counts_of,
    employees_by_number,
    employees_sheet,
    follow_job,
    load_batch,
    person,
    problems_of,
    unit,
    units_sheet,
    upload,
    xlsx,
)
from workers.enqueue import IMPORT_COMMIT, enqueue

NAMES = "张王李赵刘陈杨黄周吴"


def big_workbook(employees: int, bad_row: int | None = None) -> bytes:
    """Ten units and ``employees`` people; spreadsheet row ``bad_row`` names an unknown unit."""
    units = [unit("HQ", "总公司", kind="公司")] + [
        unit(f"D{i}", f"第{i}部门", "HQ", category="一线生产部门") for i in range(1, 10)
    ]
    people = []
    for i in range(employees):
        row = i + 2  # the header is row 1
        unit_code = "NOPE-1" if row == bad_row else f"D{i % 9 + 1}"
        manager = None if i < 9 else f"P{i % 9:05d}"
        people.append(
            person(
                f"P{i:05d}",
                f"{NAMES[i % 10]}{NAMES[(i // 10) % 10]}明",
                unit_code,
                "职员",
                "员工",
                "合同制",
                manager,
            )
        )
    return xlsx({"部门": units_sheet(*units), "人员": employees_sheet(*people)})


def test_a_1000_row_file_with_one_bad_row_commits_nothing(app, db, worker, tenant):
    add_levels(db, tenant.slug, "员工")
    client = admin_client(app, tenant)
    batch_id = batch_id_of(upload(client, tenant, big_workbook(999, bad_row=537), "big.xlsx"))
    follow_job(client, tenant, batch_id)
    batch = load_batch(db, tenant, batch_id)
    assert batch.row_count == 1009
    assert [
        (p["kind"], p["row"], p["column"], p["value"], p["code"]) for p in problems_of(batch)
    ] == [("employees", 537, "unit_code", "NOPE-1", "unknown_unit")]
    page = client.get(f"/t/{tenant.slug}/imports/{batch_id}").get_data(as_text=True)
    assert 'data-row="537" data-code="unknown_unit"' in page and "NOPE-1" in page
    assert 'id="commit-button"' not in page
    commit(client, tenant, batch_id)
    assert count_rows(db, tenant.slug)["employees"] == 0
    assert count_rows(db, tenant.slug)["units"] == 0


def test_600_rows_check_and_commit_on_the_worker_in_their_own_tenant(
    app, db, settings, worker, make_tenant
):
    alpha, beta = make_tenant(), make_tenant()
    add_levels(db, alpha.slug, "员工")
    client = admin_client(app, alpha)
    batch_id = batch_id_of(upload(client, alpha, big_workbook(591), "600.xlsx"))
    assert load_batch(db, alpha, batch_id).status == "uploaded"  # not checked in the request

    seen = follow_job(client, alpha, batch_id)
    assert seen[-1] == 100 and seen == sorted(seen)
    batch = load_batch(db, alpha, batch_id)
    assert batch.status == "checked" and batch.error_count == 0
    assert counts_of(batch)["employees"] == {"new": 591, "changed": 0, "unchanged": 0}
    # The finished job's fragment loads the preview in place of the bar.
    page = client.get(f"/t/{alpha.slug}/imports/{batch_id}").get_data(as_text=True)
    assert 'id="commit-button"' in page

    assert commit(client, alpha, batch_id).status_code == 303
    assert count_rows(db, alpha.slug)["employees"] == 0  # the worker writes, not the request
    seen = follow_job(client, alpha, batch_id)
    assert seen[-1] == 100
    done = client.get(f"/t/{alpha.slug}/imports/{batch_id}").get_data(as_text=True)
    assert 'data-status="committed"' in done
    people = employees_by_number(db, alpha.slug)
    assert len(people) == 591 and all(p.initials.endswith("m") for p in people.values())
    assert people["P00010"].manager_id == people["P00001"].id
    assert count_rows(db, alpha.slug)["units"] == 10
    # The other tenant's schema got nothing: no units, no people, no audit rows from the job.
    beta_rows = count_rows(db, beta.slug)
    assert (beta_rows["units"], beta_rows["employees"]) == (0, 0)
    with db.tenant(schema_for(beta.slug)) as session:
        actions = set(session.scalars(select(AuditEntry.action)))
    assert not actions & {"unit.created", "employee.created", "import.committed"}

    # Running the commit job again (as RQ's retry would) writes nothing new.
    audit = count_rows(db, alpha.slug)["audit"]
    # The first commit job has finished, so the same key queues the work afresh.
    user_id = load_batch(db, alpha, batch_id).created_by
    again = enqueue(
        IMPORT_COMMIT, alpha.slug, batch_id, user_id, key=(batch_id,), settings=settings
    )
    result = wait_for(again)
    assert result["status"] == "committed" and result["committed_now"] is False
    assert count_rows(db, alpha.slug)["audit"] == audit
    assert len(employees_by_number(db, alpha.slug)) == 591


def test_a_job_for_tenant_a_with_tenant_b_batch_id_reads_only_tenant_a(
    app, db, settings, worker, make_tenant
):
    alpha, beta = make_tenant(), make_tenant()
    client = admin_client(app, beta)
    beta_batch = batch_id_of(
        upload(
            client, beta, xlsx({"部门": units_sheet(unit("X", "乙方总部", kind="公司"))}), "b.xlsx"
        )
    )
    job = enqueue(IMPORT_COMMIT, alpha.slug, beta_batch, 1, settings=settings)
    wait_for(job, expect="failed")  # alpha has no such batch: refused, nothing touched
    assert count_rows(db, alpha.slug)["units"] == 0 and count_rows(db, beta.slug)["units"] == 0
    assert load_batch(db, beta, beta_batch).status == "checked"


def wait_for(job: Job, expect: str = "finished", timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while job.get_status(refresh=True) not in ("finished", "failed"):
        assert time.monotonic() < deadline, "the worker never finished the job"
        time.sleep(0.1)
    assert job.get_status() == expect, (
        job.latest_result().exc_string if expect == "finished" else ""
    )
    return job.return_value() if expect == "finished" else None
