"""The results table at 10,000 subjects: the same statements as at ten.

The rows are written with SQL (one stored result copied 10,000 times, its score varied), as
a scoring run of that size would leave them; the engine's own output is tested elsewhere.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from saas.models.user import Role
from saas.runs.persist import stored_parts
from tests.results.conftest import HTMX, Scored
from tests.results.scored import plain_input, rich_scheme, score
from tests.results.test_views import _statements, names

SIZE = 10_000


@pytest.fixture(scope="module")
def huge(db, scored: Scored) -> int:
    result = score(rich_scheme(), "2025-Q4", [plain_input("x", 88)])[0]
    data, trace = stored_parts(result)
    units = [scored.units[code] for code in ("GC", "GC-SD", "KF", "ZH-XZ", "BJ")]
    s = scored.schema  # raw SQL names its tables with the schema
    with db.tenant(scored.schema) as session:
        cycle_id = session.execute(
            text(
                f"insert into {s}.cycle (name, scheme_version_id, period, period_start, period_end,"
                " subject_kind, status, peer_count, created_at, status_changed_at)"
                " values ('万人周期', :version, '2025-Q4', '2025-10-01', '2025-12-31',"
                " 'employee', 'review', 3, now(), now()) returning id"
            ),
            {"version": scored.version_id},
        ).scalar_one()
        session.execute(
            text(
                f"insert into {s}.employee (number, name, initials, unit_id, status, created_at)"
                " select 'W' || lpad(n::text, 5, '0'), '万人' || lpad(n::text, 5, '0'), '',"
                " (:units)[1 + n % 5], 'active', now() from generate_series(1, :size) n"
            ),
            {"units": units, "size": SIZE},
        )
        session.execute(
            text(
                f"insert into {s}.cycle_subject (cycle_id, kind, employee_id, unit_id, included,"
                " excluded_because, origin, created_at)"
                " select :cycle, 'employee', id, unit_id, true, '[]', 'eligible', now()"
                f" from {s}.employee where number like 'W%'"
            ),
            {"cycle": cycle_id},
        )
        run_id = session.execute(
            text(
                f"insert into {s}.scoring_run (cycle_id, number, status, inputs, subjects,"
                " started_at, finished_at) values (:cycle, 1, 'finished', '{}', :size,"
                " now(), now()) returning id"
            ),
            {"cycle": cycle_id, "size": SIZE},
        ).scalar_one()
        session.execute(
            text(
                f"insert into {s}.cycle_result (run_id, cycle_subject_id, unit_id, excluded, final,"
                " band, award, fines, disqualified, disqualified_next, breakdown, trace)"
                " select :run, s.id, s.unit_id, s.id % 97 = 0, "
                " case when s.id % 97 = 0 then null else (s.id * 7919 % 10001) / 100.0 end,"
                " :band, 200, 0, s.id % 31 = 0, false, cast(:breakdown as jsonb),"
                f" cast(:trace as jsonb) from {s}.cycle_subject s where s.cycle_id = :cycle"
            ),
            {
                "run": run_id,
                "cycle": cycle_id,
                "band": data["band"],
                "breakdown": json.dumps(data),
                "trace": json.dumps(trace),
            },
        )
        session.execute(
            text(f"analyze {s}.cycle_result; analyze {s}.cycle_subject; analyze {s}.employee")
        )
    return cycle_id


@pytest.mark.parametrize(
    "query",
    ["", "?sort=name&page=150", "?sort=score_asc&page=200", "?unit={GC}&disqualified=no"],
)
def test_ten_thousand_subjects_cost_what_ten_do(app, scored: Scored, huge, query):
    client = scored.client(app)
    url = scored.url(query.format(**scored.units), cycle_id=huge)
    client.get(url)  # the tenant's registry row is now cached
    statements = _statements(app, client, url)
    assert len(statements) <= 7, statements
    assert len(names(client.get(url).get_data(as_text=True))) == 50


def test_a_manager_at_ten_thousand(app, scored: Scored, huge):
    client = scored.client(app, Role.MANAGER)
    url = scored.url("?page=3", cycle_id=huge)
    body = client.get(url, headers=HTMX).get_data(as_text=True)
    # GC and GC-SD hold two fifths of them.
    assert "101–150 of 4000 results" in body
