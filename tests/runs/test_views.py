"""The runs page: who may see it and start a run, another tenant's users, refusals worded
for people, the HTMX fragment and the list with what changed."""

from __future__ import annotations

from sqlalchemy import select

from saas.models.cycle import RatingSheet, ScoringRun
from saas.models.user import Role
from tests.conftest import csrf_token, login
from tests.org.conftest import PASSWORD, add_user
from tests.runs.conftest import make_ready
from tests.runs.helpers import results, score_now, start

HTMX = {"HX-Request": "true", "HX-Target": "runs"}


def _client(app, db, ready, role: Role | None = None):
    client = app.test_client()
    if role is None:
        login(client, ready.org.tenant)
        return client
    email = f"{role.value}@runs.example.com"
    with db.tenant(ready.schema) as session:
        add_user(session, email, role)
    login(client, ready.org.tenant, password=PASSWORD, email=email)
    return client


def test_roles_without_scoring_run_cannot_start_a_run(app, db, make_tenant):
    ready = make_ready(db, make_tenant, people=2)
    for role in (Role.COMMITTEE, Role.MANAGER, Role.EMPLOYEE, Role.INSPECTOR):
        client = _client(app, db, ready, role)
        token = csrf_token(client, f"/t/{ready.slug}/login")
        assert client.post(ready.url(), data={"csrf_token": token}).status_code == 403, role
    # Readers see the page without the button; an employee does not see it at all.
    reader = app.test_client()
    login(reader, ready.org.tenant, password=PASSWORD, email="committee@runs.example.com")
    page = reader.get(ready.url())
    assert page.status_code == 200 and "run-scoring" not in page.get_data(as_text=True)
    employee = app.test_client()
    login(employee, ready.org.tenant, password=PASSWORD, email="employee@runs.example.com")
    assert employee.get(ready.url()).status_code == 403


def test_another_tenants_users_reach_nothing(app, db, make_tenant):
    mine = make_ready(db, make_tenant, people=2)
    theirs = make_ready(db, make_tenant, people=2)
    score_now(db, theirs)
    client = _client(app, db, mine)
    token = csrf_token(client, mine.url())
    # Their tenant's URL: not logged in there.
    assert client.get(theirs.url()).status_code == 302
    assert client.post(theirs.url(), data={"csrf_token": token}).status_code in (302, 400)
    # Our tenant's URL with a cycle id only they have.
    assert client.get(f"/t/{mine.slug}/cycles/{theirs.cycle_id + 1000}/runs").status_code == 404
    assert (
        client.post(
            f"/t/{mine.slug}/cycles/{theirs.cycle_id + 1000}/runs", data={"csrf_token": token}
        ).status_code
        == 404
    )
    assert client.get(f"/t/{mine.slug}/cycles/99999999999/runs").status_code == 404


def test_outside_scoring_the_start_is_refused_with_a_reason(app, db, make_tenant):
    ready = make_ready(db, make_tenant, people=2, status="open")
    client = _client(app, db, ready)
    body = client.get(ready.url()).get_data(as_text=True)
    assert "run-scoring" not in body and "once the cycle is in scoring" in body
    token = csrf_token(client, ready.url())
    refused = client.post(ready.url(), data={"csrf_token": token})
    assert refused.status_code == 303
    body = client.get(ready.url()).get_data(as_text=True)
    assert "only while the cycle is in scoring; it is Open for rating" in body
    assert results(db, ready) == [] and "has not been scored yet" in body


def test_a_start_while_a_run_is_running_says_so(app, db, make_tenant):
    ready = make_ready(db, make_tenant, people=2)
    run_id = start(db, ready)
    client = _client(app, db, ready)
    body = client.get(ready.url()).get_data(as_text=True)
    assert "Run 1 is scoring every subject" in body and "run-scoring" not in body
    # Its job was never queued (no job id): the next start marks it failed and runs anew.
    token = csrf_token(client, ready.url())
    assert client.post(ready.url(), data={"csrf_token": token}).status_code == 303
    with db.tenant(ready.schema) as session:
        statuses = dict(session.execute(select(ScoringRun.number, ScoringRun.status)).all())
    assert statuses[1] == "failed" and run_id == 1 and 2 in statuses


def test_the_page_lists_runs_and_what_changed_and_answers_htmx_with_its_fragment(
    app, db, make_tenant
):
    ready = make_ready(db, make_tenant, people=3)
    score_now(db, ready)
    score_now(db, ready)
    with db.tenant(ready.schema) as session:
        sheet = session.get(RatingSheet, ready.sheets[0])
        sheet.status, sheet.submitted_at = "draft", None
    client = _client(app, db, ready)
    body = client.get(ready.url()).get_data(as_text=True)
    assert 'data-run="2"' in body and 'data-run="1"' in body
    assert "Inputs changed since run 2" in body
    assert "1 rating sheet(s) reopened or withdrawn since this run." in body
    fragment = client.get(ready.url(), headers=HTMX).get_data(as_text=True)
    assert fragment.lstrip().startswith("{#") is False and 'id="runs"' in fragment
    assert "<html" not in fragment


def test_the_page_costs_the_same_statements_with_one_run_or_many(app, db, make_tenant):
    from tests.web.test_request_cost import logged

    ready = make_ready(db, make_tenant, people=3)
    client = _client(app, db, ready)

    def reopen(sheet_id: int) -> None:
        with db.tenant(ready.schema) as session:
            sheet = session.get(RatingSheet, sheet_id)
            sheet.status, sheet.submitted_at = "draft", None

    score_now(db, ready)
    reopen(ready.sheets[0])
    one = len(logged(app, client, ready.url()).own())
    for _ in range(4):
        score_now(db, ready)
    reopen(ready.sheets[1])
    many = len(logged(app, client, ready.url()).own())
    assert one == many <= 6


def test_the_results_page_says_which_inputs_changed_since_its_run(app, db, make_tenant):
    ready = make_ready(db, make_tenant, people=3)
    score_now(db, ready)
    client = _client(app, db, ready)
    results_url = f"/t/{ready.slug}/cycles/{ready.cycle_id}/results"
    assert "Inputs have changed" not in client.get(results_url).get_data(as_text=True)
    with db.tenant(ready.schema) as session:
        sheet = session.scalar(
            select(RatingSheet).where(RatingSheet.cycle_id == ready.cycle_id).limit(1)
        )
        sheet.status, sheet.submitted_at = "draft", None  # reopened: it no longer counts
    body = client.get(results_url).get_data(as_text=True)
    assert "Inputs have changed since run 1" in body
    assert "1 rating sheet(s) reopened or withdrawn since this run." in body
