"""The goal pages: the period's goal tree, one goal with its progress and actions, and every
change as a form that works with and without HTMX.

Goals are seen through the org scope: a unit's goals by whoever sees the unit, a person's by
whoever sees the person. Out of scope is not found (404); allowed to see but not to act is 403
(``Refused``, drawn by the app's one error handler).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from saas.auth.accounts import current_scope
from saas.auth.guard import current_actor, requires
from saas.auth.permissions import Actor
from saas.goals import actuals, service
from saas.goals.progress import period_progress, subtree_progress
from saas.goals.service import GoalData, visible_clause
from saas.goals.todos import TO_COMPLETE  # also registers the goal to-dos of the start page
from saas.models.goal import Goal, GoalActual
from saas.models.org import OrgUnit
from saas.models.people import Employee
from saas.org.access import Scope
from saas.scoring.period import Period, label_of
from saas.scoring.scheme import PeriodKind
from saas.validation import Invalid, record_id, record_ids
from saas.web.fragments import page_or_fragment, wants_fragment
from saas.web.tenancy import TENANT_PREFIX, tenant_session, tenant_today

bp = Blueprint("goals", __name__, url_prefix=TENANT_PREFIX + "/goals")


STATUS_CLASSES = ("draft", "submitted", "approved", "returned")
MOVE_TARGETS = 500  # goals offered to move under; a period with more is found by its tree


def _goal_or_404(goal_id: int, *, lock: bool = False) -> Goal:
    query = select(Goal).where(Goal.id == goal_id, visible_clause(current_scope()))
    if lock:
        query = query.with_for_update()
    goal = tenant_session().scalar(query)
    if goal is None:
        abort(404)
    return goal


def _period() -> str:
    label = (request.values.get("period") or "").strip()
    if label:
        try:
            service.period_kind(label)
            return label
        except Invalid as error:
            flash(str(error.message), "error")
    return current_period_label()


def current_period_label() -> str:
    """The quarter the tenant is in: what goal pages show when no period is asked for."""
    return label_of(PeriodKind.QUARTER, tenant_today())


def _owners(session: Session, goals: list[Goal]) -> dict[int, str]:
    unit_ids = {g.unit_id for g in goals if g.unit_id}
    people_ids = {g.employee_id for g in goals if g.employee_id}
    units = (
        dict(
            session.execute(select(OrgUnit.id, OrgUnit.name).where(OrgUnit.id.in_(unit_ids))).all()
        )
        if unit_ids
        else {}
    )
    people = (
        dict(
            session.execute(
                select(Employee.id, Employee.name).where(Employee.id.in_(people_ids))
            ).all()
        )
        if people_ids
        else {}
    )
    return {g.id: units.get(g.unit_id) if g.unit_id else people.get(g.employee_id) for g in goals}


@bp.get("/")
@requires("goals.view")
def tree():
    session, scope = tenant_session(), current_scope()
    period = _period()
    goals, progress = period_progress(session, period)
    visible = set(
        session.scalars(select(Goal.id).where(Goal.period == period, visible_clause(scope)))
    )
    unit_id = record_id(request.args.get("unit"))
    employee_id = record_id(request.args.get("employee"))
    status = request.args.get("status")
    status = status if status in (*STATUS_CLASSES, TO_COMPLETE) else None
    shown = [g for g in goals if g.id in visible and _matches(g, unit_id, employee_id, status)]
    shown_ids = {g.id for g in shown}
    children: dict[int | None, list[Goal]] = {}
    for goal in shown:
        parent = goal.parent_id if goal.parent_id in shown_ids else None
        children.setdefault(parent, []).append(goal)
    return render_template(
        "goals/tree.html",
        period=period,
        children=children,
        progress=progress,
        owners=_owners(session, shown),
        status=status,
        unit_id=unit_id,
        employee_id=employee_id,
        units=session.execute(
            select(OrgUnit.id, OrgUnit.name)
            .where(scope.unit_clause(), OrgUnit.archived_at.is_(None))
            .order_by(OrgUnit.path)
            .limit(1000)
        ).all(),
    )


def _matches(goal: Goal, unit_id: int | None, employee_id: int | None, status: str | None):
    if unit_id is not None and goal.unit_id != unit_id:
        return False
    if employee_id is not None and goal.employee_id != employee_id:
        return False
    if status == TO_COMPLETE:
        return goal.to_complete
    return status is None or goal.status == status


def _new_goal_choices(session: Session, actor: Actor) -> dict:
    """Whose goals this user may draft; none (and no form) without ``goals.draft``."""
    if not actor.can("goals.draft"):
        return {"units": [], "people": []}
    scope = actor.scope
    units = session.execute(
        select(OrgUnit.id, OrgUnit.name)
        .where(scope.writable_unit_clause(), OrgUnit.archived_at.is_(None))
        .order_by(OrgUnit.path)
    ).all()
    people = session.execute(
        select(Employee.id, Employee.name)
        .where(or_(scope.writable_employee_clause(), Employee.id == (scope.employee_id or 0)))
        .order_by(Employee.name)
        .limit(500)
    ).all()
    return {"units": units, "people": people}


@bp.get("/<int:goal_id>")
@requires("goals.view")
def goal(goal_id: int):
    return _goal_page(_goal_or_404(goal_id))


def _goal_page(
    found: Goal,
    status: int = 200,
    errors: dict | None = None,
    values: dict | None = None,
    form: str | None = None,
):
    """The goal's page or panel. ``form`` names the form that was sent back with ``errors``
    and ``values`` (what was typed): only that form shows them."""
    session, scope, actor = tenant_session(), current_scope(), current_actor()
    progress = subtree_progress(session, found)
    kids = list(
        session.scalars(
            select(Goal)
            .where(Goal.parent_id == found.id, visible_clause(scope))
            .order_by(Goal.position, Goal.id)
        )
    )
    history = list(
        session.scalars(
            select(GoalActual)
            .where(GoalActual.goal_id == found.id)
            .order_by(GoalActual.on.desc(), GoalActual.id.desc())
        )
    )
    unit = service.owner_unit(session, found)
    sub_units, people = _cascade_choices(session, found, unit)
    # Owners that already hold a sub-goal of this one (people as negative ids).
    taken = {c.unit_id or -c.employee_id for c in kids}
    parent = session.get(Goal, found.parent_id) if found.parent_id else None
    targets = _move_targets(session, scope, found)
    approver = service.is_approver(session, actor, found)
    context = {
        "goal": found,
        "progress": progress.get(found.id),
        "children": kids,
        "history": history,
        "dates": {a.id: a.on for a in history},
        "owners": _owners(session, [found, *kids, *targets, *([parent] if parent else [])]),
        "can_draft": service.can_draft(session, actor, found),
        "can_approve": approver and not service.is_maker(session, actor, found),
        "maker_waits": approver and found.status == "submitted",
        "errors": errors or {},
        "values": values or {},
        "submitted": form,
        "progress_of": progress,
        "sub_units": [u for u in sub_units if u.id not in taken],
        "people": [p for p in people if -p.id not in taken],
        "default_on": _default_date(found).isoformat(),
        "parent": parent,
        "parent_visible": parent is not None and _visible(session, scope, parent.id),
        "parents": targets,
        "can_make_top": service.can_make_top(session, actor, found),
        "owner_weight": _owner_weight(session, found),
    }
    return page_or_fragment("goals/goal.html", "goals/_goal.html", **context), status


def _default_date(found: Goal) -> dt.date:
    """The date the actual form offers: today, or the last day of a period already over."""
    return min(tenant_today(), Period.parse(found.period).end)


def _visible(session: Session, scope: Scope, goal_id: int) -> bool:
    query = select(Goal.id).where(Goal.id == goal_id, visible_clause(scope))
    return session.scalar(query) is not None


def _cascade_choices(session: Session, found: Goal, unit: OrgUnit):
    if found.unit_id is None:
        return [], []
    sub_units = session.scalars(
        select(OrgUnit)
        .where(OrgUnit.parent_id == unit.id, OrgUnit.archived_at.is_(None))
        .order_by(OrgUnit.position, OrgUnit.id)
    ).all()
    return sub_units, service.active_people(session, unit.id)


def _move_targets(session: Session, scope: Scope, found: Goal) -> list[Goal]:
    """Goals of the same period this one may move under: not itself nor its own sub-goals,
    nor the parent it has."""
    return list(
        session.scalars(
            select(Goal)
            .where(
                Goal.period == found.period,
                visible_clause(scope),
                ~Goal.path.startswith(found.path, autoescape=True),
                Goal.id != (found.parent_id or 0),
            )
            .order_by(Goal.path)
            .limit(MOVE_TARGETS)
        )
    )


def _owner_weight(session: Session, found: Goal) -> Decimal:
    """The total weight of the owner's goals for the period (it should be 100)."""
    owner = (
        Goal.unit_id == found.unit_id
        if found.unit_id is not None
        else Goal.employee_id == found.employee_id
    )
    total = session.scalar(select(func.sum(Goal.weight)).where(Goal.period == found.period, owner))
    return total or Decimal(0)


