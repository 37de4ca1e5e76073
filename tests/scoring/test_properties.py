"""Properties of the scoring engine over random valid schemes and random subjects.

The strategies build scheme data the way a scheme file holds it, parse it (so every scheme is
one ``saas.scoring.checks.parse`` accepts), and then draw subjects that fit it: ratings by
several raters from the scheme's sources, goals, and ledger events around 2026-Q3.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from saas.scoring.checks import parse
from saas.scoring.engine import Engine
from saas.scoring.inputs import Event, GoalAttainment, Rating, SubjectInput, Validity
from saas.scoring.period import Period
from saas.scoring.result import Result
from saas.scoring.scheme import (
    CriticalEffect,
    Disqualify,
    Item,
    MissingSources,
    Mode,
    Rule,
    Scheme,
    SourceKind,
)

Q3 = Period.parse("2026-Q3")
LABELS = ("优", "良", "中", "差", "可")
EVENTS = ("praise", "complaint", "badge", "lost_badge", "late")
RATERS = ("r0", "r1", "r2", "r3")

# No example database: the suite stays fast and leaves nothing behind in the working tree.
PROPERTY = settings(
    max_examples=120,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def hundredths(low: int, high: int) -> st.SearchStrategy[Decimal]:
    """Decimals with two places from low/100 to high/100, as points and money are."""
    return st.integers(low, high).map(lambda n: Decimal(n).scaleb(-2))


# -- schemes ---------------------------------------------------------------------------------


@st.composite
def items(draw: st.DrawFn, key: str) -> dict[str, Any]:
    top = draw(st.integers(100, 3000))
    data: dict[str, Any] = {"key": key, "text": key, "max": Decimal(top).scaleb(-2)}
    mode = draw(st.sampled_from(list(Mode)))
    data["mode"] = mode.value
    if mode is Mode.SCALE:
        labels = draw(st.lists(st.sampled_from(LABELS), min_size=2, max_size=4, unique=True))
        data["scale"] = [{"label": label, "points": draw(hundredths(0, top))} for label in labels]
    elif mode is Mode.DEDUCTION:
        data["per_occurrence"] = draw(hundredths(1, top))
        data["floor"] = draw(hundredths(0, top - 1))
    elif mode is Mode.CRITICAL:
        data["on_fail"] = draw(st.sampled_from(list(CriticalEffect))).value
    return data


@st.composite
def sections(draw: st.DrawFn, index: int) -> dict[str, Any]:
    count = draw(st.integers(1, 6))
    return {
        "key": f"s{index}",
        "title": f"维度{index}",
        "max": draw(hundredths(100, 6000)),
        "items": [draw(items(f"s{index}i{n}")) for n in range(count)],
    }


@st.composite
def sources(draw: st.DrawFn) -> list[dict[str, Any]]:
    kinds = draw(st.lists(st.sampled_from(list(SourceKind)), min_size=1, max_size=3, unique=True))
    cuts = sorted(
        draw(st.lists(st.integers(0, 100), min_size=len(kinds) - 1, max_size=len(kinds) - 1))
    )
    bounds = [0, *cuts, 100]
    return [
        {"kind": kind.value, "weight": Decimal(bounds[n + 1] - bounds[n])}
        for n, kind in enumerate(kinds)
    ]


@st.composite
def bands(draw: st.DrawFn, scale: int) -> list[dict[str, Any]]:
    thresholds = draw(st.lists(st.integers(0, scale), max_size=4, unique=True))
    return [
        {
            "threshold": Decimal(threshold).scaleb(-2),
            "label": f"等级{n}",
            "award": draw(st.sampled_from([Decimal(0), Decimal(100), Decimal(300), Decimal(500)])),
        }
        for n, threshold in enumerate(thresholds)
    ]


@st.composite
def rules(draw: st.DrawFn) -> list[dict[str, Any]]:
    events = draw(st.lists(st.sampled_from(EVENTS), max_size=4, unique=True))
    return [
        {
            "event": event,
            "label": event,
            "needs_validity": draw(st.booleans()),
            "points": draw(hundredths(-2000, 2000)),
            "monthly_points": draw(st.sampled_from([Decimal(0), Decimal(-2), Decimal(-5)])),
            "fine": draw(st.sampled_from([Decimal(0), Decimal(200)])),
            "disqualify": draw(st.sampled_from(list(Disqualify))).value,
        }
        for event in events
    ]


@st.composite
def schemes(draw: st.DrawFn) -> Scheme:
    scale = draw(st.integers(1000, 20000))  # in hundredths
    data = {
        "name": "随机方案",
        "scale": Decimal(scale).scaleb(-2),
        "precision": draw(st.integers(0, 4)),
        "cap_at_scale": draw(st.booleans()),
        "sources": draw(sources()),
        "missing_sources": draw(st.sampled_from(list(MissingSources))).value,
        "goals": {
            "share": draw(st.one_of(st.just(0), st.integers(0, 100))),
            "attainment_cap": draw(st.integers(100, 300)),
            "when_missing": draw(st.sampled_from(list(MissingSources))).value,
        },
        "sections": [draw(sections(n)) for n in range(draw(st.integers(1, 4)))],
        "bands": draw(bands(scale)),
        "rules": draw(rules()),
        "tally_limits": [
            {"deducted_at_least": limit, "disqualify": effect.value}
            for limit, effect in draw(
                st.lists(
                    st.tuples(st.integers(1, 20), st.sampled_from(list(Disqualify))), max_size=2
                )
            )
        ],
    }
    scheme, issues = parse(data)
    assert scheme is not None, issues
    return scheme


# -- subjects --------------------------------------------------------------------------------


def all_items(scheme: Scheme) -> dict[str, Item]:
    return {item.key: item for section in scheme.sections for item in section.items}


def values(item: Item) -> st.SearchStrategy[Any]:
    """A rater's value for the item, in the type its mode takes; points may stray outside."""
    if item.mode is Mode.POINTS:
        return hundredths(-500, int(item.max * 100) + 500)
    if item.mode in (Mode.YES_NO, Mode.CRITICAL):
        return st.booleans()
    if item.mode is Mode.SCALE:
        return st.sampled_from([level.label for level in item.scale])
    return st.integers(0, 12)


