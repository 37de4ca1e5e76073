"""The goal form: its own period, every error beside its field with what was typed kept;
deleting a draft; cascaded sub-goals that start from the parent's measure and a proposed share
of its target, flagged for their owner to complete (待完善) on the start page."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from sqlalchemy import select

from saas.auth.permissions import Refused
from saas.goals import service
from saas.goals.service import GoalData
from saas.models.audit import AuditEntry
from saas.models.goal import Goal
from saas.validation import Invalid
from tests.conftest import csrf_token, login
from tests.goals.conftest import unit_goal
from tests.goals.test_views import HTMX, PERIOD, as_user, made, url
from tests.home.test_start_page import home, todo
from tests.org.conftest import make_org


def field_errors(text: str) -> dict[str, str]:
    """Each field's name and the error shown beside it, in the goal forms."""
    found = {}
    for label in re.findall(r'<label class="field[^"]*has-error[^"]*">.*?</label>', text, re.S):
        name = re.search(r'name="(\w+)"', label).group(1)
        found[name] = re.search(r'class="field-error">([^<]*)', label).group(1)
    return found


# -- the new-goal form -----------------------------------------------------------------------


def test_the_form_has_its_own_period_whatever_the_tree_showed(client, db, team):
    csrf = as_user(client, team, "admin")
    form = client.get(url(team, "new?period=2026-Q4")).get_data(as_text=True)
    assert 'name="period" value="2026-Q4"' in form
    response = client.post(
        url(team, "new"),
        data={
            "csrf_token": csrf,
            "owner": f"unit:{team.org.ids['WY']}",
            "period": "2026",
            "title": "全年营收",
            "target": "1000",
        },
    )
    assert response.status_code == 302
    with db.tenant(team.schema) as session:
        goal = session.scalars(select(Goal)).one()
        assert (goal.period, goal.period_kind) == ("2026", "year")


def test_every_error_is_shown_beside_its_field_and_the_input_is_kept(client, db, team):
    csrf = as_user(client, team, "admin")
    response = client.post(
        url(team, "new"),
        data={
            "csrf_token": csrf,
            "owner": "",
            "period": "2026-Q5",
            "title": "",
            "weight": "150",
            "target": "12x",
            "unit": "万元",
        },
    )
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    errors = field_errors(text)
    assert set(errors) == {"owner", "period", "title", "weight", "target"}
    assert "2026-Q5 is not a period" in errors["period"]
    assert 'name="target" value="12x"' in text and 'name="unit" value="万元"' in text
    assert 'name="weight" value="150"' in text
    with db.tenant(team.schema) as session:
        assert session.scalars(select(Goal)).all() == []


def test_an_owner_out_of_reach_is_a_form_error(client, db, team):
    csrf = as_user(client, team, "li")
    for owner in (f"unit:{team.org.ids['BJ']}", "person:²", "unit:99999999999", "nobody"):
        response = client.post(
            url(team, "new"),
            data={"csrf_token": csrf, "owner": owner, "period": PERIOD, "title": "x"},
        )
        assert response.status_code == 400, owner
        assert "owner" in field_errors(response.get_data(as_text=True))


def test_changing_shows_all_errors_at_once(client, db, team):
    goal_id = made(db, team, "li", employee="li")
    csrf = as_user(client, team, "li")
    response = client.post(
        url(team, f"{goal_id}/edit"),
        data={"csrf_token": csrf, "title": " ", "weight": "abc", "cap": "50", "period": PERIOD},
        headers=HTMX,
    )
    assert response.status_code == 400
    assert set(field_errors(response.get_data(as_text=True))) == {"title", "weight", "cap"}


def test_a_top_goal_changes_period_but_a_sub_goal_keeps_its_parents(db, team):
    with db.tenant(team.schema) as session:
        admin = team.actor(session, "admin")
        top = unit_goal(session, team, period="2026-Q4", title="营收")
        service.change_goal(session, admin, top, GoalData(title="营收"), period="2026")
        assert (top.period, top.period_kind) == ("2026", "year")
        (child,) = service.cascade(session, admin, top, units=[team.unit(session, "GC")])
        for goal in (top, child):
            with pytest.raises(Invalid) as refused:
                service.change_goal(session, admin, goal, GoalData(title="营收"), period="2026-Q4")
            assert refused.value.field == "period"


# -- deleting a draft ------------------------------------------------------------------------


def test_a_draft_is_deleted_and_audited_but_not_a_submitted_one(db, team):
    with db.tenant(team.schema) as session:
        li = team.actor(session, "li")
        mine = {"employee": team.person(session, "li")}
        draft = service.create_goal(session, li, GoalData(title="草稿"), period=PERIOD, **mine)
        sent = service.create_goal(
            session, li, GoalData(title="已提交", target="1"), period=PERIOD, **mine
        )
        service.submit(session, li, sent)
        with pytest.raises(Refused):
            service.delete_goal(session, team.actor(session, "bj"), draft)
        with pytest.raises(Invalid):
            service.delete_goal(session, li, sent)
        draft_id = draft.id
        service.delete_goal(session, li, draft)
        assert session.get(Goal, draft_id) is None
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "goal.delete")).one()
        assert entry.before["title"] == "草稿" and entry.after is None


