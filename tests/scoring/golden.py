"""Golden results: a few hundred generated subjects scored once and kept as a fixture, so a
change to how the engine computes (for speed, say) is proved not to change what it computes.

Every scheme and subject is drawn from a seeded ``random.Random``, so the same ones come back
on every run: schemes with every scoring mode (critical items of both effects, a section
rated as a whole), one to three sources under both missing-source policies, goals, capped and
uncapped scales, precisions 0 to 3, rules of every effect and tally limits; subjects with one
to three raters per source, sources and items left unrated, points outside an item's range,
goals, events in, before and outside the period, and excluded subjects.

Equal numbers are written alike (two decimals), as a cycle's stored ratings are
(``saas.rating.values`` keeps them normalised): the engine remembers what a value is worth by
the value, so 3 and 3.00 in one cohort score the same points, written as whichever it met
first.

``tests/scoring/golden_results.jsonl.gz`` holds one line per subject: the scheme's number, the
subject's key and ``Result.to_dict()`` (every number exact, and the whole trace), gzipped
(the plain text is over a megabyte; ``zcat`` reads it). Regenerate
it only when a change to the results is intended, and say why in the commit:

    PYTHONPATH=. .venv/bin/python -m tests.scoring.golden
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import random
from decimal import Decimal
from pathlib import Path
from typing import Any

from saas.scoring.checks import parse
from saas.scoring.inputs import Event, GoalAttainment, Rating, SubjectInput, Validity
from saas.scoring.period import Period
from saas.scoring.scheme import Scheme

FIXTURE = Path(__file__).with_name("golden_results.jsonl.gz")
PERIOD = Period.parse("2026-Q3")
SEED = 20260712
SCHEMES = 12
SUBJECTS_PER_SCHEME = 30
SOURCES = ("supervisor", "peer", "self", "customer", "committee")
EVENTS = ("praise", "complaint", "badge", "lost_badge", "late", "card_lost")
LEVELS = ("优", "良", "中", "差")


def _hundredths(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randint(low, high)).scaleb(-2)


def _item(rng: random.Random, key: str, mode: str) -> dict[str, Any]:
    top = rng.choice((2, 3, 4, 5, 10, 20)) if rng.random() < 0.7 else _hundredths(rng, 100, 2500)
    data: dict[str, Any] = {"key": key, "text": key, "max": top, "mode": mode}
    if mode == "scale":
        shares = sorted(rng.sample((100, 90, 80, 70, 60, 50, 30, 0), rng.randint(2, 4)))
        data["scale"] = [
            {"label": label, "points": (Decimal(top) * share / 100).quantize(Decimal("0.01"))}
            for label, share in zip(LEVELS, reversed(shares), strict=False)
        ]
    elif mode == "deduction":
        data["per_occurrence"] = rng.choice((Decimal("0.5"), Decimal(1), Decimal(2)))
        data["floor"] = rng.choice((Decimal(0), Decimal(0), Decimal(1)))
    elif mode == "critical":
        data["on_fail"] = rng.choice(("disqualify", "zero_section"))
    return data


def scheme_data(rng: random.Random, number: int) -> dict[str, Any]:
    modes = ("points", "points", "points", "yes_no", "scale", "deduction", "critical")
    sections = []
    for s in range(rng.randint(2, 3)):
        if rng.random() < 0.2:  # rated as a whole: the items are the standards to check
            sections.append(
                {
                    "key": f"S{s}",
                    "title": f"维度{s}",
                    "max": rng.choice((10, 20, 25)),
                    "scoring": "section",
                    "items": [{"key": f"S{s}.{n}", "text": "标准"} for n in range(2)],
                }
            )
            continue
        items = [_item(rng, f"S{s}.{n}", rng.choice(modes)) for n in range(rng.randint(2, 4))]
        total = sum(Decimal(item["max"]) for item in items)
        # Sometimes below the items' sum, so the section cap bites.
        cap = total if rng.random() < 0.6 else max(Decimal(1), (total * 8 / 10).quantize(1))
        sections.append({"key": f"S{s}", "title": f"维度{s}", "max": cap, "items": items})
    kinds = rng.sample(SOURCES[:4], rng.randint(1, 3))
    cuts = sorted(rng.sample(range(5, 100, 5), len(kinds) - 1))
    bounds = [0, *cuts, 100]
    scale = sum(Decimal(section["max"]) for section in sections)
    thresholds = sorted(
        {int(scale * share / 100) for share in rng.sample(range(40, 100, 5), rng.randint(1, 4))},
        reverse=True,
    )
    return {
        "name": f"黄金方案{number}",
        "scale": scale,
        "precision": rng.choice((0, 1, 2, 2, 3)),
        "cap_at_scale": rng.random() < 0.7,
        "sources": [
            {"kind": kind, "weight": bounds[n + 1] - bounds[n]} for n, kind in enumerate(kinds)
        ],
        "missing_sources": rng.choice(("renormalise", "zero")),
        "goals": {
            "share": rng.choice((0, 0, 20, 30, 100)),
            "attainment_cap": rng.choice((100, 120, 150)),
            "when_missing": rng.choice(("renormalise", "zero")),
        },
        "sections": sections,
        "bands": [
            {
                "threshold": threshold,
                "label": f"等级{n}",
                "award": rng.choice((0, 100, 300, 500)),
                "consequence": rng.choice(("none", "none", "retraining")),
            }
            for n, threshold in enumerate([*thresholds, 0])
        ],
        "rules": [
            {
                "event": event,
                "label": event,
                "needs_validity": rng.random() < 0.3,
                "points": _hundredths(rng, -1000, 1000),
                "monthly_points": rng.choice((Decimal(0), Decimal(-2), Decimal(-5))),
                "fine": rng.choice((Decimal(0), Decimal(200))),
                "disqualify": rng.choice(("none", "none", "this_period", "next_period")),
            }
            for event in rng.sample(EVENTS, rng.randint(3, 6))
        ],
        "tally_limits": [
            {"deducted_at_least": rng.randint(2, 6), "disqualify": effect}
            for effect in rng.sample(("this_period", "next_period"), rng.randint(0, 2))
        ],
    }


def _value(rng: random.Random, item) -> Any:
    mode = item.mode.value
    if mode == "points":
        cents = int(item.max * 100)
        return Decimal(rng.randint(-100, cents + 100)).scaleb(-2)
    if mode in ("yes_no", "critical"):
        return rng.random() < 0.85
    if mode == "scale":
        return rng.choice([level.label for level in item.scale])
    return rng.choice((0, 0, 1, 2, 5))


def subject(rng: random.Random, scheme: Scheme, key: str) -> SubjectInput:
    ratings = []
    rated = scheme.rated()
    for source in scheme.sources:
        if rng.random() < 0.15:
            continue  # this source did not rate
        raters = rng.choice((1, 1, 1, 2, 3))
        for r in range(raters):
            for _s, item in rated:
                if rng.random() < 0.08:
                    continue  # this rater left the item out
                ratings.append(Rating(item.key, source.kind.value, f"r{r}", _value(rng, item)))
    rng.shuffle(ratings) if rng.random() < 0.3 else None
    goals = tuple(
        GoalAttainment(f"g{n}", _hundredths(rng, 0, 5000), _hundredths(rng, 0, 20000))
        for n in range(rng.choice((0, 0, 1, 2, 3)))
    )
    events = tuple(
        Event(
            rng.choice((*EVENTS, "unknown")),
            dt.date(2026, 3, 1) + dt.timedelta(days=rng.randrange(245)),
            rng.choice((None, Validity.VALID, Validity.VALID, Validity.PENDING, Validity.INVALID)),
            f"L{n}",
        )
        for n in range(rng.choice((0, 1, 2, 4, 6)))
    )
    excluded = ("employment_form:劳务派遣",) if rng.random() < 0.05 else ()
    return SubjectInput(key, tuple(ratings), goals, events, excluded)


def cohorts() -> list[tuple[Scheme, list[SubjectInput]]]:
    rng = random.Random(SEED)
    drawn = []
    for number in range(SCHEMES):
        scheme, issues = parse(scheme_data(rng, number))
        assert scheme is not None, issues
        subjects = [subject(rng, scheme, f"E{n:03d}") for n in range(SUBJECTS_PER_SCHEME)]
        drawn.append((scheme, subjects))
    return drawn


def lines(score) -> list[str]:
    """Every subject's result as a JSON line, scored with ``score(scheme, subjects)``."""
    out = []
    for number, (scheme, subjects) in enumerate(cohorts()):
        for result in score(scheme, subjects):
            record = {"scheme": number, "subject": result.subject, "result": result.to_dict()}
            out.append(json.dumps(record, ensure_ascii=False, sort_keys=True))
    return out


def _engine_results(scheme: Scheme, subjects: list[SubjectInput]):
    from saas.scoring.engine import Engine

    return Engine(scheme).score_many(subjects, PERIOD)


if __name__ == "__main__":
    text = "\n".join(lines(_engine_results)) + "\n"
    # mtime 0: the same results give the same bytes, so an unchanged fixture shows no diff.
    FIXTURE.write_bytes(gzip.compress(text.encode("utf-8"), mtime=0))
    print(f"wrote {FIXTURE}")