def _act(goal_id: int, change: Callable[[Session, Actor, Goal], object], done: str, form: str):
    """Run one change on a goal: saved and the goal redrawn, or refused with the reasons
    beside the fields of ``form``, which keeps what was typed."""
    session = tenant_session()
    found = _goal_or_404(goal_id, lock=True)
    try:
        change(session, current_actor(), found)
    except Invalid as error:
        session.rollback()
        found = _goal_or_404(goal_id)
        return _goal_page(found, 400, error.errors, request.form.to_dict(), form)
    session.commit()
    if not wants_fragment():
        flash(done, "success")
        return redirect(url_for("goals.goal", goal_id=goal_id))
    body, status = _goal_page(found)
    # The tree beside the goal redraws its bars and badges.
    return body, status, {"HX-Trigger": "goal-changed"}


def _data() -> GoalData:
    form = request.form
    return GoalData(
        title=form.get("title", ""),
        description=form.get("description"),
        weight=form.get("weight"),
        contribution=form.get("contribution"),
        measure=form.get("measure", "numeric"),
        unit=form.get("unit"),
        baseline=form.get("baseline"),
        target=form.get("target"),
        direction=form.get("direction", "higher"),
        cap=form.get("cap"),
    )


def _new_page(session: Session, status: int = 200, errors=None, values=None):
    actor = current_actor()
    values = values or {"period": _period()}
    period = values.get("period", "").strip()
    try:
        service.period_kind(period)
    except Invalid:
        period = current_period_label()  # the way back to the tree, while the field is wrong
    return render_template(
        "goals/new.html",
        choices=_new_goal_choices(session, actor),
        values=values,
        errors=errors or {},
        period=period,
    ), status


