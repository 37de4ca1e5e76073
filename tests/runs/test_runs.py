"""Scoring runs through the service and the job's own steps, in the test process:
idempotence, refusals, concurrent starts, what counts (submitted sheets, approved goals,
excluded subjects, eligibility facts), quotas over the cohort and what changed since a run."""

from __future__ import annotations

import datetime as dt
import json
import threading
from decimal import Decimal

import pytest
from sqlalchemy import select

from saas.models.cycle import CycleResult, CycleSubject, RatingSheet, ScoringRun
from saas.models.goal import Goal, GoalActual
from saas.models.org import PositionLevel
from saas.models.people import Employee
from saas.rating.values import sheet_ratings
from saas.results.trace import full_trace
from saas.runs import service
from saas.runs.inputs import read_cycle
from saas.runs.persist import result_json, stored_parts
from saas.scoring.checks import parse
from saas.scoring.inputs import SubjectInput
from saas.scoring.period import Period
from tests.cycles.factory import assign
from tests.org.conftest import add_employee
from tests.runs.conftest import SCHEME, make_ready, set_status, values
from tests.runs.helpers import results, run_job, run_row, score_now, start, without_run


def _trace(db, ready, subject_id: int) -> list[dict]:
    with db.tenant(ready.schema) as session:
        return session.scalar(
            select(CycleResult.trace).where(CycleResult.cycle_subject_id == subject_id)
        )


def _steps(trace: list[dict]) -> list[str]:
    return [step["step"] for step in trace]


# -- runs --------------------------------------------------------------------------------------


def test_a_run_scores_every_subject_and_stores_the_breakdown_and_trace(db, ready):
    run_id = score_now(db, ready)
    run = run_row(db, ready, run_id)
    assert (run.status, run.number, run.subjects) == ("finished", 1, 8)
    assert len(run.fingerprint) == 64 and run.finished_at is not None
    assert run.inputs["sheets"]["submitted"] == 16 and run.inputs["subjects"]["included"] == 8
    rows = results(db, ready)
    assert [row[1] for row in rows] == ready.subjects
    with db.tenant(ready.schema) as session:
        inputs = read_cycle(session, ready.cycle_id)
    scored = service.score(inputs)
    for row, result in zip(rows, scored, strict=True):
        breakdown, notes = row[-2], row[-1]
        # What stored_parts keeps, from which the whole trace of Result.to_dict() comes back.
        assert [breakdown, notes] == list(stored_parts(result))
        assert full_trace(breakdown, notes, inputs.scheme) == result.to_dict()["trace"]
        assert row[4] == result.final and row[5] == result.band.label


def test_running_twice_gives_the_same_rows_and_traces_and_keeps_one_set(db, ready):
    first = score_now(db, ready)
    before = results(db, ready)
    second = score_now(db, ready)
    after = results(db, ready)
    assert {row[0] for row in before} == {first} and {row[0] for row in after} == {second}
    assert without_run(before) == without_run(after)  # identical rows, traces included
    one, two = run_row(db, ready, first), run_row(db, ready, second)
    assert one.fingerprint == two.fingerprint and two.number == 2
    with db.tenant(ready.schema) as session:
        assert session.scalar(select(CycleResult.id).where(CycleResult.run_id == first)) is None


def test_a_retry_of_the_same_run_redoes_it_and_a_finished_run_is_left_alone(db, ready):
    run_id = start(db, ready)
    assert run_job(db, ready, run_id)["status"] == "finished"
    rows = results(db, ready)
    # The job again (a retry after its commit): nothing is done twice.
    again = run_job(db, ready, run_id)
    assert again["status"] == "finished" and again["subjects"] == 8
    assert results(db, ready) == rows


