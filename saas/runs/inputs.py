"""Everything a scoring run reads of a cycle, in a fixed number of queries, and the summary of
it the next run compares with ("what changed since run N").

What counts (docs/scoring-runs.md says it for people):

- **Subjects**: every subject of the cycle. An excluded one (``included`` false) is scored as
  excluded with its reasons. The scheme's eligibility rules are applied again to the
  subjects the rules chose (``origin`` "eligible") with today's facts (position level and its
  rank, the unit's category, the employment form); a subject an admin added by hand, with a
  reason, is not second-guessed by the rules.
- **Ratings**: only SUBMITTED sheets. A draft may still change, so it does not count; a
  sheet reopened by an admin counts again once it is submitted again.
- **Goals**: only APPROVED goals of the cycle's period, owned by the subject (an employee's
  own goals; for a unit, the unit's goals). Their attainment is what the goals pages show
  (saas/goals/progress.py: the latest current actual, or the roll-up of approved sub-goals),
  weighted by the goal's weight. An approved goal without any actual by the time of the run
  counts 0 %: the period is over and nothing was reported. Goals still pending approval
  (draft, submitted, returned) do not count at all: with none approved, the subject's goals
  part is missing and the scheme's ``goals.when_missing`` applies (the trace says so).
- **Ledger events**: the subject's ledger entries dated in the period or the one before it
  (:func:`ledger_events`), not withdrawn, each with its validity: an entry of a rule that
  needs a decision counts only once ruled valid. Free entries (no rule) do not count. Failed
  inspection items and overdue rectification notices reach a score this way.
- **Inspections** (:func:`inspection_ratings`): a unit's or provider's inspections DONE in the
  period against the cycle's own scheme (the cycle assesses with the checklist itself) rate
  the source the checklist ``feeds``, one rater per inspection (``i:<id>``), averaged with
  that source's other raters. Items marked not applicable are left out, as the inspection's
  own score leaves them out.

The run reads all of it inside one REPEATABLE READ transaction, so it scores one instant of
the cycle: a sheet submitted while the run works is not half-read, and the next run sees it.
"""

from __future__ import annotations

import gc
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, Text, and_, cast, func, or_, select, text
from sqlalchemy.orm import Session

from saas.goals.progress import period_progress
from saas.inspections.findings import applicable
from saas.models.cycle import Cycle, CycleSubject, RatingSheet, SheetStatus
from saas.models.goal import GoalStatus
from saas.models.inspection import Inspection, InspectionStatus
from saas.models.ledger import LedgerEntry
from saas.models.org import OrgUnit, PositionLevel
from saas.models.people import Employee
from saas.models.scheme import SchemeVersion
from saas.rating.stored import converter
from saas.scoring.checks import parse
from saas.scoring.cohort import SubjectFacts
from saas.scoring.inputs import Event, GoalAttainment, Rating, SubjectInput, Validity
from saas.scoring.period import Period, PeriodError
from saas.scoring.result import Step
from saas.scoring.scheme import Item, Mode, Scheme, SourceKind
from tenants.db import TENANT_SCHEMA

# Raised when what is read changes meaning, so every fingerprint changes with it.
# 3: inspections are read (and summarised).
READ_POLICY = 3
# Kaohe's default tenant time zone (tenants/provisioning.py): the day an inspection was done
# is the tenant's day; callers with a tenant pass its zone.
DEFAULT_ZONE = "Asia/Shanghai"
ZERO = Decimal(0)


class DamagedInput(ValueError):
    """A stored value no rater could have saved (a hand-edited row); the run fails saying where."""


@dataclass(frozen=True, slots=True)
class SubjectRow:
    """What the results table keeps of a subject besides its result."""

    id: int
    unit_id: int
    included: bool


@dataclass
class CycleInputs:
    cycle_id: int
    status: str
    period: Period
    scheme: Scheme
    rows: list[SubjectRow]  # in the order of ``subjects``
    subjects: list[SubjectInput]
    facts: dict[str, SubjectFacts]
    level_ranks: dict[str, int]
    summary: dict[str, Any]
    fingerprint: str
    # What the trace names besides the engine's steps, by subject key: the inspections that
    # rated the subject ("inspection" steps; saas/results/trace.py words them).
    evidence: dict[str, tuple[Step, ...]] = field(default_factory=dict)


