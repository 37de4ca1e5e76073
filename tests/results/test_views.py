"""The results table, its filters, sort and chart, a subject's page with its trace, and who
may read them (saas/results/views.py)."""

from __future__ import annotations

import re

import pytest

from saas.models.cycle import RunStatus
from saas.models.user import Role
from tests.cycles.factory import add_subject, make_cycle
from tests.org.conftest import add_employee
from tests.results.conftest import HTMX, UNITS, Scored
from tests.results.scored import plain_input, rich_scheme, score_and_store, store_run

NAME = re.compile(r'<td data-label="Name" class="name"><a href="[^"]+">([^<]+)</a>')


def names(body: str) -> list[str]:
    return NAME.findall(body)


def get(client, url: str, **headers) -> str:
    response = client.get(url, headers=headers)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


# -- the table -------------------------------------------------------------------------------


def test_the_table_lists_every_subject_with_its_run(app, scored: Scored):
    body = get(scored.client(app), scored.url())
    assert "Run 1, " in body
    assert len(names(body)) == 12
    assert "1–12 of 12 results" in body
    # The best first: 员工00 scored 100 (capped), excluded last.
    assert names(body)[0] == "员工00" and names(body)[-1] == "员工10"
    assert ">100.00<" in body and "not assessed" in body and "disqualified next period" in body
    assert "<svg" in body and 'role="img"' in body and "<title" in body and "<desc" in body
    assert "¥500" in body  # 员工00's award


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ("unit={GC}", {0, 1, 2, 4, 7, 10}),  # GC and 水电班组 under it
        ("unit={GC-SD}", {1, 4}),
        ("band=良好", {1, 2, 4, 5, 6, 11}),
        ("band=-", {7, 8, 9}),
        ("disqualified=yes", {4, 5, 6, 7}),
        ("disqualified=no&excluded=no", {0, 1, 2, 3, 8, 9, 11}),
        ("excluded=yes", {10}),
        ("unit={KF}&disqualified=yes", {5}),
        ("band=no-such-band", set()),
    ],
)
def test_filters(app, scored: Scored, args, expected):
    query = args.format(**scored.units)
    body = get(scored.client(app), scored.url(f"?{query}"))
    assert set(names(body)) == {f"员工{n:02d}" for n in expected}
    if not expected:
        assert "No result matches these filters." in body


def test_sorts(app, scored: Scored):
    client = scored.client(app)
    by_score = names(get(client, scored.url()))
    lowest = names(get(client, scored.url("?sort=score_asc")))
    by_name = names(get(client, scored.url("?sort=name")))
    assert by_name == sorted(by_name) and len(by_name) == 12
    assert by_score[0] == "员工00" and lowest[0] in {"员工07", "员工09"}  # 0.00 both
    assert by_score[-1] == lowest[-1] == "员工10"  # not assessed: last either way
    # Ties keep the name order: 员工04, 员工05 and 员工06 all scored 96.00.
    assert by_score.index("员工04") < by_score.index("员工05") < by_score.index("员工06")


def test_nonsense_in_the_query_string_still_shows_the_table(app, scored: Scored):
    client = scored.client(app)
    for query in (
        "?sort=drop+table",
        "?page=abc",
        "?page=99999999999",
        "?unit=-1",
        "?unit=２",
        "?disqualified=maybe",
        "?band=" + "x" * 5000,
    ):
        assert client.get(scored.url(query)).status_code == 200, query


def test_an_htmx_request_gets_the_fragment(app, scored: Scored):
    client = scored.client(app)
    fragment = get(client, scored.url("?band=良好"), **HTMX)
    assert fragment.lstrip().startswith('<div id="results"')
    assert "<html" not in fragment and "<svg" in fragment
    page = client.get(scored.url())
    assert "HX-Request" in page.headers["Vary"]


# -- the chart -------------------------------------------------------------------------------


def test_the_chart_counts_bands_and_marks_thresholds(app, scored: Scored):
    body = get(scored.client(app), scored.url())
    chart = body[body.index('<figure class="card results-chart"') : body.index("</figure>")]
    assert "11 scored" in chart and "4 disqualified" in chart and "1 not assessed" in chart
    for threshold in ("90", "75", "60", "20"):
        assert 'class="threshold-label"' in chart and f">{threshold}</text>" in chart
    counts = dict(
        re.findall(
            r'<span class="band-name">([^<]+?)\s*(?:<span[^>]*>[^<]*</span>)?</span>\s*'
            r'<span class="band-count">(\d+)</span>',
            chart,
        )
    )
    # A band nobody is in still shows, with 0.
    assert counts == {"优秀": "1", "良好": "6", "合格": "1", "待改进": "0", "Below every band": "3"}
    # The bar of 95–100 holds 员工00 (100) and the five at 96–96.8.
    assert "<title>95–100: 6</title>" in chart


def test_the_chart_follows_the_unit_filter(app, scored: Scored):
    body = get(scored.client(app), scored.url("?unit={}".format(scored.units["KF"])))
    assert "4 scored" in body and "not assessed" not in body and "in the chosen unit" in body


