"""The scoring engine: subjects scored per second, against a plain SQL aggregate in PostgreSQL.

Builds a synthetic scheme (30 items in 4 sections: points, scale and yes/no items; sources
supervisor 50 %, peer 30 %, customer 20 %; bands, rules and a monthly tally limit) and, from
a seed, every subject's ratings (each item by each source, ``--raters`` raters per source)
and a few ledger events. Then, in the same run:

  - engine: ``Engine(scheme).score_many`` over inputs built before the clock starts;
  - baseline: the same ratings COPYed into a temporary table (before the clock starts) and
    one SQL aggregate, Σ value × source weight per subject, fetching one row per subject.
    It is the least any weighted total can cost: no item ranges, section caps, missing
    sources, events, bands or trace; the engine's checklist total is checked against it;
  - with ``--with-io``: read → score → write back (the ratings and events read with one query
    each, scored, the results written with one COPY; ``--with-traces`` adds each result's
    trace as JSONB) against the SQL aggregate written back with one INSERT … SELECT.

Each figure is the best of ``--repeats`` runs. ``--profile`` prints where the engine spends
its time (cProfile, top 15 by own time).

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \\
    .venv/bin/python bench/scoring.py [--subjects 10000] [--raters 1] [--with-io] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import gc
import json
import os
import pstats
import random
import re
import sys
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar, cast

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
from psycopg import sql  # noqa: E402

from saas.scoring.checks import parse  # noqa: E402
from saas.scoring.engine import Engine  # noqa: E402
from saas.scoring.inputs import Event, Rating, SubjectInput, Validity  # noqa: E402
from saas.scoring.period import Period  # noqa: E402
from saas.scoring.result import Result  # noqa: E402
from saas.scoring.scheme import Item, Mode, Scheme  # noqa: E402

T = TypeVar("T")
TARGET_PER_SECOND = 20_000
IO_TARGET_RATIO = 3
PERIOD = "2026-Q3"
SOURCES = {"supervisor": 50, "peer": 30, "customer": 20}
# Section title, maximum and its items' maxima: the maxima add up to the section's, so no
# section cap bites and the engine's checklist must equal the plain SQL total exactly.
SECTIONS = (
    ("遵章守纪", 20, (4, 4, 3, 3, 3, 3)),
    ("文明礼貌", 10, (3, 3, 2, 2)),
    ("优质服务", 50, (4, 4, 4, 4, 4, 4, 4, 4, 3, 3, 3, 3, 3, 3)),
    ("思想道德", 20, (4, 4, 3, 3, 3, 3)),
)
LEVELS = (
    ("优", Decimal(1)),
    ("良", Decimal("0.8")),
    ("中", Decimal("0.6")),
    ("差", Decimal("0.3")),
)
BANDS = (
    {"threshold": 95, "label": "最佳微笑奖", "award": 500},
    {"threshold": 90, "label": "微笑大使奖", "award": 300},
    {"threshold": 85, "label": "微笑风采奖", "award": 200},
    {"threshold": 80, "label": "合格"},
    {"threshold": 0, "label": "待培训", "consequence": "retraining"},
)
RULES = (
    {"event": "praise_letter", "label": "表扬信", "points": 10},
    {"event": "customer_praise", "label": "顾客表扬", "points": 10},
    {
        "event": "complaint",
        "label": "有效投诉",
        "needs_validity": True,
        "disqualify": "this_period",
    },
    {"event": "badge_missing", "label": "未佩戴工牌", "monthly_points": -5},
    {"event": "badge_lost", "label": "遗失工牌", "monthly_points": -2},
    {"event": "work_card_lost", "label": "遗失工作证", "fine": 200, "disqualify": "this_period"},
    {"event": "award_badge_lost", "label": "遗失奖牌", "fine": 200, "disqualify": "next_period"},
)
# How often each event type turns up: mostly praise and small deductions.
EVENT_MIX = (
    ("praise_letter", 4),
    ("customer_praise", 4),
    ("badge_missing", 6),
    ("badge_lost", 2),
    ("complaint", 2),
    ("work_card_lost", 1),
    ("award_badge_lost", 1),
)


# -- the scheme and the inputs -----------------------------------------------------------------


def _item(section: int, number: int, top: int) -> dict[str, Any]:
    data: dict[str, Any] = {"key": f"S{section + 1}.I{number + 1:02d}", "max": top}
    data["text"] = f"{SECTIONS[section][0]}第{number + 1}项"
    kind = (section * 7 + number) % 5  # three in five points items, the rest scale or yes/no
    if kind == 3:
        data["mode"] = "scale"
        data["scale"] = [
            {"label": label, "points": (share * top).quantize(Decimal("0.01"))}
            for label, share in LEVELS
        ]
    elif kind == 4:
        data["mode"] = "yes_no"
    return data


def build_scheme() -> Scheme:
    data = {
        "name": "服务质量考核(基准)",
        "period": "quarter",
        "sources": [{"kind": kind, "weight": weight} for kind, weight in SOURCES.items()],
        "sections": [
            {
                "key": f"S{s + 1}",
                "title": title,
                "max": top,
                "items": [_item(s, n, item_max) for n, item_max in enumerate(maxima)],
            }
            for s, (title, top, maxima) in enumerate(SECTIONS)
        ],
        "bands": list(BANDS),
        "rules": list(RULES),
        "tally_limits": [{"deducted_at_least": 15}],
    }
    scheme, issues = parse(data)
    blocking = [issue for issue in issues if issue.blocks_publishing]
    if scheme is None or blocking:
        raise SystemExit(f"the benchmark's scheme does not check: {issues}")
    return scheme


def scheme_items(scheme: Scheme) -> list[Item]:
    return [item for section in scheme.sections for item in section.items]


def _answers(item: Item) -> list[Decimal | bool | str]:
    """What raters answer for an item, as ``saas.scoring.inputs`` types them."""
    if item.mode is Mode.SCALE:
        return [level.label for level in item.scale]
    if item.mode is Mode.YES_NO:
        return [True] * 9 + [False]
    tenths = int(item.max * 10)
    return [Decimal(n).scaleb(-1) for n in range(tenths * 6 // 10, tenths + 1)]


def _events(rng: random.Random, most: int, period: Period) -> tuple[Event, ...]:
    kinds, weights = zip(*EVENT_MIX, strict=True)
    previous_days = (period.start - period.previous_start).days
    days = (period.end - period.start).days + 1
    events = []
    for n in range(rng.randint(0, most)):
        kind = rng.choices(kinds, weights)[0]
        # One event in seven is from the previous period, where only forward rules reach.
        if rng.random() < 1 / 7:
            on = period.previous_start + dt.timedelta(days=rng.randrange(previous_days))
        else:
            on = period.start + dt.timedelta(days=rng.randrange(days))
        validity = Validity.VALID
        if kind == "complaint":
            validity = rng.choice((Validity.VALID, Validity.PENDING, Validity.INVALID))
        events.append(Event(kind, on, validity, f"L{n}"))
    return tuple(events)


def generate(
    scheme: Scheme, subjects: int, raters: int, most_events: int, seed: int, period: Period
) -> list[SubjectInput]:
    rng = random.Random(seed)
    items = [(item.key, _answers(item)) for item in scheme_items(scheme)]
    who = [(source, [f"{source}-{r + 1}" for r in range(raters)]) for source in SOURCES]
    inputs = []
    for n in range(subjects):
        ratings = tuple(
            Rating(key, source, rater, rng.choice(answers))
            for key, answers in items
            for source, names in who
            for rater in names
        )
        events = _events(rng, most_events, period)
        inputs.append(SubjectInput(f"E{n:06d}", ratings, events=events))
    return inputs


def points_of(item: Item, value: Decimal | bool | str) -> Decimal:
    """What an answer is worth, as plain SQL would store it next to the answer."""
    if item.mode is Mode.SCALE:
        return next(level.points for level in item.scale if level.label == value)
    if item.mode is Mode.YES_NO:
        return item.max if value else Decimal(0)
    return Decimal(value)


# -- PostgreSQL --------------------------------------------------------------------------------

TABLES = """
create temporary table rating (
    subject text not null, source text not null, item text not null, rater text not null,
    value numeric not null,  -- the points the answer is worth
    answer text              -- the answer as given: a scale label, yes/no; null for points
);
create temporary table ledger_event (
    subject text not null, event text not null, on_date date not null,
    validity text not null, ref text not null
);
create temporary table engine_result (
    subject text primary key, final numeric not null, band text, award numeric not null,
    disqualified boolean not null, trace jsonb
);
create temporary table sql_result (subject text primary key, total numeric not null);
"""


def connect() -> psycopg.Connection:
    url = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    return psycopg.connect(re.sub(r"^postgres(ql)?(\+\w+)?://", "postgresql://", url))


def _rating_rows(scheme: Scheme, inputs: list[SubjectInput]) -> Iterator[tuple]:
    items = {item.key: item for item in scheme_items(scheme)}
    for subject in inputs:
        for r in subject.ratings:
            item = items[r.item]
            if item.mode is Mode.POINTS:
                answer = None
            elif item.mode is Mode.YES_NO:
                answer = "yes" if r.value else "no"
            else:
                answer = r.value
            yield subject.key, r.source, r.item, r.rater, points_of(item, r.value), answer


def aggregate(scheme: Scheme, raters: int) -> sql.Composed:
    """Σ value × weight per subject, divided by the raters per source so each item counts its
    raters' mean. The weights are literals in a CASE: faster here than joining a weight table."""
    weights = sql.SQL(" ").join(
        sql.SQL("when {} then {}").format(s.kind.value, s.weight) for s in scheme.sources
    )
    return sql.SQL(
        "select subject, sum(value * case source {} end) / {} as total from rating group by subject"
    ).format(weights, 100 * raters)