def subject_key(cycle_subject_id: int) -> str:
    """The engine's name for a cycle subject (its id; Result.subject reads it back)."""
    return str(cycle_subject_id)


def ledger_events(session: Session, cycle: Cycle, subject_ids: list[int]) -> dict[int, tuple]:
    """Each subject's ledger events with their validity (complaints, commendations, lost
    badges …) for the cycle's period and the one before it (rules that reach forward
    disqualify this period for an event of the last), by cycle subject id. One query.

    An employee subject's entries are those of the employee; a unit's or provider's, those of
    the unit itself (not its people's). Withdrawn entries are not read. Free entries (a label
    and points, no rule) are not read either: the engine counts events through the scheme's
    rules, and a free entry's points reach a score only once a rule says what they do — it
    stays on the subject's ledger for people to read."""
    if not subject_ids:
        return {}
    period = _period(cycle)
    rows = session.execute(
        select(
            CycleSubject.id,
            LedgerEntry.id,
            LedgerEntry.event,
            LedgerEntry.on,
            LedgerEntry.validity,
        )
        .select_from(CycleSubject)
        .join(
            LedgerEntry,
            or_(
                and_(
                    CycleSubject.employee_id.is_not(None),
                    LedgerEntry.employee_id == CycleSubject.employee_id,
                ),
                and_(
                    CycleSubject.employee_id.is_(None),
                    LedgerEntry.employee_id.is_(None),
                    LedgerEntry.unit_id == CycleSubject.unit_id,
                ),
            ),
        )
        .where(
            CycleSubject.cycle_id == cycle.id,
            CycleSubject.included,
            LedgerEntry.event.is_not(None),
            LedgerEntry.withdrawn_at.is_(None),
            LedgerEntry.on >= period.previous_start,
            LedgerEntry.on <= period.end,
        )
        .order_by(CycleSubject.id, LedgerEntry.on, LedgerEntry.id)
    ).all()
    found: dict[int, list[Event]] = {}
    for subject_id, entry_id, event, on, validity in rows:
        found.setdefault(subject_id, []).append(
            Event(event, on, None if validity is None else Validity(validity), f"ledger:{entry_id}")
        )
    return {subject_id: tuple(events) for subject_id, events in found.items()}


def read_cycle(session: Session, cycle_id: int, zone: str = DEFAULT_ZONE) -> CycleInputs | None:
    """The cycle's inputs, or None when there is no such cycle. Nine queries, whatever the
    cycle's size; the caller holds the transaction (REPEATABLE READ for a run). ``zone`` is
    the tenant's time zone: an inspection counts in the period of the tenant's day it was
    done."""
    return without_collecting(_read_cycle, session, cycle_id, zone)


