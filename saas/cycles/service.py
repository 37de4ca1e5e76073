"""Cycles as a service: create a cycle from a published scheme version and a period, and
move it through its stages.

The stages and the moves between them live here and nowhere else (``TRANSITIONS``):

    draft → open → scoring → review
                 ↖ scoring (collection reopened, with a reason)

Review, publication and closing belong to later parts of Kaohe; a cycle in review has no
move yet. Every move is audited before → after; a move that is not allowed from the cycle's
stage is refused with a message naming what is allowed from there.

Functions take ``(session, actor, …)``, flush and never commit.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from saas.auth.permissions import Actor, Refused
from saas.cycles.subjects import choose_subjects, exclude_leavers
from saas.models.audit import record
from saas.models.cycle import Cycle, CycleStatus, CycleSubject, RunStatus, ScoringRun
from saas.models.scheme import AssessmentScheme, SchemeVersion, VersionStatus
from saas.schemes.versions import definition
from saas.scoring.period import Period, PeriodError
from saas.scoring.scheme import PeriodKind
from saas.validation import Invalid, Problems
from tenants.db import utcnow

S = CycleStatus
# The one place that says which stage may follow which.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    S.DRAFT: (S.OPEN,),
    S.OPEN: (S.SCORING,),
    S.SCORING: (S.OPEN, S.REVIEW),
    S.REVIEW: (),
    S.PUBLISHED: (),
    S.CLOSED: (),
}
# Moves that need a written reason.
NEEDS_REASON = {(S.SCORING, S.OPEN)}

STATUS_LABELS = {
    S.DRAFT: _l("Draft"),
    S.OPEN: _l("Open for ratings"),
    S.SCORING: _l("Being scored"),
    S.REVIEW: _l("In review"),
    S.PUBLISHED: _l("Published"),
    S.CLOSED: _l("Closed"),
}
# What the button that moves a cycle to a stage says, from a given stage.
MOVE_LABELS = {
    (S.DRAFT, S.OPEN): _l("Open for ratings"),
    (S.OPEN, S.SCORING): _l("Close collection and start scoring"),
    (S.SCORING, S.OPEN): _l("Reopen collection"),
    (S.SCORING, S.REVIEW): _l("Send to review"),
}
PERIOD_KIND_LABELS = {
    PeriodKind.MONTH: _l("month"),
    PeriodKind.QUARTER: _l("quarter"),
    PeriodKind.HALF_YEAR: _l("half year"),
    PeriodKind.YEAR: _l("year"),
}
PERIOD_EXAMPLES = {
    PeriodKind.MONTH: "2026-07",
    PeriodKind.QUARTER: "2026-Q3",
    PeriodKind.HALF_YEAR: "2026-H2",
    PeriodKind.YEAR: "2026",
}
_KIND_OF_LABEL = (
    (re.compile(r"^\d{4}-Q\d$"), PeriodKind.QUARTER),
    (re.compile(r"^\d{4}-H\d$"), PeriodKind.HALF_YEAR),
    (re.compile(r"^\d{4}-\d{2}$"), PeriodKind.MONTH),
    (re.compile(r"^\d{4}$"), PeriodKind.YEAR),
)
MAX_PEERS = 20
# Stages in which a cycle's name, due date and peer count may change.
SETTINGS_CHANGE = (S.DRAFT, S.OPEN, S.SCORING)


def allowed_moves(cycle: Cycle) -> tuple[str, ...]:
    """The stages this cycle may move to next, for the page's buttons."""
    return TRANSITIONS.get(cycle.status, ())


def snapshot(cycle: Cycle) -> dict[str, Any]:
    return {
        "name": cycle.name,
        "scheme_version_id": cycle.scheme_version_id,
        "period": cycle.period,
        "subject_kind": cycle.subject_kind,
        "status": cycle.status,
        "rating_due": cycle.rating_due.isoformat() if cycle.rating_due else None,
        "peer_count": cycle.peer_count,
    }


def find_cycle(session: Session, cycle_id: int, *, lock: bool = False) -> Cycle | None:
    query = select(Cycle).where(Cycle.id == cycle_id)
    if lock:
        query = query.with_for_update()
    return session.scalar(query)


def require_manage(actor: Actor) -> None:
    if not actor.can("cycles.manage"):
        raise Refused()