def test_runs_start_only_while_the_cycle_is_in_scoring(db, make_tenant):
    ready = make_ready(db, make_tenant, people=2, status="open")
    with pytest.raises(service.RunRefused) as refused:
        start(db, ready)
    assert refused.value.code == service.NOT_SCORING
    assert refused.value.params == {"status": "open"}
    set_status(db, ready, "scoring")
    run_id = start(db, ready)
    # The cycle moved on before the job ran: the run fails and writes nothing.
    set_status(db, ready, "review")
    outcome = run_job(db, ready, run_id)
    assert outcome["status"] == "failed" and results(db, ready) == []
    assert "review" in run_row(db, ready, run_id).error


def test_two_starts_at_once_make_one_run(db, ready):
    barrier = threading.Barrier(2)
    made, refused = [], []

    def click() -> None:
        with db.tenant(ready.schema) as session:
            barrier.wait()
            try:
                run = service.start_run(session, ready.actor(), ready.cycle_id)
                made.append(run.id)
            except service.RunRefused as error:
                refused.append(error.code)

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(made) == 1 and refused == [service.ALREADY_RUNNING]
    with db.tenant(ready.schema) as session:
        runs = session.scalars(select(ScoringRun).where(ScoringRun.cycle_id == ready.cycle_id))
        assert [(run.number, run.status) for run in runs] == [(1, "running")]


def test_a_failed_run_blocks_nothing_and_a_run_whose_job_vanished_is_failed(db, ready):
    run_id = start(db, ready)
    with db.tenant(ready.schema) as session:
        assert service.fail_run(session, run_id, "RuntimeError: boom") is not None
    assert run_row(db, ready, run_id).status == "failed"
    second = start(db, ready, job_alive=lambda job_id: True)
    with pytest.raises(service.RunRefused):
        start(db, ready, job_alive=lambda job_id: True)  # its job lives: one at a time
    third = start(db, ready, job_alive=lambda job_id: False)  # its job is gone
    assert run_row(db, ready, second).status == "failed"
    assert run_row(db, ready, second).error == service.STOPPED
    assert run_row(db, ready, third).number == 3
    assert run_job(db, ready, third)["status"] == "finished"


# -- what counts ---------------------------------------------------------------------------------


def test_drafts_do_not_count_and_a_submission_shows_as_a_change(db, ready):
    score_now(db, ready)
    before = without_run(results(db, ready))
    with db.tenant(ready.schema) as session:
        subject = session.get(CycleSubject, ready.subjects[0])
        rater = add_employee(session, subject.unit_id, "R-PEER2", "另一位同事")
        draft = assign(session, subject, "peer", employee=rater, values=values(5)).id
    score_now(db, ready)
    assert without_run(results(db, ready)) == before  # the draft changed nothing
    with db.tenant(ready.schema) as session:
        latest = service.runs_of(session, ready.cycle_id)[0]
        cycle = service.find_cycle(session, ready.cycle_id)
        assert service.changes_since(session, cycle, latest) == []
        sheet = session.get(RatingSheet, draft)
        sheet.status, sheet.submitted_at = "submitted", dt.datetime.now(dt.UTC)
    with db.tenant(ready.schema) as session:
        changes = service.changes_since(session, cycle, latest)
    assert changes == [service.Change("sheets_submitted", {"count": 1})]
    score_now(db, ready)
    after = results(db, ready)
    assert without_run(after)[0] != before[0]
    assert without_run(after)[1:] == before[1:]
    # Two peers now: every peer item keeps its raters and mean in the breakdown's details.
    means = after[0][-2]["details"]["peer"]["means"]
    assert means and {raters for raters, _mean in means.values()} == {2}


def test_a_reopened_sheet_and_subject_changes_are_seen(db, ready):
    score_now(db, ready)
    with db.tenant(ready.schema) as session:
        sheet = session.get(RatingSheet, ready.sheets[0])
        sheet.status, sheet.submitted_at, sheet.reopened_because = "draft", None, "写错了"
        subject = session.get(CycleSubject, ready.subjects[1])
        subject.included, subject.excluded_because = False, [{"code": "removed"}]
    with db.tenant(ready.schema) as session:
        cycle = service.find_cycle(session, ready.cycle_id)
        latest = service.runs_of(session, ready.cycle_id)[0]
        changes = {
            change.code: change.params for change in service.changes_since(session, cycle, latest)
        }
    assert changes["sheets_withdrawn"] == {"count": 1}
    assert changes["subjects_changed"] == {
        "included_then": 8,
        "included_now": 7,
        "excluded_then": 0,
        "excluded_now": 1,
    }