def _read_cycle(session: Session, cycle_id: int, zone: str) -> CycleInputs | None:
    found = session.execute(
        select(Cycle, SchemeVersion.definition, SchemeVersion.scheme_id)
        .join(SchemeVersion, SchemeVersion.id == Cycle.scheme_version_id)
        .where(Cycle.id == cycle_id)
    ).first()
    if found is None:
        return None
    cycle, definition, scheme_id = found
    scheme, issues = parse(definition)
    if scheme is None:  # pragma: no cover - only a hand-edited version row gets here
        raise DamagedInput(f"the scheme version of cycle {cycle_id} does not read: {issues}")
    subjects = session.execute(
        select(
            CycleSubject.id,
            CycleSubject.kind,
            CycleSubject.employee_id,
            CycleSubject.unit_id,
            CycleSubject.included,
            CycleSubject.excluded_because,
            CycleSubject.origin,
            PositionLevel.name,
            PositionLevel.rank,
            Employee.employment_form,
            OrgUnit.category,
        )
        .select_from(CycleSubject)
        .join(OrgUnit, OrgUnit.id == CycleSubject.unit_id)
        .outerjoin(Employee, Employee.id == CycleSubject.employee_id)
        .outerjoin(PositionLevel, PositionLevel.id == Employee.position_level_id)
        .where(CycleSubject.cycle_id == cycle_id)
        .order_by(CycleSubject.id)
    ).all()
    level_ranks = dict(session.execute(select(PositionLevel.name, PositionLevel.rank)).all())
    ratings = _ratings(session, scheme, cycle_id)
    goals = _goals(session, cycle.period, scheme, subjects)
    events = ledger_events(session, cycle, [row.id for row in subjects])
    inspected, evidence = inspection_ratings(session, cycle, scheme, scheme_id, zone)
    for subject_id, more in inspected.items():
        ratings[subject_id] = (*ratings.get(subject_id, ()), *more)
    summary = inputs_summary(session, cycle, zone)

    rows, inputs, facts = [], [], {}
    for row in subjects:
        key = subject_key(row.id)
        rows.append(SubjectRow(row.id, row.unit_id, row.included))
        if not row.included:
            reasons = tuple(_reason(code) for code in row.excluded_because or ()) or ("excluded",)
            inputs.append(SubjectInput(key, excluded_because=reasons))
            continue
        inputs.append(
            SubjectInput(
                key,
                ratings=ratings.get(row.id, ()),
                goals=goals.get(row.id, ()),
                events=events.get(row.id, ()),
            )
        )
        if row.origin == "eligible" and row.kind == "employee":
            facts[key] = SubjectFacts(row.name, row.rank, row.category, row.employment_form)
    return CycleInputs(
        cycle_id=cycle.id,
        status=cycle.status,
        period=_period(cycle),
        scheme=scheme,
        rows=rows,
        subjects=inputs,
        facts=facts,
        level_ranks=level_ranks,
        summary=summary,
        fingerprint=fingerprint(summary),
        evidence={subject_key(subject_id): steps for subject_id, steps in evidence.items()},
    )


def without_collecting(work: Callable[..., Any], *args: Any) -> Any:
    """``work(*args)`` with the cyclic garbage collector paused: a cycle's million ratings
    hold no reference cycles, and collections walking them again and again as they are
    made would cost more than making them (the engine pauses it for the same reason)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        return work(*args)
    finally:
        if collecting:
            gc.enable()


def _period(cycle: Cycle) -> Period:
    try:
        period = Period.parse(cycle.period)
    except PeriodError:
        period = None
    if period is None or (period.start, period.end) != (cycle.period_start, cycle.period_end):
        period = Period.between(cycle.period_start, cycle.period_end)
    return period


def _reason(reason: Any) -> str:
    """A stored exclusion ({"code": "level_at_least", "level": "部门主管"}) as the engine's
    reason code ("level_at_least:部门主管"), the shape the scheme's own rules give."""
    if isinstance(reason, dict):
        code = str(reason.get("code") or "excluded")
        params = [str(value) for name, value in reason.items() if name != "code"]
        return ":".join((code, *params))
    return str(reason)


# -- ratings ---------------------------------------------------------------------------------


# A rating made without the dataclass's __init__: a frozen dataclass sets each field through
# object.__setattr__, which is most of what making one costs, and a cycle has a million.
# The slots are set directly instead; the object is the same (equal, same hash).
_new_tuple = tuple.__new__


def _ratings(session: Session, scheme: Scheme, cycle_id: int) -> dict[int, tuple[Rating, ...]]:
    """Every submitted sheet's values as the engine's ratings, grouped by cycle subject.

    One query, ordered by subject so the rows arrive grouped. The values come as JSON text
    and are decoded here; each distinct stored value of an item is converted once."""
    convert = {item.key: converter(item.mode) for _section, item in scheme.rated()}
    known: dict[str, dict[Any, Any]] = {key: {} for key in convert}
    sources = {source.kind.value for source in scheme.sources}
    rows = session.execute(
        select(
            RatingSheet.cycle_subject_id,
            RatingSheet.source,
            RatingSheet.rater_key,
            cast(RatingSheet.values, Text),
        )
        .where(RatingSheet.cycle_id == cycle_id, RatingSheet.status == SheetStatus.SUBMITTED)
        .order_by(RatingSheet.cycle_subject_id, RatingSheet.source, RatingSheet.rater_key)
    ).all()
    grouped: dict[int, tuple[Rating, ...]] = {}
    loads, new = json.loads, _new_tuple
    missing = object()
    current, ratings = None, []
    append = ratings.append
    for subject_id, source, rater, values in rows:
        if subject_id != current:
            if current is not None:
                grouped[current] = tuple(ratings)
            current, ratings = subject_id, []
            append = ratings.append
        if source not in sources:
            continue  # a source the scheme does not weigh: nothing of it counts
        try:
            for key, stored in loads(values).items():
                seen = known.get(key)
                if seen is None or stored is None:
                    continue  # an item the version no longer rates, or left empty
                value = seen.get(stored, missing)
                if value is missing:
                    value = seen[stored] = convert[key](stored)
                append(new(Rating, (key, source, rater, value)))
        except (ValueError, ArithmeticError, TypeError) as problem:
            raise DamagedInput(
                f"cycle subject {subject_id}, {source} sheet of {rater}: a value the item"
                f" does not take ({problem})"
            ) from problem
    if current is not None:
        grouped[current] = tuple(ratings)
    return grouped