def load(connection: psycopg.Connection, scheme: Scheme, inputs: list[SubjectInput]) -> int:
    """Temporary tables (never written to the WAL) filled with COPY; returns the rows."""
    rows = 0
    with connection.cursor() as cursor:
        cursor.execute(TABLES)
        with cursor.copy("copy rating from stdin") as copy:
            for row in _rating_rows(scheme, inputs):
                copy.write_row(row)
                rows += 1
        with cursor.copy("copy ledger_event from stdin") as copy:
            for subject in inputs:
                for e in subject.events:
                    copy.write_row((subject.key, e.event, e.on, e.validity.value, e.ref))
        # Autovacuum never analyses temporary tables; without statistics the plans are guesses.
        cursor.execute("analyze rating; analyze ledger_event")
    connection.commit()
    return rows


def sql_aggregate(connection: psycopg.Connection, query: sql.Composed) -> list[tuple[str, Decimal]]:
    with connection.cursor() as cursor:
        cursor.execute(query)
        rows = cursor.fetchall()
    connection.commit()
    return rows


def sql_write_back(connection: psycopg.Connection, query: sql.Composed) -> None:
    connection.execute(sql.SQL("insert into sql_result (subject, total) {}").format(query))
    connection.commit()


def read_inputs(connection: psycopg.Connection, scheme: Scheme) -> list[SubjectInput]:
    """Every subject's ratings and events, read back the way a scoring job would."""
    yes_no = {item.key for item in scheme_items(scheme) if item.mode is Mode.YES_NO}
    ratings: dict[str, list[Rating]] = {}
    events: dict[str, list[Event]] = {}
    with connection.cursor() as cursor:
        # fetchall converts every row in one call; iterating the cursor makes a call per row.
        rows = cursor.execute("select subject, source, item, rater, value, answer from rating")
        for subject, source, item, rater, value, answer in rows.fetchall():
            if answer is not None:
                value = answer == "yes" if item in yes_no else answer
            rated = ratings.get(subject)
            if rated is None:
                rated = ratings[subject] = []
            rated.append(Rating(item, source, rater, value))
        rows = cursor.execute("select subject, event, on_date, validity, ref from ledger_event")
        for subject, event, on, validity, ref in rows.fetchall():
            events.setdefault(subject, []).append(Event(event, on, Validity(validity), ref))
    connection.commit()
    return [
        SubjectInput(key, tuple(rated), events=tuple(events.get(key, ())))
        for key, rated in ratings.items()
    ]