@bp.get("/new")
@requires("goals.draft")
def new():
    return _new_page(tenant_session())


@bp.post("/new")
@requires("goals.draft")
def create():
    session, scope = tenant_session(), current_scope()
    kind, _sep, raw_id = request.form.get("owner", "").partition(":")
    owner_id = record_id(raw_id)
    unit = employee = None
    if kind == "unit" and owner_id is not None:
        unit = session.scalar(select(OrgUnit).where(OrgUnit.id == owner_id, scope.unit_clause()))
    elif kind == "person" and owner_id is not None:
        employee = session.scalar(
            select(Employee).where(Employee.id == owner_id, scope.employee_clause())
        )
    period = request.form.get("period", "")
    try:
        made = service.create_goal(
            session, current_actor(), _data(), period=period, unit=unit, employee=employee
        )
    except Invalid as error:
        session.rollback()
        return _new_page(session, 400, error.errors, request.form.to_dict())
    session.commit()
    flash(_("Goal %(title)s drafted.", title=made.title), "success")
    return redirect(url_for("goals.goal", goal_id=made.id))


@bp.post("/<int:goal_id>/edit")
@requires("goals.draft")
def edit(goal_id: int):
    def change(session, actor, found):
        service.change_goal(session, actor, found, _data(), period=request.form.get("period"))

    return _act(goal_id, change, _("Saved."), "edit")


@bp.post("/<int:goal_id>/delete")
@requires("goals.draft")
def delete(goal_id: int):
    session = tenant_session()
    found = _goal_or_404(goal_id, lock=True)
    title, period = found.title, found.period
    try:
        service.delete_goal(session, current_actor(), found)
    except Invalid as error:
        session.rollback()
        return _goal_page(_goal_or_404(goal_id), 400, error.errors, {}, "delete")
    session.commit()
    flash(_("Goal %(title)s deleted.", title=title), "success")
    return go_to(url_for("goals.tree", period=period))


def go_to(url: str):
    """Load another page: a real navigation for HTMX too, so the address and the flash
    message follow."""
    if wants_fragment():
        return "", 200, {"HX-Redirect": url}
    return redirect(url)


@bp.post("/<int:goal_id>/submit")
@requires("goals.draft")
def submit(goal_id: int):
    return _act(goal_id, service.submit, _("Submitted for approval."), "submit")


@bp.post("/<int:goal_id>/approve")
@requires("goals.approve")
def approve(goal_id: int):
    return _act(goal_id, service.approve, _("Approved."), "approve")


@bp.post("/<int:goal_id>/return")
@requires("goals.approve")
def return_goal(goal_id: int):
    comment = request.form.get("comment", "")
    return _act(
        goal_id,
        lambda s, a, g: service.return_goal(s, a, g, comment),
        _("Returned with your comment."),
        "return",
    )