def test_a_goal_with_sub_goals_is_not_deleted(db, team):
    with db.tenant(team.schema) as session:
        admin = team.actor(session, "admin")
        top = unit_goal(session, team, title="营收")
        service.cascade(session, admin, top, units=[team.unit(session, "GC")])
        with pytest.raises(Invalid):
            service.delete_goal(session, admin, top)


def test_the_page_deletes_a_draft_and_goes_back_to_the_tree(client, db, team):
    goal_id = made(db, team, "li", title="草稿", employee="li")
    csrf = as_user(client, team, "li")
    assert "Delete this draft" in client.get(url(team, str(goal_id))).get_data(as_text=True)
    response = client.post(url(team, f"{goal_id}/delete"), data={"csrf_token": csrf}, headers=HTMX)
    assert response.status_code == 200 and f"period={PERIOD}" in response.headers["HX-Redirect"]
    assert client.get(url(team, str(goal_id))).status_code == 404


def test_nobody_else_deletes_a_draft(client, db, team, make_tenant):
    goal_id = made(db, team, "li", title="草稿", employee="li")
    csrf = as_user(client, team, "bj")  # a manager of another branch: cannot see it
    assert client.post(url(team, f"{goal_id}/delete"), data={"csrf_token": csrf}).status_code == 404
    other = make_org(db, make_tenant)
    login(client, other.tenant)
    token = csrf_token(client, f"/t/{other.slug}/")
    response = client.post(f"/t/{other.slug}/goals/{goal_id}/delete", data={"csrf_token": token})
    assert response.status_code == 404
    with db.tenant(team.schema) as session:
        assert session.get(Goal, goal_id) is not None


# -- cascading with a proposed target --------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "targets", "baselines"),
    [
        ("split", ["333.3", "333.3", "333.4"], ["30", "30", "30"]),
        ("same", ["1000", "1000", "1000"], ["90", "90", "90"]),
        ("none", [None, None, None], [None, None, None]),
    ],
)
def test_cascaded_goals_start_from_the_parents_measure_and_a_proposed_target(
    db, team, rule, targets, baselines
):
    with db.tenant(team.schema) as session:
        admin = team.actor(session, "admin")
        top = unit_goal(
            session,
            team,
            title="营收",
            target="1000",
            baseline="90",
            unit="万元",
            direction="lower",
        )
        children = service.cascade(
            session,
            admin,
            top,
            units=[team.unit(session, "GC"), team.unit(session, "BJ")],
            employees=[team.person(session, "li")],
            target_rule=rule,
        )
        as_text = [None if c.target is None else str(c.target.normalize()) for c in children]
        assert as_text == [None if t is None else str(Decimal(t).normalize()) for t in targets]
        assert [c.baseline for c in children] == [
            None if b is None else Decimal(b) for b in baselines
        ]
        assert all(c.to_complete and c.unit == "万元" and c.direction == "lower" for c in children)
        if rule == "split":
            assert sum(c.target for c in children) == top.target


def test_a_proposal_is_completed_by_its_owner_saving_or_submitting_it(db, team):
    with db.tenant(team.schema) as session:
        admin = team.actor(session, "admin")
        top = unit_goal(session, team, title="营收", target="90")
        gc_goal, bj_goal = service.cascade(
            session, admin, top, units=[team.unit(session, "GC"), team.unit(session, "BJ")]
        )
        share = GoalData(title="营收", target="45", contribution="60")
        service.change_goal(session, admin, gc_goal, share)  # the parent's drafter: its share
        assert gc_goal.to_complete and gc_goal.drafted_by == admin.user_id
        gc = team.actor(session, "gc")
        service.change_goal(session, gc, gc_goal, GoalData(title="营收", target="50"))
        assert not gc_goal.to_complete and gc_goal.drafted_by == gc.user_id
        bj = team.actor(session, "bj")
        service.submit(session, bj, bj_goal)
        assert not bj_goal.to_complete and bj_goal.drafted_by == bj.user_id


def test_the_owner_finds_goals_to_complete_on_the_start_page(client, db, team):
    with db.tenant(team.schema) as session:
        admin = team.actor(session, "admin")
        top = unit_goal(session, team, title="营收", target="90")
        service.cascade(session, admin, top, units=[team.unit(session, "GC")])
    as_user(client, team, "gc")
    count, link = todo(home(client, team), "goals.to_complete")
    assert count == 1 and "status=to_complete" in link and f"period={PERIOD}" in link
    tree = client.get(link).get_data(as_text=True)
    assert tree.count('class="goal-node"') == 1 and "badge-to-complete" in tree
    for name in ("bj", "li", "admin"):  # not theirs to complete
        as_user(client, team, name)
        assert todo(home(client, team), "goals.to_complete") is None


def test_the_cascade_form_offers_the_target_rules(client, db, team):
    with db.tenant(team.schema) as session:
        top_id = unit_goal(session, team, title="营收", target="90", unit="万元").id
    csrf = as_user(client, team, "admin")
    page = client.get(url(team, str(top_id))).get_data(as_text=True)
    assert page.count('name="target_rule"') == 3
    response = client.post(
        url(team, f"{top_id}/cascade"),
        data={"csrf_token": csrf, "unit": [team.org.ids["GC"]], "target_rule": "bogus"},
        headers=HTMX,
    )
    assert response.status_code == 400
    with db.tenant(team.schema) as session:
        assert session.scalars(select(Goal).where(Goal.parent_id == top_id)).all() == []