def test_excluded_subjects_are_scored_as_excluded_with_their_reasons(db, ready):
    with db.tenant(ready.schema) as session:
        subject = session.get(CycleSubject, ready.subjects[2])
        subject.included = False
        subject.excluded_because = [
            {"code": "removed"},
            {"code": "level_at_least", "level": "经理"},
        ]
    score_now(db, ready)
    rows = {row[1]: row for row in results(db, ready)}
    row = rows[ready.subjects[2]]
    assert row[3] is True and row[4] is None and row[5] is None  # excluded, no final, no band
    assert row[-1] == [{"step": "excluded", "reasons": ["removed", "level_at_least:经理"]}]
    assert row[-2]["excluded_because"] == ["removed", "level_at_least:经理"]
    assert len(rows) == 8


def test_the_schemes_eligibility_rules_apply_to_chosen_subjects_not_to_added_ones(db, make_tenant):
    scheme = {
        **SCHEME,
        "eligibility": [
            {"kind": "employment_form", "value": "劳务派遣"},
            {"kind": "level_at_least", "value": "经理"},
        ],
    }
    levels = (("员工", 1), ("经理", 5), ("总监", 9))
    ready = make_ready(db, make_tenant, people=4, scheme=scheme, levels=levels)
    with db.tenant(ready.schema) as session:
        director = session.scalar(select(PositionLevel.id).where(PositionLevel.name == "总监"))
        people = [session.get(Employee, e) for e in ready.employees]
        people[0].employment_form = "劳务派遣"
        people[1].position_level_id = director  # above 经理: excluded by rank
        people[2].employment_form = "劳务派遣"
        session.get(CycleSubject, ready.subjects[2]).origin = "added"  # by an admin
    score_now(db, ready)
    rows = {row[1]: row for row in results(db, ready)}
    assert rows[ready.subjects[0]][-1][0]["reasons"] == ["employment_form:劳务派遣"]
    assert rows[ready.subjects[1]][-1][0]["reasons"] == ["level_at_least:经理"]
    assert rows[ready.subjects[2]][3] is False and rows[ready.subjects[3]][3] is False


def test_goals_approved_count_pending_do_not_and_the_trace_says_goals_were_missing(db, ready):
    with db.tenant(ready.schema) as session:
        admin = ready.admin_id

        def goal(employee_id, status, target="100", weight="100"):
            made = Goal(
                path="",
                employee_id=employee_id,
                period="2026-Q3",
                period_kind="quarter",
                title="目标",
                weight=Decimal(weight),
                measure="numeric",
                target=Decimal(target),
                status=status,
                created_by=admin,
            )
            session.add(made)
            session.flush()
            made.path = f"{made.id}/"
            return made

        reached = goal(ready.employees[0], "approved")
        session.add(
            GoalActual(
                goal_id=reached.id, value=Decimal(80), on=dt.date(2026, 9, 1), recorded_by=admin
            )
        )
        pending = goal(ready.employees[1], "submitted")
        session.add(
            GoalActual(
                goal_id=pending.id, value=Decimal(100), on=dt.date(2026, 9, 1), recorded_by=admin
            )
        )
        goal(ready.employees[2], "approved")  # approved, nothing reported: 0 %
    score_now(db, ready)
    first, second, third = (_trace(db, ready, s) for s in ready.subjects[:3])
    goals = next(step for step in first if step["step"] == "goals")
    assert Decimal(goals["attainment"]) == 80 and goals["goals"] == 1
    assert (
        "goals" not in _steps(second)
        and {"step": "goals_missing", "policy": "renormalise"} in second
    )
    assert Decimal(next(s for s in third if s["step"] == "goals")["attainment"]) == 0