# -- pages and statements ------------------------------------------------------------------


@pytest.fixture(scope="module")
def big(db, scored: Scored):
    """Two more cycles of the same scheme: 10 and 120 plain subjects, each scored once."""
    scheme = rich_scheme()
    cycles = {}
    with db.tenant(scored.schema) as session:
        for size, period in ((10, "2026-Q1"), (120, "2026-Q2")):
            cycle = make_cycle(session, scored.version_id, period=period, status="review")
            subjects = [
                add_subject(
                    session,
                    cycle,
                    add_employee(
                        session,
                        scored.units["KF" if n % 2 else "GC"],
                        f"{period}-{n:04d}",
                        f"{period} 人员{n:04d}",
                    ),
                )
                for n in range(size)
            ]
            inputs = [plain_input(str(s.id), 40 + (n * 7) % 61) for n, s in enumerate(subjects)]
            score_and_store(session, cycle, scheme, subjects, inputs)
            cycles[size] = cycle.id
            cycles[size, "subject"] = subjects[0].id
    return cycles


def test_pages_of_fifty(app, scored: Scored, big):
    client = scored.client(app)
    url = scored.url(cycle_id=big[120])
    first = get(client, url + "?sort=name")
    assert len(names(first)) == 50 and "1–50 of 120 results" in first
    assert 'rel="next"' in first and 'rel="prev"' not in first
    third = get(client, url + "?sort=name&page=3")
    assert len(names(third)) == 20 and "101–120 of 120 results" in third
    assert names(third)[-1] == "2026-Q2 人员0119"
    beyond = get(client, url + "?sort=name&page=99")
    assert names(beyond) == names(third)
    # The pager's links keep the filters and the sort.
    filtered = get(client, url + "?sort=name&unit={}".format(scored.units["KF"]))
    assert f"unit={scored.units['KF']}" in filtered and "sort=name" in filtered
    assert "1–50 of 60 results" in filtered


def _statements(app, client, url: str, headers=None) -> list[str]:
    from tests.web.test_request_cost import logged

    return logged(app, client, url, headers).own()


def test_a_fixed_number_of_statements_whatever_the_cycle_size(app, scored: Scored, big):
    client = scored.client(app)
    counts = {}
    for size in (10, 120):
        cycle_id = big[size]
        url = scored.url(cycle_id=cycle_id)
        client.get(url)  # the tenant's registry row is now cached
        page = _statements(app, client, url)
        fragment = _statements(app, client, url + "?sort=score_asc&page=2", HTMX)
        subject = _statements(app, client, url + f"/{big[size, 'subject']}")
        counts[size] = (len(page), len(fragment), len(subject))
    assert counts[10] == counts[120], counts
    page, fragment, subject = counts[120]
    # head (cycle, scheme, run), count, page, chart, unit choices, what changed since the run
    # (its summary, and the sheets submitted since); the fragment without the last three.
    assert page <= 7 and fragment <= 4 and subject <= 2, counts


# -- one subject -----------------------------------------------------------------------------


def test_a_subjects_page_explains_every_point_in_english(app, scored: Scored):
    body = get(scored.client(app), scored.url(f"/{scored.subjects[0]}"))
    assert "员工00" in body and "E000" in body
    # The headline.
    assert ">100.00<" in body and "优秀" in body and "¥500" in body
    # The breakdown: A1 by the supervisor 18, by the peers (18 + 16) / 2 = 17.
    assert re.search(
        r'A1</code> <span class="text">接待规范</span></th>\s*<td class="num">20</td>\s*'
        r'<td class="num">18</td><td class="num">17</td>',
        body,
    )
    # The trace, in sentences.
    for sentence in (
        "Supervisor or department · A1 接待规范: 1 rater, mean 18, score 18",
        "Peers · A1 接待规范: 2 raters, mean 17, score 17",
        "Supervisor or department · 服务质量: items add up to 51, capped at the section&#39;s "
        "maximum of 40",
        "Supervisor or department: total 96",
        # JSONB keeps an object's keys in its own order: the weights come in the scheme's.
        "Checklist score 96, weighing supervisor or department 66.67%, peers 33.33%: "
        "customers gave no ratings, so the weights of the sources that did were scaled up to 100%",
        "Goals: 2 goals, weighted attainment 108% (a goal counts up to 120%), 108 points",
        "Base score 98.4 = checklist 96 × 80% + goals 108 × 20%",
        "2026-08-03 Praise letter (L-1): +10 points",
        "The score 108.4 is above the scale and is capped at 100",
        "Final score 100.00 (base 98.4, adjustments +10)",
        "Band 优秀 (from 90 points), award ¥500",
    ):
        assert sentence in body, sentence


def test_a_subjects_page_in_chinese(app, scored: Scored):
    body = get(scored.client(app, locale="zh_CN"), scored.url(f"/{scored.subjects[6]}"))
    assert '<html lang="zh-CN">' in body
    for text in ("丢失徽章", "2026-08", "16", "15", "¥400", "2026-08-01"):
        assert text in body, text
    assert "Badge lost" not in body