def _actual_fields() -> dict:
    """The fields of the actual form: a number, or done for a milestone; a date; a note."""
    form = request.form
    try:
        on = dt.date.fromisoformat(form.get("on", ""))
    except ValueError:
        on = None  # the service says what a date should look like
    done = {"yes": True, "no": False}.get(form.get("done", ""))
    return {"value": form.get("value"), "done": done, "on": on, "note": form.get("note")}


@bp.post("/<int:goal_id>/actuals")
@requires("goals.draft")
def record_actual(goal_id: int):
    def change(session, actor, found):
        actuals.record_actual(session, actor, found, **_actual_fields(), today=tenant_today())

    return _act(goal_id, change, _("Actual recorded."), "record")


def _actual_of(goal: Goal, actual_id: int) -> GoalActual:
    actual = tenant_session().get(GoalActual, actual_id)
    if actual is None or actual.goal_id != goal.id:
        abort(404)
    return actual


@bp.post("/<int:goal_id>/actuals/<int:actual_id>/correct")
@requires("goals.draft")
def correct_actual(goal_id: int, actual_id: int):
    def change(session, actor, found):
        actuals.correct_actual(
            session,
            actor,
            _actual_of(found, actual_id),
            **_actual_fields(),
            reason=request.form.get("reason"),
            today=tenant_today(),
        )

    return _act(goal_id, change, _("Actual corrected."), f"fix-{actual_id}")


@bp.post("/<int:goal_id>/actuals/<int:actual_id>/withdraw")
@requires("goals.draft")
def withdraw_actual(goal_id: int, actual_id: int):
    def change(session, actor, found):
        actual = _actual_of(found, actual_id)
        actuals.withdraw_actual(session, actor, actual, reason=request.form.get("reason"))

    return _act(goal_id, change, _("Actual withdrawn."), f"fix-{actual_id}")


@bp.post("/<int:goal_id>/cascade")
@requires("goals.draft")
def cascade(goal_id: int):
    session = tenant_session()
    unit_ids = record_ids(request.form.getlist("unit"))
    people_ids = record_ids(request.form.getlist("person"))

    def change(session_, actor, found):
        units = session.scalars(
            select(OrgUnit).where(OrgUnit.id.in_(unit_ids), OrgUnit.parent_id == found.unit_id)
        ).all()
        people = session.scalars(
            select(Employee).where(Employee.id.in_(people_ids), Employee.unit_id == found.unit_id)
        ).all()
        rule = request.form.get("target_rule", "split")
        service.cascade(session_, actor, found, units=units, employees=people, target_rule=rule)

    return _act(goal_id, change, _("Cascaded."), "cascade")


@bp.post("/<int:goal_id>/move")
@requires("goals.draft")
def move(goal_id: int):
    raw = request.form.get("parent", "").strip()

    def change(session, actor, found):
        if raw == "top":
            service.move_goal(session, actor, found, None)
            return
        parent_id = record_id(raw)
        if parent_id is None:
            # Nothing chosen keeps the parent: a goal never leaves it by default.
            raise Invalid(_("Choose the goal to move it under."), "parent")
        parent = session.scalar(
            select(Goal).where(Goal.id == parent_id, visible_clause(actor.scope))
        )
        if parent is None:
            raise Invalid(_("There is no such goal to move it under."), "parent")
        service.move_goal(session, actor, found, parent)

    return _act(goal_id, change, _("Moved."), "move")


@bp.get("/board")
@requires("goals.board")
def board():
    """The goals board (公示): a period's approved unit goals, for everyone in the tenant once
    a tenant admin has put the period on it."""
    session, publisher = tenant_session(), current_actor().can("goals.publish")
    period = _period()
    shown = service.board_published(session, period)
    if not shown and not publisher:
        return render_template(
            "goals/board.html", period=period, shown=False, goals=[], progress={}, admin=False
        ), 200
    _, progress = period_progress(session, period)
    return render_template(
        "goals/board.html",
        period=period,
        shown=shown,
        goals=service.board_goals(session, period),
        progress=progress,
        admin=publisher,
    )


@bp.post("/board")
@requires("goals.publish")
def set_board():
    session = tenant_session()
    period = request.form.get("period", "")
    show = request.form.get("show") == "1"
    try:
        service.set_board(session, current_actor(), period, show)
    except Invalid as error:
        session.rollback()
        flash(str(error.message), "error")
        return redirect(url_for("goals.board"))
    session.commit()
    flash(
        _("The goals of %(period)s are on the board.", period=period)
        if show
        else _("The goals of %(period)s are off the board.", period=period),
        "success",
    )
    return redirect(url_for("goals.board", period=period))