# -- inspections ----------------------------------------------------------------------------


def done_day(zone: str) -> Any:
    """The tenant's day an inspection was done, in SQL."""
    return cast(func.timezone(zone, Inspection.done_at), Date)


def inspection_ratings(
    session: Session, cycle: Cycle, scheme: Scheme, scheme_id: int, zone: str
) -> tuple[dict[int, tuple[Rating, ...]], dict[int, tuple[Step, ...]]]:
    """The ratings inspections give the cycle's unit and provider subjects, and the trace's
    "inspection" steps naming them, by cycle subject id. One query.

    An inspection counts when it is DONE, on a day of the cycle's period (the tenant's day),
    of an included subject's unit, against a version of the cycle's own scheme whose
    ``inspection.feeds`` is one of the scheme's sources: the checklist assesses the unit
    itself. Its values rate that source with the rater ``i:<inspection id>``; several
    inspections in a period are several raters, averaged as raters are. Items not applicable
    on the day, and items the cycle's version does not rate, are left out. A value of another
    version the cycle's version cannot take (the item's mode changed) is left out too; in the
    cycle's own version it is a damaged row and fails the run.

    An inspection against ANOTHER checklist does not rate this scheme: its score says nothing
    item by item about this scheme's items. It reaches the score through its ledger events
    (failed items, overdue notices), which this scheme's rules price."""
    rated = {item.key: item for _section, item in scheme.rated()}
    sources = {source.kind.value for source in scheme.sources}
    if not rated or not sources:
        return {}, {}
    period = _period(cycle)
    day = done_day(zone)
    rows = session.execute(
        select(
            CycleSubject.id,
            Inspection.id,
            Inspection.version_id,
            day,
            Inspection.score,
            cast(Inspection.values, Text),
            SchemeVersion.definition["inspection"]["feeds"].astext,
        )
        .select_from(CycleSubject)
        .join(Inspection, Inspection.unit_id == CycleSubject.unit_id)
        .join(SchemeVersion, SchemeVersion.id == Inspection.version_id)
        .where(
            CycleSubject.cycle_id == cycle.id,
            CycleSubject.included,
            CycleSubject.employee_id.is_(None),
            Inspection.status == InspectionStatus.DONE,
            SchemeVersion.scheme_id == scheme_id,
            SchemeVersion.definition["inspection"].is_not(None),
            day.between(period.start, period.end),
        )
        .order_by(CycleSubject.id, Inspection.done_at, Inspection.id)
    ).all()
    convert = {key: converter(item.mode) for key, item in rated.items()}
    ratings: dict[int, list[Rating]] = {}
    steps: dict[int, list[Step]] = {}
    for subject_id, inspection_id, version_id, on, score, values, feeds in rows:
        source = feeds or SourceKind.COMMITTEE.value  # the checklist's default
        if source not in sources:
            continue
        rater = f"i:{inspection_id}"
        found = []
        for key, stored in applicable(json.loads(values)).items():
            item = rated.get(key)
            if item is None:
                continue
            try:
                value = convert[key](stored)
                if not _fits(item, value):
                    raise ValueError(stored)
            except (ValueError, ArithmeticError, TypeError) as problem:
                if version_id != cycle.scheme_version_id:
                    continue  # another version's item, rated another way: not comparable
                raise DamagedInput(
                    f"inspection {inspection_id}: a value item {key} does not take ({problem})"
                ) from problem
            found.append(Rating(key, source, rater, value))
        if not found:
            continue
        ratings.setdefault(subject_id, []).extend(found)
        params: dict[str, Any] = {"source": source, "ref": rater, "on": on}
        if score is not None:
            params["score"] = score
        steps.setdefault(subject_id, []).append(Step("inspection", params))
    return (
        {subject_id: tuple(found) for subject_id, found in ratings.items()},
        {subject_id: tuple(found) for subject_id, found in steps.items()},
    )