# -- creating ------------------------------------------------------------------------------


def period_kind(label: str) -> PeriodKind | None:
    """The kind of a period label Kaohe reads (None if it reads none)."""
    try:
        Period.parse(label)
    except PeriodError:
        return None
    return next(kind for pattern, kind in _KIND_OF_LABEL if pattern.match(label.strip()))


def published_versions(session: Session) -> list[tuple[int, str, int, str]]:
    """(version id, scheme name, version number, cadence) of every published version."""
    rows = session.execute(
        select(
            SchemeVersion.id,
            AssessmentScheme.name,
            SchemeVersion.number,
            SchemeVersion.definition["period"].astext,
        )
        .join(AssessmentScheme, AssessmentScheme.id == SchemeVersion.scheme_id)
        .where(SchemeVersion.status == VersionStatus.PUBLISHED)
        .order_by(AssessmentScheme.name, SchemeVersion.number.desc())
    )
    return [(r[0], r[1], r[2], r[3] or PeriodKind.QUARTER) for r in rows]


def create_cycle(
    session: Session,
    actor: Actor,
    *,
    version_id: int | None,
    period: str,
    name: str | None = None,
    rating_due: dt.date | None = None,
    peer_count: int | None = 3,
) -> Cycle:
    """A draft cycle of a published scheme version for one period of the scheme's cadence,
    with its subjects chosen (saas/cycles/subjects.py). Raises Invalid naming each bad field."""
    require_manage(actor)
    problems = Problems()
    version = session.get(SchemeVersion, version_id) if version_id else None
    if version is None or version.status != VersionStatus.PUBLISHED:
        problems.add("version_id", _l("Choose a published scheme version."))
        version = None
    label = " ".join((period or "").split())
    span = None
    kind = period_kind(label) if label else None
    if kind is None:
        problems.add(
            "period",
            _l("Give a period such as 2026-07, 2026-Q3, 2026-H2 or 2026."),
        )
    elif version is not None:
        wanted = PeriodKind(version.definition.get("period", PeriodKind.QUARTER))
        if kind != wanted:
            problems.add(
                "period",
                _l(
                    "This scheme assesses per %(kind)s: give a period such as %(example)s,"
                    " not %(period)s.",
                    kind=PERIOD_KIND_LABELS[wanted],
                    example=PERIOD_EXAMPLES[wanted],
                    period=label,
                ),
            )
        else:
            span = Period.parse(label)
    elif kind is not None:
        span = Period.parse(label)
    name = " ".join((name or "").split())
    if len(name) > 120:
        problems.add("name", _l("At most %(count)d characters.", count=120))
    if peer_count is None or not 0 <= peer_count <= MAX_PEERS:
        problems.add("peer_count", _l("Give a number from 0 to %(most)d.", most=MAX_PEERS))
    if rating_due is not None and span is not None and rating_due < span.start:
        problems.add("rating_due", _l("The due date cannot be before the period starts."))
    if version is not None and span is not None:
        taken = session.scalar(
            select(Cycle.id).where(Cycle.scheme_version_id == version.id, Cycle.period == label)
        )
        if taken is not None:
            problems.add(
                "period",
                _l("This scheme version already has a cycle for %(period)s.", period=label),
            )
    problems.raise_any()
    assert version is not None and span is not None
    scheme = definition(version)
    cycle = Cycle(
        name=name or f"{scheme.name} {label}",
        scheme_version_id=version.id,
        period=label,
        period_start=span.start,
        period_end=span.end,
        subject_kind=scheme.subject.value,
        status=S.DRAFT,
        rating_due=rating_due,
        peer_count=peer_count,
        created_by=actor.user_id,
    )
    session.add(cycle)
    session.flush()
    record(
        session,
        actor=actor.email,
        action="cycle.created",
        record_type="cycle",
        record_id=cycle.id,
        after=snapshot(cycle),
    )
    choose_subjects(session, actor, cycle, scheme)
    return cycle


# -- moving --------------------------------------------------------------------------------


def _allowed_text(status: str) -> Any:
    allowed = TRANSITIONS.get(status, ())
    if not allowed:
        return _l(
            "A cycle that is %(status)s cannot move to another stage yet.",
            status=STATUS_LABELS[status],
        )
    return _l(
        "From %(status)s a cycle can only move to: %(allowed)s.",
        status=STATUS_LABELS[status],
        allowed=", ".join(str(STATUS_LABELS[s]) for s in allowed),
    )