def write_results(connection: psycopg.Connection, results: list[Result], traces: bool) -> None:
    columns = "subject, final, band, award, disqualified" + (", trace" if traces else "")
    with (
        connection.cursor() as cursor,
        cursor.copy(f"copy engine_result ({columns}) from stdin") as copy,
    ):
        for r in results:
            row: tuple = (r.subject, r.final, r.band and r.band.label, r.award, r.is_disqualified)
            if traces:
                row += (json.dumps(r.to_dict()["trace"], ensure_ascii=False),)
            copy.write_row(row)
    connection.commit()


def truncate(connection: psycopg.Connection, table: str) -> None:
    connection.execute(f"truncate {table}")
    connection.commit()


# -- timing and reporting ----------------------------------------------------------------------


def best_of(
    repeats: int, run: Callable[[], T], before: Callable[[], None] | None = None
) -> tuple[float, T]:
    """The fastest of ``repeats`` runs (seconds) and the last run's value; ``before`` runs
    untimed ahead of each one."""
    best, value = float("inf"), None
    for _ in range(repeats):
        if before is not None:
            before()
        value = None  # the previous run's results are freed outside the clock
        gc.collect()
        started = time.perf_counter()
        value = run()
        best = min(best, time.perf_counter() - started)
    return best, cast(T, value)