@st.composite
def ratings(draw: st.DrawFn, scheme: Scheme) -> tuple[Rating, ...]:
    by_key = all_items(scheme)
    kinds = [source.kind.value for source in scheme.sources]
    drawn = []
    for _ in range(draw(st.integers(0, 20))):
        item = by_key[draw(st.sampled_from(sorted(by_key)))]
        source, rater = draw(st.sampled_from(kinds)), draw(st.sampled_from(RATERS))
        drawn.append(Rating(item.key, source, rater, draw(values(item))))
    return tuple(drawn)


events = st.builds(
    Event,
    event=st.sampled_from((*EVENTS, "unknown")),
    on=st.dates(dt.date(2026, 3, 1), dt.date(2026, 10, 31)),
    validity=st.sampled_from(list(Validity)),
    ref=st.sampled_from(("", "L-1", "L-2")),
)

goals = st.builds(
    GoalAttainment,
    goal=st.sampled_from(("g1", "g2", "g3")),
    weight=hundredths(0, 10000),
    attainment=hundredths(0, 25000),
)


@st.composite
def cases(draw: st.DrawFn) -> tuple[Scheme, SubjectInput]:
    scheme = draw(schemes())
    subject = SubjectInput(
        "emp-1",
        ratings=draw(ratings(scheme)),
        goals=tuple(draw(st.lists(goals, max_size=3))),
        events=tuple(draw(st.lists(events, max_size=8))),
    )
    return scheme, subject


def scored(scheme: Scheme, subject: SubjectInput) -> Result:
    return Engine(scheme).score(subject, Q3)


# -- properties ------------------------------------------------------------------------------


@PROPERTY
@given(cases())
def test_the_final_score_stays_within_zero_and_the_scale(case: tuple[Scheme, SubjectInput]) -> None:
    scheme, subject = case
    result = scored(scheme, subject)
    assert result.final >= 0 and result.unrounded >= 0
    if scheme.cap_at_scale:
        assert result.final <= scheme.scale
    assert result.final == result.final.quantize(Decimal(1).scaleb(-scheme.precision))


