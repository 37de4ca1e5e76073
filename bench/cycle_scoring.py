"""A cycle's scoring run from a real tenant's tables, against one SQL aggregate and its
write-back over the same ratings.

A scratch database gets a tenant with the benchmark scheme of bench/scoring.py (30 items in 4
sections; supervisor, peer and customer sources) and a cycle in "scoring" with ``--subjects``
employees, each rated by one supervisor (one per ten people), one peer (a colleague) and one
customer: three submitted rating sheets per subject with every item's value in JSONB, as the
rating pages store them. Then, in the same run, best of ``--repeats``:

  (a) the scoring run's own path, the functions the job calls (workers/jobs/scoring.py
      ``_run``): read the cycle in one REPEATABLE READ snapshot, score the cohort
      (eligibility, engine, quotas), write every result with its breakdown and trace by
      COPY, delete the previous run's results and finish the run, in one transaction;
  (b) the baseline: one SQL statement that unpacks the same JSONB sheets, turns each value
      into points (numbers as they are, yes/no and scale levels by a join), sums
      Σ points × source weight per subject and writes one row per subject back
      (INSERT … SELECT) — the least any weighted total from these tables can cost.

It prints both, the ratio (target ≤ 3×) and where (a) spends its time: reading, scoring,
making the JSON, writing.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \\
    .venv/bin/python bench/cycle_scoring.py [--subjects 10000] [--repeats 3] [--profile]
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
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, select, text  # noqa: E402

from bench.scoring import PERIOD, SOURCES, build_scheme, generate, scheme_items  # noqa: E402
from bench.screenshots import scratch_database  # noqa: E402
from saas.auth.permissions import Actor  # noqa: E402
from saas.config import load_settings  # noqa: E402
from saas.models.cycle import Cycle, CycleResult, CycleSubject, RatingSheet  # noqa: E402
from saas.models.org import OrgUnit  # noqa: E402
from saas.models.people import Employee  # noqa: E402
from saas.models.user import User  # noqa: E402
from saas.org.units import seed_example_org  # noqa: E402
from saas.platform.onboarding import create_tenant  # noqa: E402
from saas.runs import service  # noqa: E402
from saas.runs.inputs import quoted_schema, without_collecting  # noqa: E402
from saas.runs.persist import result_rows  # noqa: E402
from saas.schemes import versions  # noqa: E402
from saas.scoring.period import Period  # noqa: E402
from saas.scoring.scheme import Mode, Scheme  # noqa: E402
from tenants.db import Database  # noqa: E402
from tenants.migrate import upgrade_all  # noqa: E402
from tenants.slugs import schema_for  # noqa: E402
from workers.jobs.scoring import _run  # noqa: E402

TARGET_RATIO = 3
TEAM = 10  # people per supervisor


def _stored(value: Any) -> Any:
    """A rating as a sheet stores it (saas/rating/values.py): numbers as plain strings."""
    if isinstance(value, bool | str):
        return value
    return format(value.normalize(), "f")


def seed(db: Database, schema: str, scheme: Scheme, subjects: int, seed_value: int) -> int:
    """The tenant's org, the scheme published, a cycle in scoring, its subjects and sheets;
    returns the cycle id."""
    period = Period.parse(PERIOD)
    inputs = generate(scheme, subjects, 1, 0, seed_value, period)
    rng = random.Random(seed_value)
    with db.tenant(schema) as session:
        system = Actor.system("bench@example.com")
        seed_example_org(session, system)
        admin = session.scalar(select(User.id))
        actor = Actor.system("bench@example.com", user_id=admin)
        version = versions.create_scheme(session, actor, scheme)
        versions.publish(session, actor, version)
        units = list(session.scalars(select(OrgUnit.id).where(OrgUnit.parent_id.is_not(None))))
        span = Period.parse(PERIOD)
        cycle = Cycle(
            name="基准考核",
            scheme_version_id=version.id,
            period=PERIOD,
            period_start=span.start,
            period_end=span.end,
            subject_kind="employee",
            status="scoring",
        )
        session.add(cycle)
        session.flush()
        people = session.execute(
            insert(Employee).returning(Employee.id, Employee.unit_id),
            [
                {
                    "number": f"B{n:06d}",
                    "name": f"员工{n}",
                    "unit_id": units[n // TEAM % len(units)],
                }
                for n in range(subjects)
            ],
        ).all()
        subject_ids = session.scalars(
            insert(CycleSubject).returning(CycleSubject.id),
            [
                {"cycle_id": cycle.id, "kind": "employee", "employee_id": e, "unit_id": u}
                for e, u in people
            ],
        ).all()
        now = dt.datetime.now(dt.UTC)
        sheets = []
        for n, (subject_id, subject) in enumerate(zip(subject_ids, inputs, strict=True)):
            by_source: dict[str, dict[str, Any]] = {source: {} for source in SOURCES}
            for rating in subject.ratings:
                by_source[rating.source][rating.item] = _stored(rating.value)
            raters = {
                "supervisor": f"e:{people[n // TEAM * TEAM][0]}",
                "peer": f"e:{people[(n + 1) % len(people)][0]}",
                "customer": f"c:{rng.randrange(1, 5000)}",
            }
            for source, values in by_source.items():
                sheets.append(
                    {
                        "cycle_id": cycle.id,
                        "cycle_subject_id": subject_id,
                        "source": source,
                        "rater_key": raters[source],
                        "values": values,
                        "status": "submitted",
                        "saved_at": now,
                        "submitted_at": now,
                    }
                )
        session.execute(insert(RatingSheet), sheets)
        cycle_id = cycle.id
    with db.engine.connect() as connection:
        connection.exec_driver_sql(f'analyze "{schema}".rating_sheet, "{schema}".cycle_subject')
        connection.commit()
    return cycle_id


# -- (a) the run's path ----------------------------------------------------------------------


def real_run(db: Database, schema: str, cycle_id: int, run_id: int) -> dict:
    with db.tenant_session(schema) as session:
        return without_collecting(_run, session, cycle_id, run_id)  # as the job does


def new_run(db: Database, schema: str, cycle_id: int) -> int:
    with db.tenant(schema) as session:
        actor = Actor.system("bench@example.com")
        return service.start_run(session, actor, cycle_id).id


# -- (b) the baseline ------------------------------------------------------------------------


def baseline_sql(scheme: Scheme, schema: str) -> str:
    """Σ points × weight per subject straight from the sheets' JSONB, written back."""
    weights = " ".join(f"when '{s.kind.value}' then {s.weight}" for s in scheme.sources)
    levels = []
    for item in scheme_items(scheme):
        if item.mode is Mode.SCALE:
            levels += [(item.key, json.dumps(level.label), level.points) for level in item.scale]
        elif item.mode is Mode.YES_NO:
            levels += [(item.key, "true", item.max), (item.key, "false", 0)]
    table = ", ".join(f"('{key}', '{label}'::jsonb, {points})" for key, label, points in levels)
    return f"""
insert into {schema}.bench_sql_result (cycle_subject_id, total)
select r.cycle_subject_id,
       sum(coalesce(m.points, (v.value #>> '{{}}')::numeric) * case r.source {weights} end) / 100
from {schema}.rating_sheet r
cross join lateral jsonb_each(r."values") v
left join (values {table}) m(item, answer, points) on m.item = v.key and m.answer = v.value
where r.cycle_id = :cycle and r.status = 'submitted'
group by r.cycle_subject_id
"""