def has_finished_run(session: Session, cycle: Cycle) -> bool:
    return bool(
        session.scalar(
            select(
                exists().where(
                    ScoringRun.cycle_id == cycle.id, ScoringRun.status == RunStatus.FINISHED
                )
            )
        )
    )


def move(session: Session, actor: Actor, cycle: Cycle, to: str, reason: str | None = None) -> Cycle:
    """Move ``cycle`` to the stage ``to``; refused (with what is allowed) out of order.

    - draft → open needs at least one included subject;
    - scoring → open (collection reopened) needs a written reason;
    - scoring → review needs a finished scoring run;
    - open → scoring excludes the subjects who left during the period and were not kept
      (saas/cycles/subjects.py, ``exclude_leavers``)."""
    require_manage(actor)
    if to not in STATUS_LABELS:
        raise Invalid(_l("Choose a stage from the list."), "to")
    if to not in TRANSITIONS.get(cycle.status, ()):
        raise Refused(_allowed_text(cycle.status), field="to")
    reason = " ".join((reason or "").split()) or None
    if (cycle.status, to) in NEEDS_REASON and not reason:
        raise Invalid(_l("Say why collection is reopened."), "reason")
    if reason and len(reason) > 1000:
        raise Invalid(_l("At most %(count)d characters.", count=1000), "reason")
    if to == S.OPEN and cycle.status == S.DRAFT:
        included = session.scalar(
            select(func.count())
            .select_from(CycleSubject)
            .where(CycleSubject.cycle_id == cycle.id, CycleSubject.included.is_(True))
        )
        if not included:
            raise Refused(_l("The cycle has no subjects to assess: add some first."), field="to")
    if to == S.REVIEW and not has_finished_run(session, cycle):
        raise Refused(_l("Score the cycle first: review needs a finished scoring run."), field="to")
    before = {"status": cycle.status}
    left = exclude_leavers(session, cycle) if to == S.SCORING else []
    cycle.status = to
    cycle.status_changed_at = utcnow()
    after: dict[str, Any] = {"status": to}
    if reason:
        after["reason"] = reason
    if left:
        after["left_excluded"] = left
    record(
        session,
        actor=actor.email,
        action="cycle.moved",
        record_type="cycle",
        record_id=cycle.id,
        before=before,
        after=after,
    )
    session.flush()
    return cycle


def change_settings(
    session: Session,
    actor: Actor,
    cycle: Cycle,
    *,
    name: str,
    rating_due: dt.date | None,
    peer_count: int | None,
) -> bool:
    """Rename the cycle, change its due date or its number of peers (peers apply to the
    raters generated from then on). Every bad field is named at once; then, once the cycle is
    in review or later, the change is refused: its results are read under these settings.
    Audited before → after with the fields that changed; returns whether any did."""
    require_manage(actor)
    problems = Problems()
    name = " ".join((name or "").split())
    if not name:
        problems.add("name", _l("Give the cycle a name."))
    elif len(name) > 120:
        problems.add("name", _l("At most %(count)d characters.", count=120))
    if peer_count is None or not 0 <= peer_count <= MAX_PEERS:
        problems.add("peer_count", _l("Give a number from 0 to %(most)d.", most=MAX_PEERS))
    if rating_due is not None and rating_due < cycle.period_start:
        problems.add("rating_due", _l("The due date cannot be before the period starts."))
    problems.raise_any()
    if cycle.status not in SETTINGS_CHANGE:
        raise Refused(
            _l(
                "A cycle that is %(status)s keeps its settings: they change only until it"
                " goes to review.",
                status=STATUS_LABELS[cycle.status],
            )
        )
    before = snapshot(cycle)
    cycle.name, cycle.rating_due, cycle.peer_count = name, rating_due, peer_count
    after = snapshot(cycle)
    changed = [key for key in after if after[key] != before[key]]
    if not changed:
        return False
    record(
        session,
        actor=actor.email,
        action="cycle.changed",
        record_type="cycle",
        record_id=cycle.id,
        before={key: before[key] for key in changed},
        after={key: after[key] for key in changed},
    )
    session.flush()
    return True