def _fits(item: Item, value: Any) -> bool:
    """Whether a converted value is one the engine takes for the item's mode."""
    if item.mode in (Mode.YES_NO, Mode.CRITICAL):
        return type(value) is bool
    if item.mode is Mode.SCALE:
        return any(level.label == value for level in item.scale)
    return type(value) is not bool


# -- goals -----------------------------------------------------------------------------------


def _goals(
    session: Session, period: str, scheme: Scheme, subjects: list[Any]
) -> dict[int, tuple[GoalAttainment, ...]]:
    """Each included subject's approved goals with their attainment (two queries; none when
    the scheme gives goals no share)."""
    if not scheme.goals.share:
        return {}
    by_employee = {row.employee_id: row.id for row in subjects if row.employee_id is not None}
    by_unit = {row.unit_id: row.id for row in subjects if row.employee_id is None}
    goals, progress = period_progress(session, period)
    found: dict[int, list[GoalAttainment]] = {}
    for goal in goals:
        if goal.status != GoalStatus.APPROVED:
            continue  # pending approval: it does not count (the module docstring)
        if goal.employee_id is not None:
            subject_id = by_employee.get(goal.employee_id)
        else:
            subject_id = by_unit.get(goal.unit_id)
        if subject_id is None:
            continue
        attained = progress[goal.id].attainment
        found.setdefault(subject_id, []).append(
            GoalAttainment(str(goal.id), goal.weight, ZERO if attained is None else attained)
        )
    return {subject_id: tuple(goals) for subject_id, goals in found.items()}


# -- the summary -----------------------------------------------------------------------------

_SUMMARY = """
with s as (
    select s.id, s.included, s.unit_id, s.kind, s.employee_id, s.origin, s.excluded_because,
           e.position_level_id, e.employment_form, u.category
    from {t}.cycle_subject s
    join {t}.org_unit u on u.id = s.unit_id
    left join {t}.employee e on e.id = s.employee_id
    where s.cycle_id = :cycle
), owned as (
    select g.id, g.status from {t}.goal g
    where g.period = :period and (
        g.employee_id in (select employee_id from s where included and employee_id is not null)
        or (g.employee_id is null
            and g.unit_id in (select unit_id from s where included and employee_id is null)))
), ledger as (
    select l.id, l.validity, l.decided_at, l.withdrawn_at from {t}.ledger_entry l
    where l.event is not null and l.on between :ledger_from and :ledger_to
      and (l.employee_id in (select employee_id from s where included and employee_id is not null)
           or (l.employee_id is null
               and l.unit_id in (select unit_id from s where included and employee_id is null)))
), inspected as (
    select i.id, i.version_id, i.unit_id, i.done_at, i.score, i.values from {t}.inspection i
    join {t}.scheme_version v on v.id = i.version_id
    where i.status = 'done'
      and v.scheme_id = (select scheme_id from {t}.scheme_version where id = :version)
      and (timezone(:zone, i.done_at))::date between :period_from and :period_to
      and i.unit_id in (select unit_id from s where included and employee_id is null)
)
select
    (select count(*) from s where included) as included,
    (select count(*) from s where not included) as excluded,
    (select md5(coalesce(string_agg(row(s.*)::text, ',' order by id), '')) from s)
        as subjects_digest,
    count(r.id) as submitted,
    max(r.submitted_at) as last_submitted,
    md5(coalesce(string_agg(r.id || '@' || extract(epoch from r.submitted_at)::text, ','
                            order by r.id), '')) as sheets_digest,
    (select count(*) from owned where status = 'approved') as goals_approved,
    (select count(*) from owned where status <> 'approved') as goals_pending,
    (select md5(coalesce(string_agg(
        row(g.id, g.parent_id, g.unit_id, g.employee_id, g.status, g.weight, g.contribution,
            g.measure, g.baseline, g.target, g.direction, g.cap)::text, ',' order by g.id), ''))
     from {t}.goal g where g.period = :period) as goals_digest,
    (select md5(coalesce(string_agg(a.id::text, ',' order by a.id), ''))
     from {t}.goal_actual a join {t}.goal g on g.id = a.goal_id
     where g.period = :period and a.status = 'current') as actuals_digest,
    (select md5(coalesce(string_agg(row(l.name, l.rank)::text, ',' order by l.id), ''))
     from {t}.position_level l) as levels_digest,
    (select count(*) from ledger where withdrawn_at is null) as ledger_count,
    (select md5(coalesce(string_agg(
        row(ledger.id, ledger.validity, ledger.decided_at, ledger.withdrawn_at)::text, ','
        order by ledger.id), '')) from ledger) as ledger_digest,
    (select count(*) from inspected) as inspections_count,
    (select md5(coalesce(string_agg(row(inspected.*)::text, ',' order by inspected.id), ''))
     from inspected) as inspections_digest,
    now() as taken_at
from {t}.rating_sheet r
where r.cycle_id = :cycle and r.status = 'submitted'
"""


