"""Inspection schedules: one unit inspected every week or every month with one checklist, by
one inspector, in one way (announced or not).

A schedule **materialises** its next inspection once that date has come: the inspection is
planned (with the checklist's version of that day) and the schedule's next date moves on by a
week or a month. Materialising is idempotent and safe to run at once from several places
(the inspections list does it when it is opened, and ``kaohe inspections plan`` from cron):
each due schedule is taken with ``FOR UPDATE SKIP LOCKED``, so two runs never plan the same
date twice, and a schedule already moved on is no longer due. Dates missed while nothing ran
are not piled up: a schedule plans one inspection, on its latest due date, and moves on past
today. A monthly schedule falls on a day from 1 to 28, so that every month has it.
"""

from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from saas.auth.permissions import Actor
from saas.inspections.checklists import checklists
from saas.inspections.service import check_plan, shown
from saas.models.audit import record
from saas.models.inspection import (
    Inspection,
    InspectionMethod,
    InspectionSchedule,
    InspectionStatus,
    Recurrence,
)
from tenants.db import utcnow

# Who the audit log names for what a schedule plans by itself.
SCHEDULER = "kaohe:schedule"
LAST_MONTH_DAY = 28


def step(day: dt.date, every: str) -> dt.date:
    """The next date of a schedule after ``day``."""
    if every == Recurrence.WEEK:
        return day + dt.timedelta(days=7)
    month = day.month % 12 + 1
    return day.replace(year=day.year + (day.month == 12), month=month)


def latest_due(next_on: dt.date, every: str, today: dt.date) -> dt.date:
    """The last of the schedule's dates that is not after today (``next_on`` is one)."""
    day = next_on
    if every == Recurrence.WEEK and (today - day).days >= 7:
        day += dt.timedelta(days=7 * ((today - day).days // 7))
    while step(day, every) <= today:
        day = step(day, every)
    return day


def add(
    session: Session,
    actor: Actor,
    *,
    scheme_id: int | None,
    unit_id: int | None,
    every: str,
    next_on: dt.date | None,
    method: str,
    unannounced: bool,
    inspector_id: int | None,
    today: dt.date,
) -> InspectionSchedule:
    actor.require("inspections.plan")
    _version, problems = check_plan(
        session,
        scheme_id=scheme_id,
        unit_id=unit_id,
        on=next_on,
        method=method,
        inspector_id=inspector_id,
        today=today,
        date_field="next_on",
    )
    if every not in set(Recurrence):
        problems.add("every", _l("Choose every week or every month."))
    elif every == Recurrence.MONTH and next_on is not None and next_on.day > LAST_MONTH_DAY:
        problems.add("next_on", _l("A monthly schedule falls on a day from 1 to 28."))
    if next_on is not None and next_on < today:
        problems.add("next_on", _l("The first date cannot be in the past."))
    problems.raise_any()
    schedule = InspectionSchedule(
        scheme_id=scheme_id,
        unit_id=unit_id,
        every=every,
        next_on=next_on,
        method=method,
        unannounced=unannounced or method == InspectionMethod.MYSTERY,
        inspector_id=inspector_id,
        created_by=actor.user_id,
    )
    session.add(schedule)
    session.flush()
    record(
        session,
        actor.email,
        "inspection_schedule.add",
        "inspection_schedule",
        schedule.id,
        None,
        {
            "scheme_id": scheme_id,
            "unit_id": unit_id,
            "every": every,
            "next_on": next_on.isoformat(),
            "method": method,
            "unannounced": schedule.unannounced,
            "inspector_id": inspector_id,
        },
    )
    return schedule


def end(session: Session, actor: Actor, schedule: InspectionSchedule) -> bool:
    """Stop a schedule: it plans nothing more (what it planned stays). False when it had
    ended already (two planners ending it at once both get what they asked for)."""
    actor.require("inspections.plan")
    if schedule.ended_at is not None:
        return False
    schedule.ended_at = utcnow()
    record(
        session,
        actor.email,
        "inspection_schedule.end",
        "inspection_schedule",
        schedule.id,
        {"ended": False},
        {"ended": True},
    )
    return True


def materialise(session: Session, today: dt.date) -> list[Inspection]:
    """Plan the inspection of every schedule whose date has come (the caller commits)."""
    due = session.scalars(
        select(InspectionSchedule)
        .where(InspectionSchedule.ended_at.is_(None), InspectionSchedule.next_on <= today)
        .order_by(InspectionSchedule.id)
        .with_for_update(skip_locked=True)
    ).all()
    planned: list[Inspection] = []
    if not due:
        return planned
    versions = {found.scheme_id: found.version_id for found in checklists(session)}
    for schedule in due:
        version_id = versions.get(schedule.scheme_id)
        if version_id is None:
            continue  # the checklist has no published version now: it waits for one
        day = latest_due(schedule.next_on, schedule.every, today)
        inspection = Inspection(
            schedule_id=schedule.id,
            version_id=version_id,
            unit_id=schedule.unit_id,
            method=schedule.method,
            unannounced=schedule.unannounced,
            planned_on=day,
            inspector_id=schedule.inspector_id,
            status=InspectionStatus.PLANNED,
        )
        session.add(inspection)
        before = {"next_on": schedule.next_on.isoformat()}
        schedule.next_on = step(day, schedule.every)
        session.flush()
        record(
            session,
            SCHEDULER,
            "inspection.plan",
            "inspection",
            inspection.id,
            None,
            shown(inspection),
        )
        after = {"next_on": schedule.next_on.isoformat(), "planned": inspection.id}
        record(
            session,
            SCHEDULER,
            "inspection_schedule.materialise",
            "inspection_schedule",
            schedule.id,
            before,
            after,
        )
        planned.append(inspection)
    return planned