@PROPERTY
@given(cases(), st.data())
def test_the_order_of_ratings_and_events_changes_nothing(
    case: tuple[Scheme, SubjectInput], data: st.DataObject
) -> None:
    scheme, subject = case
    shuffled = SubjectInput(
        subject.key,
        ratings=tuple(data.draw(st.permutations(subject.ratings))),
        goals=subject.goals,
        events=tuple(data.draw(st.permutations(subject.events))),
    )
    first, second = scored(scheme, subject), scored(scheme, shuffled)
    assert first == second
    assert first.trace() == second.trace()
    assert first.to_dict() == second.to_dict()


def raised(item: Item, value: Any) -> st.SearchStrategy[Any]:
    """A value at least as good as ``value`` for the item."""
    if item.mode is Mode.POINTS:
        return hundredths(0, 3000).map(lambda more: value + more)
    if item.mode in (Mode.YES_NO, Mode.CRITICAL):
        return st.just(True)
    if item.mode is Mode.SCALE:
        points = {level.label: level.points for level in item.scale}
        return st.sampled_from([label for label in points if points[label] >= points[value]])
    return st.integers(0, value)  # fewer deduction occurrences


@PROPERTY
@given(cases(), st.data())
def test_raising_one_rating_never_lowers_the_score(
    case: tuple[Scheme, SubjectInput], data: st.DataObject
) -> None:
    scheme, subject = case
    if not subject.ratings:
        return
    index = data.draw(st.integers(0, len(subject.ratings) - 1))
    old = subject.ratings[index]
    better = data.draw(raised(all_items(scheme)[old.item], old.value))
    ratings = list(subject.ratings)
    ratings[index] = Rating(old.item, old.source, old.rater, better)
    lower = scored(scheme, subject)
    higher = scored(
        scheme, SubjectInput(subject.key, tuple(ratings), subject.goals, subject.events)
    )
    assert higher.unrounded >= lower.unrounded
    assert higher.final >= lower.final
    assert higher.checklist is not None and lower.checklist is not None
    assert higher.checklist >= lower.checklist


@PROPERTY
@given(cases())
def test_the_band_is_the_highest_one_at_or_below_the_final_score(
    case: tuple[Scheme, SubjectInput],
) -> None:
    scheme, subject = case
    result = scored(scheme, subject)
    reached = [band for band in scheme.bands if band.threshold <= result.final]
    if reached:
        assert result.band == max(reached, key=lambda band: band.threshold)
    else:
        assert result.band is None


@PROPERTY
@given(cases())
def test_scoring_twice_gives_equal_results(case: tuple[Scheme, SubjectInput]) -> None:
    scheme, subject = case
    engine = Engine(scheme)
    first, second = engine.score(subject, Q3), engine.score(subject, Q3)
    third = scored(scheme, subject)
    assert first == second == third
    assert first.trace() == second.trace() == third.trace()
    assert first.to_dict() == third.to_dict()


@PROPERTY
@given(cases())
def test_an_award_is_the_bands_and_only_without_disqualification(
    case: tuple[Scheme, SubjectInput],
) -> None:
    scheme, subject = case
    result = scored(scheme, subject)
    if result.band is None or result.is_disqualified:
        assert result.award == 0
    else:
        assert result.award == result.band.award


@PROPERTY
@given(cases())
def test_a_disqualified_subject_keeps_its_score_and_band_but_gets_no_award(
    case: tuple[Scheme, SubjectInput],
) -> None:
    scheme, subject = case
    veto = Rule(event="veto", label="一票否决", disqualify=Disqualify.THIS_PERIOD)
    vetoing = scheme.model_copy(update={"rules": (*scheme.rules, veto)})
    vetoed = SubjectInput(
        subject.key,
        subject.ratings,
        subject.goals,
        (*subject.events, Event("veto", dt.date(2026, 8, 1))),
    )
    free, disqualified = scored(scheme, subject), scored(vetoing, vetoed)
    assert disqualified.is_disqualified
    assert (disqualified.final, disqualified.band) == (free.final, free.band)
    assert disqualified.award == 0
