"""Results as a scoring run stores them, made with the real engine, for the results pages'
tests (and the access walks): a scheme that makes the engine take every step it knows, a
cohort that takes them, and ``store_run`` writing a finished ``ScoringRun`` with one
``CycleResult`` per subject of exactly the stored shape (Result.to_dict(), the trace apart).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from saas.models.cycle import Cycle, CycleResult, CycleSubject, RunStatus, ScoringRun
from saas.runs.persist import stored_parts
from saas.scoring.checks import parse
from saas.scoring.cohort import score_cohort
from saas.scoring.engine import Engine
from saas.scoring.inputs import Event, GoalAttainment, Rating, SubjectInput, Validity
from saas.scoring.period import Period
from saas.scoring.result import Result
from saas.scoring.scheme import Scheme

D = dt.date


def rich_definition() -> dict[str, Any]:
    """Three sources (customers usually missing), items in every scoring mode, a section
    rated as a whole, goals, a band quota, events of every kind and a monthly tally limit."""
    return {
        "name": "全步骤测试方案",
        "period": "quarter",
        "scale": 100,
        "cap_at_scale": True,
        "sources": [
            {"kind": "supervisor", "weight": 60},
            {"kind": "peer", "weight": 30},
            {"kind": "customer", "weight": 10},
        ],
        "missing_sources": "renormalise",
        "goals": {"share": 20, "attainment_cap": 120, "when_missing": "renormalise"},
        "sections": [
            {
                "key": "A",
                "title": "服务质量",
                "max": 40,
                "items": [
                    {"key": "A1", "text": "接待规范", "max": 20},
                    {"key": "A2", "text": "按时到岗", "max": 10, "mode": "yes_no"},
                    {
                        "key": "A3",
                        "text": "服务态度",
                        "max": 10,
                        "mode": "scale",
                        "scale": [
                            {"label": "好", "points": 10},
                            {"label": "中", "points": 6},
                            {"label": "差", "points": 2},
                        ],
                    },
                    {
                        "key": "A4",
                        "text": "差错次数",
                        "max": 10,
                        "mode": "deduction",
                        "per_occurrence": 2,
                    },
                    {
                        "key": "D1",
                        "text": "无违纪",
                        "max": 5,
                        "mode": "critical",
                        "on_fail": "disqualify",
                    },
                ],
            },
            {"key": "B", "title": "团队协作", "max": 30, "scoring": "section"},
            {
                "key": "C",
                "title": "安全",
                "max": 30,
                "items": [
                    {"key": "C1", "text": "安全操作", "max": 20},
                    {
                        "key": "C2",
                        "text": "无重大安全事故",
                        "max": 10,
                        "mode": "critical",
                        "on_fail": "zero_section",
                    },
                ],
            },
        ],
        "bands": [
            {"threshold": 90, "label": "优秀", "award": 500, "quota": 20},
            {"threshold": 75, "label": "良好", "award": 200, "pay_coefficient": 1.1},
            {"threshold": 60, "label": "合格"},
            {"threshold": 20, "label": "待改进", "consequence": "retraining"},
        ],
        "rules": [
            {"event": "praise", "label": "表扬信", "label_en": "Praise letter", "points": 10},
            {
                "event": "complaint",
                "label": "有效投诉",
                "label_en": "Valid complaint",
                "needs_validity": True,
                "disqualify": "this_period",
            },
            {
                "event": "badge_lost",
                "label": "丢失徽章",
                "label_en": "Badge lost",
                "monthly_points": -8,
                "fine": 200,
                "disqualify": "next_period",
            },
            {"event": "accident", "label": "责任事故", "label_en": "Accident", "points": -80},
        ],
        "tally_limits": [{"deducted_at_least": 15, "disqualify": "this_period"}],
    }


def rich_scheme() -> Scheme:
    scheme, issues = parse(rich_definition())
    assert scheme is not None, issues
    return scheme


def rate(source: str, rater: str, **values: Any) -> tuple[Rating, ...]:
    return tuple(Rating(key, source, rater, value) for key, value in values.items())


GOOD = {"A1": Decimal(18), "A2": True, "A3": "好", "A4": 1, "B": Decimal(27), "C1": Decimal(19)}
GOOD_CRITICAL = {"C2": True, "D1": True}


def cohort_inputs(keys: Sequence[str]) -> list[SubjectInput]:
    """Twelve subjects (keyed by ``keys``) that between them take every step the engine has:

    0 supervisor and two peers, goals over their cap, a praise letter that caps the score;
    1 and 2 high scorers (with 0, over the top band's 20 % quota: one moves down);
    3 a failed zero-section critical item, peers missing (renormalised);
    4 a failed disqualifying critical item;
    5 a valid complaint (disqualified, award withheld), a pending and an invalid one;
    6 two lost badges in one month (tally over the limit; disqualified next period), an event
      of no rule, one outside the period, one of the previous period;
    7 last period's lost badge (disqualified now), an accident that floors the score at 0;
    8 goals only (no ratings); 9 nothing at all; 10 excluded; 11 an average score.
    """
    everything = {**GOOD, **GOOD_CRITICAL}
    k = list(keys)
    subjects = [
        SubjectInput(
            k[0],
            rate("supervisor", "s", **everything)
            + rate("peer", "p1", **everything)
            + rate("peer", "p2", **{**everything, "A1": Decimal(16)}),
            goals=(
                GoalAttainment("g1", Decimal(60), Decimal(130)),
                GoalAttainment("g2", Decimal(40), Decimal(90)),
            ),
            events=(Event("praise", D(2026, 8, 3), ref="L-1"),),
        ),
        SubjectInput(
            k[1],
            rate("supervisor", "s", **everything) + rate("peer", "p", **everything),
            goals=(GoalAttainment("g", Decimal(100), Decimal(100)),),
        ),
        SubjectInput(
            k[2],
            rate("supervisor", "s", **everything) + rate("peer", "p", **everything),
            goals=(GoalAttainment("g", Decimal(100), Decimal(98)),),
        ),
        SubjectInput(k[3], rate("supervisor", "s", **{**everything, "C2": False})),
        SubjectInput(k[4], rate("supervisor", "s", **{**everything, "D1": False})),
        SubjectInput(
            k[5],
            rate("supervisor", "s", **everything) + rate("peer", "p", **everything),
            events=(
                Event("complaint", D(2026, 7, 10), Validity.VALID, "C-1"),
                Event("complaint", D(2026, 7, 11), None, "C-2"),
                Event("complaint", D(2026, 7, 12), Validity.INVALID, "C-3"),
            ),
        ),
        SubjectInput(
            k[6],
            rate("supervisor", "s", **everything),
            events=(
                Event("badge_lost", D(2026, 8, 1), ref="B-1"),
                Event("badge_lost", D(2026, 8, 20), ref="B-2"),
                Event("no_such_rule", D(2026, 8, 2), ref="X-1"),
                Event("praise", D(2025, 1, 5), ref="L-0"),
                Event("praise", D(2026, 5, 5), ref="L-9"),
            ),
        ),
        SubjectInput(
            k[7],
            rate("supervisor", "s", **{**everything, "A1": Decimal(5), "B": Decimal(10)}),
            events=(
                Event("badge_lost", D(2026, 6, 3), ref="B-0"),
                Event("accident", D(2026, 9, 1), ref="A-1"),
            ),
        ),
        SubjectInput(k[8], goals=(GoalAttainment("g", Decimal(100), Decimal(80)),)),
        SubjectInput(k[9]),
        SubjectInput(k[10], excluded_because=("level_at_least:部门主管",)),
        SubjectInput(
            k[11],
            rate("supervisor", "s", **{**everything, "A1": Decimal(12), "B": Decimal(20)}),
        ),
    ]
    return subjects


def plain_input(key: str, score: int | Decimal) -> SubjectInput:
    """A subject whose one supervisor gives about ``score`` points (60–100) in all: 40 % of
    it in section A, 30 % in B and 30 % in C."""
    target = Decimal(score)
    a1 = min(Decimal(20), max(Decimal(0), target * Decimal("0.4") - 25))
    c1 = min(Decimal(20), max(Decimal(0), target * Decimal("0.3") - 10))
    values = {
        "A1": a1.quantize(Decimal("0.1")),
        "A2": True,
        "A3": "中",
        "A4": 3,
        "B": (target * Decimal("0.3")).quantize(Decimal("0.1")),
        "C1": c1.quantize(Decimal("0.1")),
        "C2": True,
        "D1": True,
    }
    return SubjectInput(key, rate("supervisor", "s", **values))


def score(scheme: Scheme, period: str, inputs: Sequence[SubjectInput]) -> list[Result]:
    return score_cohort(Engine(scheme), inputs, Period.parse(period))


def result_row(run: ScoringRun, subject: CycleSubject, result: Result) -> CycleResult:
    """One subject's result as a scoring run stores it."""
    data, trace = stored_parts(result)
    band = result.band
    return CycleResult(
        run_id=run.id,
        cycle_subject_id=subject.id,
        unit_id=subject.unit_id,
        excluded=result.excluded,
        final=None if result.excluded else result.final,
        band=data["band"],
        award=result.award,
        fines=result.fines,
        pay_coefficient=None if band is None else band.pay_coefficient,
        consequence=data["consequence"],
        disqualified=bool(result.disqualified),
        disqualified_next=bool(result.disqualified_next),
        breakdown=data,
        trace=trace,
    )


def store_run(
    session: Session,
    cycle: Cycle,
    pairs: Sequence[tuple[CycleSubject, Result]],
    *,
    status: str = RunStatus.FINISHED,
    finished_at: dt.datetime | None = None,
) -> ScoringRun:
    """A numbered run of the cycle holding these results."""
    from sqlalchemy import func, select

    number = (
        session.scalar(select(func.max(ScoringRun.number)).where(ScoringRun.cycle_id == cycle.id))
        or 0
    ) + 1
    now = dt.datetime.now(dt.UTC)
    run = ScoringRun(
        cycle_id=cycle.id,
        number=number,
        status=status,
        subjects=len(pairs),
        started_at=now,
        finished_at=(finished_at or now) if status == RunStatus.FINISHED else None,
    )
    session.add(run)
    session.flush()
    session.add_all(result_row(run, subject, result) for subject, result in pairs)
    session.flush()
    return run


def score_and_store(
    session: Session,
    cycle: Cycle,
    scheme: Scheme,
    subjects: Sequence[CycleSubject],
    inputs: Sequence[SubjectInput],
    **options: Any,
) -> ScoringRun:
    """Score ``inputs`` (one per subject, in order) as one cohort and store the run."""
    results = score(scheme, cycle.period, inputs)
    return store_run(session, cycle, list(zip(subjects, results, strict=True)), **options)


def publish_scheme(session: Session, scheme: Scheme, admin_email: str) -> int:
    """A published version of ``scheme`` in the tenant, by its administrator: its id."""
    from sqlalchemy import select

    from saas.auth.permissions import Actor
    from saas.models.user import User
    from saas.schemes import versions

    admin = session.scalar(select(User.id).where(User.email == admin_email))
    actor = Actor.system(admin_email, user_id=admin)
    version = versions.create_scheme(session, actor, scheme)
    versions.publish(session, actor, version)
    return version.id