def _schema(session: Session) -> str:
    options = session.connection().get_execution_options()
    return options.get("schema_translate_map", {}).get(TENANT_SCHEMA, TENANT_SCHEMA)


def quoted_schema(session: Session) -> str:
    return '"' + _schema(session).replace('"', '""') + '"'


def inputs_summary(session: Session, cycle: Cycle, zone: str = DEFAULT_ZONE) -> dict[str, Any]:
    """What a run read, in counts and digests (one query): stored with the run, compared with
    the cycle as it is now to say what changed since. The inspections digested are those
    done in the period against the cycle's scheme (whatever they rate: a finished or
    corrected one is a change either way)."""
    period = _period(cycle)
    row = (
        session.execute(
            text(_SUMMARY.format(t=quoted_schema(session))),
            {
                "cycle": cycle.id,
                "period": cycle.period,
                "ledger_from": period.previous_start,
                "ledger_to": period.end,
                "version": cycle.scheme_version_id,
                "zone": zone,
                "period_from": period.start,
                "period_to": period.end,
            },
        )
        .mappings()
        .one()
    )
    return {
        "policy": READ_POLICY,
        "scheme_version_id": cycle.scheme_version_id,
        "period": cycle.period,
        "subjects": {
            "included": row["included"],
            "excluded": row["excluded"],
            "digest": row["subjects_digest"],
        },
        "sheets": {
            "submitted": row["submitted"],
            "last_submitted": _iso(row["last_submitted"]),
            "digest": row["sheets_digest"],
        },
        "goals": {
            "approved": row["goals_approved"],
            "pending": row["goals_pending"],
            "digest": row["goals_digest"],
            "actuals": row["actuals_digest"],
        },
        "levels": {"digest": row["levels_digest"]},
        "events": {"count": row["ledger_count"], "digest": row["ledger_digest"]},
        "inspections": {"count": row["inspections_count"], "digest": row["inspections_digest"]},
        "taken_at": _iso(row["taken_at"]),
    }


def _iso(value: Any) -> str | None:
    return None if value is None else value.isoformat()


def fingerprint(summary: dict[str, Any]) -> str:
    """The digest of the inputs: equal summaries (the same subjects, submitted sheets, goals,
    actuals, levels, ledger events, inspections, version and period) give the same
    fingerprint and the same results."""
    identity = {key: value for key, value in summary.items() if key != "taken_at"}
    identity["sheets"] = {k: v for k, v in identity["sheets"].items() if k != "last_submitted"}
    data = json.dumps(identity, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(data.encode()).hexdigest()


# Unused import guard for type checkers: Event is what ``ledger_events`` will return.
__all__ = ["CycleInputs", "Event", "SubjectRow", "fingerprint", "inputs_summary", "read_cycle"]