def check_totals(results: list[Result], totals: list[tuple[str, Decimal]]) -> None:
    """The engine's checklist is the SQL total: no cap bites in this scheme, so any difference
    means the two did not score the same ratings."""
    by_subject = dict(totals)
    wrong = [
        r.subject for r in results if abs(r.checklist - by_subject[r.subject]) > Decimal("1e-9")
    ]
    if len(by_subject) != len(results) or wrong:
        raise SystemExit(f"engine and SQL disagree for {len(wrong)} subjects, e.g. {wrong[:3]}")


def describe(scheme: Scheme, inputs: list[SubjectInput], args: argparse.Namespace) -> None:
    items = scheme_items(scheme)
    modes = ", ".join(
        f"{sum(1 for item in items if item.mode is mode)} {mode.value}"
        for mode in (Mode.POINTS, Mode.SCALE, Mode.YES_NO)
    )
    ratings = sum(len(s.ratings) for s in inputs)
    events = sum(len(s.events) for s in inputs)
    print(
        f"scheme: {len(items)} items in {len(scheme.sections)} sections ({modes}); "
        f"{len(scheme.sources)} sources, {len(scheme.bands)} bands, {len(scheme.rules)} rules"
    )
    print(
        f"inputs: {len(inputs):,} subjects × {len(items)} items × {len(scheme.sources)} sources "
        f"× {args.raters} rater(s) = {ratings:,} ratings, {events / len(inputs):.1f} "
        f"events/subject (seed {args.seed}); best of {args.repeats} runs"
    )


def summarise(scheme: Scheme, results: list[Result]) -> None:
    counts = {band.label: 0 for band in scheme.bands}
    for r in results:
        if r.band is not None:
            counts[r.band.label] += 1
    disqualified = sum(1 for r in results if r.is_disqualified)
    spread = ", ".join(f"{label} {count:,}" for label, count in counts.items())
    print(f"results: {spread}; disqualified {disqualified:,}")


def without_gc(run: Callable[[], T]) -> Callable[[], T]:
    def paused() -> T:
        gc.disable()
        try:
            return run()
        finally:
            gc.enable()

    return paused


def profile(engine: Engine, inputs: list[SubjectInput], period: Period) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    engine.score_many(inputs, period)
    profiler.disable()
    print("\nprofile of one engine run (cProfile adds its own overhead to every call):")
    pstats.Stats(profiler, stream=sys.stdout).sort_stats("tottime").print_stats(15)