def test_a_disqualified_subjects_headline_and_reasons(app, scored: Scored):
    body = get(scored.client(app), scored.url(f"/{scored.subjects[5]}"))
    assert "Disqualified this period" in body
    assert "Valid complaint (C-1) on 2026-07-10" in body
    assert "withheld" in body and "¥200" in body  # 良好's award, not paid
    assert "2026-07-11 Valid complaint (C-2): pending" in body
    assert "2026-07-12 Valid complaint (C-3): ruled invalid; not counted" in body


def test_an_excluded_subjects_page(app, scored: Scored):
    body = get(scored.client(app), scored.url(f"/{scored.subjects[10]}"))
    assert "Not assessed: position level, and every level above it: 部门主管" in body
    assert "Breakdown" not in body


def test_a_subject_of_another_cycle_or_none_is_not_found(app, scored: Scored, big):
    client = scored.client(app)
    assert client.get(scored.url(f"/{scored.subjects[0]}", cycle_id=big[10])).status_code == 404
    assert client.get(scored.url("/99999999")).status_code == 404
    assert client.get(scored.url("", cycle_id=99999999)).status_code == 404
    assert client.get(scored.url("/1", cycle_id=99999999)).status_code == 404
    assert client.get(scored.url("/99999999999")).status_code == 404


# -- no run yet -------------------------------------------------------------------------------


def test_a_cycle_without_a_finished_run_says_so(app, db, scored: Scored):
    with db.tenant(scored.schema) as session:
        cycle = make_cycle(session, scored.version_id, period="2026-Q4", status="scoring")
        person = add_employee(session, scored.units["GC"], "Q4-1", "四季度")
        subject = add_subject(session, cycle, person)
        cycle_id, subject_id = cycle.id, subject.id
    client = scored.client(app)
    body = get(client, scored.url(cycle_id=cycle_id))
    assert "This cycle has not been scored yet" in body and "<svg" not in body
    assert 'name="band"' not in body
    body = get(client, scored.url(f"/{subject_id}", cycle_id=cycle_id))
    assert "This cycle has not been scored yet" in body
    with db.tenant(scored.schema) as session:
        store_run(session, session.get(type(cycle), cycle_id), [], status=RunStatus.RUNNING)
    body = get(client, scored.url(cycle_id=cycle_id))
    assert "Run 1 is scoring this cycle" in body


# -- who may read ---------------------------------------------------------------------------


def test_a_manager_reads_their_subtree_only(app, scored: Scored):
    client = scored.client(app, Role.MANAGER)
    body = get(client, scored.url())
    mine = {n for n, code in enumerate(UNITS) if code in ("GC", "GC-SD")}
    assert set(names(body)) == {f"员工{n:02d}" for n in mine}
    chart = body[body.index("results-chart") : body.index("</figure>")]
    assert "5 scored" in chart and "1 not assessed" in chart  # 员工10 is GC's, excluded
    # The unit filter offers their units only.
    assert ">客服中心<" not in body
    assert get(client, scored.url(f"/{scored.subjects[0]}"))
    for n, code in enumerate(UNITS):
        if code not in ("GC", "GC-SD"):
            assert client.get(scored.url(f"/{scored.subjects[n]}")).status_code == 404
    # Filtering by a unit outside their reach shows nothing of it.
    outside = get(client, scored.url("?unit={}".format(scored.units["KF"])))
    assert names(outside) == []


def test_a_committee_member_reads_everything(app, scored: Scored):
    client = scored.client(app, Role.COMMITTEE)
    assert len(names(get(client, scored.url()))) == 12
    assert client.get(scored.url(f"/{scored.subjects[3]}")).status_code == 200


@pytest.mark.parametrize("role", [Role.EMPLOYEE, Role.INSPECTOR])
def test_employees_and_inspectors_are_refused(app, scored: Scored, role):
    client = scored.client(app, role)
    assert client.get(scored.url()).status_code == 403
    assert client.get(scored.url(f"/{scored.subjects[1]}")).status_code == 403


def test_another_tenants_user_finds_nothing(app, db, settings, scored: Scored, big):
    from tests.results.conftest import make_scored

    other = make_scored(db, settings)  # one cycle, twelve subjects of its own
    client = other.client(app)
    assert get(client, f"/t/{other.slug}/cycles/{other.cycle_id}/results")
    # Ids that only our tenant has are not found in theirs, on every route.
    ours = big[120]
    assert ours != other.cycle_id
    assert client.get(f"/t/{other.slug}/cycles/{ours}/results").status_code == 404
    assert client.get(f"/t/{other.slug}/cycles/{ours}/results/1").status_code == 404
    beyond = max(other.subjects) + 1000
    assert (
        client.get(f"/t/{other.slug}/cycles/{other.cycle_id}/results/{beyond}").status_code == 404
    )
    # Our URLs with their login: back to our log-in page, nothing of ours shown.
    for path in ("", f"/{scored.subjects[0]}"):
        response = client.get(scored.url(path))
        assert response.status_code == 302
        assert f"/t/{scored.slug}/login" in response.headers["Location"]