# -- timing ----------------------------------------------------------------------------------


def best_of(
    repeats: int, run: Callable[[], Any], before: Callable[[], Any] | None = None
) -> tuple[float, Any]:
    best, value = float("inf"), None
    for _ in range(repeats):
        prepared = before() if before is not None else None
        value = None
        gc.collect()
        started = time.perf_counter()
        value = run() if prepared is None else run(prepared)
        best = min(best, time.perf_counter() - started)
    return best, value


def stages(db: Database, schema: str, cycle_id: int) -> dict[str, float]:
    """Where the run's path spends its time, stage by stage (one run, not in a transaction
    with the others: the figures add up to about the whole)."""
    times: dict[str, float] = {}
    run_id = new_run(db, schema, cycle_id)
    gc.disable()  # as the job runs
    with db.tenant_session(schema) as session:
        started = time.perf_counter()
        _unused, inputs = service.load_run(session, run_id)
        session.rollback()
        times["read"] = time.perf_counter() - started
        started = time.perf_counter()
        results = service.score(inputs)
        times["score"] = time.perf_counter() - started
        started = time.perf_counter()
        rows = list(result_rows(run_id, inputs.rows, results))
        times["JSON"] = time.perf_counter() - started
        started = time.perf_counter()
        from saas.runs.persist import copy_results

        copy_results(session, rows)
        session.rollback()
        times["COPY"] = time.perf_counter() - started
    gc.enable()
    with db.tenant(schema) as session:
        service.fail_run(session, run_id, "bench: stages only")
    return times


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subjects", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--profile", action="store_true", help="cProfile one run of (a)")
    parser.add_argument(
        "--lz4", action="store_true", help="compress the results' JSONB with lz4 (not pglz)"
    )
    args = parser.parse_args(argv)
    server = os.environ.get("DATABASE_URL")
    if not server:
        parser.error("set DATABASE_URL (a scratch database is created and dropped)")
    scheme = build_scheme()
    with scratch_database(server) as url:
        settings = load_settings(
            database_url=url, redis_url="redis://127.0.0.1:6379/0", instance=str(ROOT / "instance")
        )
        db = Database(url)
        try:
            upgrade_all(db)
            tenant = create_tenant(
                db, settings, "bench-runs", "评分基准", "b@example.com", "bench-password-1"
            )
            schema = schema_for(tenant.slug)
            started = time.perf_counter()
            cycle_id = seed(db, schema, scheme, args.subjects, args.seed)
            with db.tenant(schema) as session:
                quoted = quoted_schema(session)
                if args.lz4:
                    session.execute(
                        text(
                            f"alter table {quoted}.cycle_result alter column trace"
                            " set compression lz4, alter column breakdown set compression lz4"
                        )
                    )
                session.execute(
                    text(
                        f"create table {quoted}.bench_sql_result"
                        " (cycle_subject_id integer primary key, total numeric not null)"
                    )
                )
            print(
                f"seeded {args.subjects:,} subjects × {len(scheme_items(scheme))} items × "
                f"{len(scheme.sources)} sources ({args.subjects * len(scheme.sources):,} sheets) "
                f"in {time.perf_counter() - started:.1f} s; load average "
                f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
            )
            real_run(db, schema, cycle_id, new_run(db, schema, cycle_id))  # warm up

            ours, outcome = best_of(
                args.repeats,
                lambda run_id: real_run(db, schema, cycle_id, run_id),
                lambda: new_run(db, schema, cycle_id),
            )
            assert outcome["status"] == "finished" and outcome["subjects"] == args.subjects

            statement = text(baseline_sql(scheme, quoted))

            def truncate() -> None:
                with db.tenant(schema) as session:
                    session.execute(text(f"truncate {quoted}.bench_sql_result"))

            def aggregate() -> None:
                with db.tenant(schema) as session:
                    session.execute(statement, {"cycle": cycle_id})

            theirs, _ = best_of(args.repeats, aggregate, truncate)
            with db.tenant(schema) as session:
                written = session.scalar(select(text("count(*)")).select_from(CycleResult))
            split = stages(db, schema, cycle_id)
            if args.profile:
                profiler = cProfile.Profile()
                run_id = new_run(db, schema, cycle_id)
                profiler.enable()
                real_run(db, schema, cycle_id, run_id)
                profiler.disable()
        finally:
            db.dispose()
    ratio = ours / theirs
    verdict = "within" if ratio <= TARGET_RATIO else "over"
    print(
        f"(a) read → score → COPY with traces, one transaction: {ours:.2f} s "
        f"({args.subjects / ours:,.0f} subjects/s; {written:,} result rows kept)"
    )
    print(f"(b) one SQL aggregate over the JSONB sheets + INSERT … SELECT: {theirs:.2f} s")
    print(f"ratio (a)/(b): {ratio:.1f}× ({verdict} the {TARGET_RATIO}× target)")
    total = sum(split.values())
    print(
        "where (a) goes: "
        + ", ".join(
            f"{name} {seconds:.2f} s ({seconds / total:.0%})" for name, seconds in split.items()
        )
    )
    if args.profile:
        print("\nprofile of one run of (a), top 25 by own time:")
        pstats.Stats(profiler, stream=sys.stdout).sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()