def engine_vs_sql(
    args: argparse.Namespace,
    connection: psycopg.Connection,
    engine: Engine,
    inputs: list[SubjectInput],
    period: Period,
) -> list[Result]:
    count, query = len(inputs), aggregate(engine.scheme, args.raters)
    scored, results = best_of(args.repeats, lambda: engine.score_many(inputs, period))
    aggregated, totals = best_of(args.repeats, lambda: sql_aggregate(connection, query))
    check_totals(results, totals)
    summarise(engine.scheme, results)
    rate = count / scored
    print(
        f"engine: {rate:,.0f} subjects/s ({count:,} in {scored:.2f} s); "
        f"SQL aggregate {aggregated:.2f} s ({count / aggregated:,.0f} subjects/s); "
        f"engine/SQL {scored / aggregated:.1f}×"
    )
    verdict = "meets" if rate >= TARGET_PER_SECOND else "is below"
    print(f"  the engine {verdict} the target of {TARGET_PER_SECOND:,} subjects/s")
    # Kept results and the inputs are objects the cyclic collector keeps walking through.
    paused, _ = best_of(args.repeats, without_gc(lambda: engine.score_many(inputs, period)))
    print(
        f"  with the cyclic GC paused: {count / paused:,.0f} subjects/s "
        f"({scored / paused:.1f}× as fast as with it)"
    )
    if args.with_traces:
        traced, _ = best_of(
            args.repeats, lambda: [r.to_dict() for r in engine.score_many(inputs, period)]
        )
        print(
            f"  with to_dict() (breakdown and trace): {count / traced:,.0f} subjects/s "
            f"({traced:.2f} s)"
        )
    return results


def with_io(
    args: argparse.Namespace,
    connection: psycopg.Connection,
    engine: Engine,
    period: Period,
    expected: list[Result],
) -> None:
    count, query = len(expected), aggregate(engine.scheme, args.raters)
    scored: list[Result] = []

    def round_trip() -> None:
        scored[:] = engine.score_many(read_inputs(connection, engine.scheme), period)
        write_results(connection, scored, args.with_traces)

    ours, _ = best_of(args.repeats, round_trip, lambda: truncate(connection, "engine_result"))
    if {r.subject: r.final for r in scored} != {r.subject: r.final for r in expected}:
        raise SystemExit("the inputs read back from the table score differently")
    scored.clear()
    theirs, _ = best_of(
        args.repeats,
        lambda: sql_write_back(connection, query),
        lambda: truncate(connection, "sql_result"),
    )
    read, _ = best_of(1, lambda: read_inputs(connection, engine.scheme))
    traces = " with traces (JSONB)" if args.with_traces else ""
    ratio = ours / theirs
    verdict = "within" if ratio <= IO_TARGET_RATIO else "over"
    print(
        f"read → score → COPY back{traces}: {ours:.2f} s ({count / ours:,.0f} subjects/s; "
        f"reading alone {read:.2f} s); SQL INSERT … SELECT {theirs:.2f} s; "
        f"ratio {ratio:.1f}× ({verdict} the {IO_TARGET_RATIO}× target)"
    )


def arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subjects", type=int, default=10_000)
    parser.add_argument("--raters", type=int, default=1, help="raters per source and item")
    parser.add_argument("--events", type=int, default=4, help="most events per subject")
    parser.add_argument("--repeats", type=int, default=3, help="runs per figure; the best counts")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--with-io", action="store_true", help="also time read → score → write")
    parser.add_argument("--with-traces", action="store_true", help="write traces as JSONB")
    parser.add_argument("--profile", action="store_true", help="cProfile one engine run")
    args = parser.parse_args(argv)
    if args.subjects < 1 or args.raters < 1 or args.repeats < 1 or args.events < 0:
        parser.error("--subjects, --raters and --repeats must be at least 1, --events 0")
    return args


def main(argv: list[str] | None = None) -> None:
    args = arguments(argv)
    period = Period.parse(PERIOD)
    scheme = build_scheme()
    started = time.perf_counter()
    inputs = generate(scheme, args.subjects, args.raters, args.events, args.seed, period)
    describe(scheme, inputs, args)
    engine = Engine(scheme)
    with connect() as connection:
        rows = load(connection, scheme, inputs)
        print(
            f"generated and COPYed {rows:,} rating rows in {time.perf_counter() - started:.1f} s "
            f"(PostgreSQL {connection.info.server_version // 10000}; "
            f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)"
        )
        results = engine_vs_sql(args, connection, engine, inputs, period)
        if args.with_io:
            with_io(args, connection, engine, period, results)
        del results
    if args.profile:
        profile(engine, inputs, period)


if __name__ == "__main__":
    main()