def test_band_quotas_apply_across_the_cohort(db, make_tenant):
    ready = make_ready(db, make_tenant, people=8)
    best = {"A1": "30", "A2": True, "A3": "优", "B1": "20", "B2": "0"}
    with db.tenant(ready.schema) as session:
        for sheet in session.scalars(
            select(RatingSheet).where(RatingSheet.cycle_id == ready.cycle_id)
        ):
            sheet.values = best
    score_now(db, ready)
    bands = [row[5] for row in results(db, ready)]
    # Everyone scores 100; 优秀 holds at most 25 % of 8 = 2, the rest move down.
    assert bands.count("优秀") == 2 and bands.count("合格") == 6
    quota = [step for step in results(db, ready)[-1][-1] if step["step"] == "quota"]
    assert quota, "a subject moved down by a quota has the step in its trace"


def test_the_read_turns_stored_values_into_the_ratings_sheet_ratings_gives(db, ready):
    scheme, _issues = parse(SCHEME)
    items = {item.key: item for _section, item in scheme.rated()}
    with db.tenant(ready.schema) as session:
        inputs = read_cycle(session, ready.cycle_id)
        sheets = session.scalars(
            select(RatingSheet)
            .where(RatingSheet.cycle_subject_id == ready.subjects[0])
            .order_by(RatingSheet.source, RatingSheet.rater_key)
        )
        expected = [
            r
            for sheet in sheets
            for r in sheet_ratings(items, sheet.source, sheet.rater_key, sheet.values)
        ]
    subject = inputs.subjects[0]
    assert isinstance(subject, SubjectInput) and list(subject.ratings) == expected
    assert inputs.period == Period.parse("2026-Q3")


def test_the_json_written_is_the_results_to_dict(db, ready):
    with db.tenant(ready.schema) as session:
        result = service.score(read_cycle(session, ready.cycle_id))[0]

    breakdown, notes = result_json(result)
    expected = result.to_dict()
    trace = expected.pop("trace")
    stored = json.loads(breakdown)
    assert stored.pop("details") is not None and stored == expected
    # The trace's steps the breakdown holds are left out, and come back whole.
    assert full_trace(json.loads(breakdown), json.loads(notes), parse(SCHEME)[0]) == trace
    assert len(json.loads(notes)) < len(trace) / 3


def test_a_job_works_in_its_own_tenant_only(db, make_tenant):
    one = make_ready(db, make_tenant, people=3)
    other = make_ready(db, make_tenant, people=3)
    score_now(db, other)
    theirs = results(db, other)
    run_id = start(db, one)
    # Same ids in both schemas (each tenant numbers its own): the job reads and writes only
    # the schema of the slug it was given.
    assert run_id == 1 and one.cycle_id == other.cycle_id
    run_job(db, one, run_id)
    assert results(db, other) == theirs and len(results(db, one)) == 3


def test_the_writer_gives_exactly_to_dict_for_a_varied_cohort():
    from bench.scoring import build_scheme, generate
    from saas.runs.persist import Writer
    from saas.scoring.cohort import score_cohort
    from saas.scoring.engine import Engine

    scheme = build_scheme()
    period = Period.parse("2026-Q3")
    cohort = generate(scheme, 300, 2, 4, 7, period)  # two raters a source, ledger events
    cohort[0] = SubjectInput(cohort[0].key, excluded_because=("removed",))
    writer = Writer()
    for result in score_cohort(Engine(scheme), cohort, period):
        breakdown, notes = writer.json(result)
        plain, plain_notes = stored_parts(result)
        assert json.loads(breakdown) == plain and json.loads(notes) == plain_notes
        trace = full_trace(json.loads(breakdown), json.loads(notes), scheme)
        assert trace == result.to_dict()["trace"]
