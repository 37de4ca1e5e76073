"""The cycle pages as people use them, and what each role — and another tenant's admin —
gets from every route."""

from __future__ import annotations

import re

from sqlalchemy import select

from saas.cycles import raters, service
from saas.models.audit import AuditEntry
from saas.models.cycle import Cycle, CycleSubject, ExternalRater
from saas.models.user import User
from tests.conftest import csrf_token, login
from tests.cycles.conftest import build_shop
from tests.org.conftest import PASSWORD

HTMX = {"HX-Request": "true"}


def as_user(client, shop, name: str) -> str:
    if name == "admin":
        login(client, shop.tenant)
    else:
        login(client, shop.tenant, PASSWORD, f"{name}@{shop.slug}.example.com")
    return csrf_token(client, f"/t/{shop.slug}/")


def url(shop, path: str = "") -> str:
    return f"/t/{shop.slug}/cycles/{path}"


def made(db, shop, **options) -> int:
    with db.tenant(shop.schema) as session:
        cycle = shop.new_cycle(session, **options)
        raters.generate(session, shop.actor(session), cycle)
        return cycle.id


def routes(cycle_id: int) -> list[tuple[str, str]]:
    gets = ["", "new", f"{cycle_id}", f"{cycle_id}/raters", f"{cycle_id}/settings"]
    posts = [
        "new",
        f"{cycle_id}/move",
        f"{cycle_id}/subjects/add",
        f"{cycle_id}/subjects/remove",
        f"{cycle_id}/subjects/keep",
        f"{cycle_id}/raters/generate",
        f"{cycle_id}/raters/add",
        f"{cycle_id}/raters/remove",
        f"{cycle_id}/raters/reassign",
        f"{cycle_id}/raters/external",
        f"{cycle_id}/raters/external/revoke",
        f"{cycle_id}/raters/external/new-link",
        f"{cycle_id}/settings",
    ]
    return [("GET", p) for p in gets] + [("POST", p) for p in posts]


def test_the_admin_creates_a_cycle_and_opens_it(client, db, shop):
    csrf = as_user(client, shop, "admin")
    assert "No cycles yet." in client.get(url(shop)).get_data(as_text=True)
    page = client.get(url(shop, "new")).get_data(as_text=True)
    assert "全来源" in page
    wrong = client.post(
        url(shop, "new"),
        data={"csrf_token": csrf, "version_id": shop.versions["all"], "period": "2026-07"},
    )
    assert wrong.status_code == 400
    assert "This scheme assesses per quarter" in wrong.get_data(as_text=True)
    created = client.post(
        url(shop, "new"),
        data={
            "csrf_token": csrf,
            "version_id": shop.versions["all"],
            "period": "2026-Q3",
            "rating_due": "2026-10-10",
            "peer_count": "2",
        },
    )
    assert created.status_code == 302
    cycle_id = int(re.search(r"/cycles/(\d+)$", created.headers["Location"]).group(1))
    body = client.get(url(shop, f"{cycle_id}?subjects=excluded")).get_data(as_text=True)
    assert "Employment form 实习 is excluded (rule: 实习生不参加考核)" in body
    assert "The scheme does not assess position level 部门主管 and above" in body
    assert "LEAD: SPOT FOR LINKS" not in body  # the marked spot is a template comment
    generated = client.post(url(shop, f"{cycle_id}/raters/generate"), data={"csrf_token": csrf})
    assert generated.status_code == 302
    raters_page = client.get(url(shop, f"{cycle_id}/raters")).get_data(as_text=True)
    assert "Supervisor" in raters_page and "N-li" in raters_page
    moved = client.post(url(shop, f"{cycle_id}/move"), data={"csrf_token": csrf, "to": "open"})
    assert moved.status_code == 302
    with db.tenant(shop.schema) as session:
        assert session.get(Cycle, cycle_id).status == "open"
    # Out of order: refused with what is allowed.
    refused = client.post(url(shop, f"{cycle_id}/move"), data={"csrf_token": csrf, "to": "review"})
    assert refused.status_code == 403
    assert "can only move to" in refused.get_data(as_text=True)
    page = client.get(url(shop, f"{cycle_id}")).get_data(as_text=True)
    assert "Close collection and start scoring" in page
    assert "Joiners and leavers" in page


def test_reasons_are_shown_in_the_reader_s_language(client, db, shop):
    cycle_id = made(db, shop)
    with db.tenant(shop.schema) as session:
        session.get(User, shop.users["admin"]).locale = "zh_CN"
    as_user(client, shop, "admin")
    body = client.get(url(shop, f"{cycle_id}?subjects=excluded")).get_data(as_text=True)
    assert "方案不考核 部门主管 及以上职级" in body
    assert "已离职" in body or "离职" in body


def test_the_pages_answer_fragments(client, db, shop):
    cycle_id = made(db, shop)
    as_user(client, shop, "admin")
    subjects = client.get(
        url(shop, f"{cycle_id}?subjects=all"), headers={**HTMX, "HX-Target": "subjects"}
    ).get_data(as_text=True)
    assert subjects.startswith('<div id="subjects">') or '<div id="subjects">' in subjects[:200]
    assert "<html" not in subjects
    sheets = client.get(
        url(shop, f"{cycle_id}/raters?source=committee"), headers={**HTMX, "HX-Target": "sheets"}
    ).get_data(as_text=True)
    assert "<html" not in sheets and "Assessment committee" in sheets


def test_subjects_change_with_a_reason_through_the_page(client, db, shop):
    cycle_id = made(db, shop)
    csrf = as_user(client, shop, "admin")
    with db.tenant(shop.schema) as session:
        li = session.scalar(
            select(CycleSubject.id).where(
                CycleSubject.cycle_id == cycle_id, CycleSubject.employee_id == shop.people["li"]
            )
        )
    no_reason = client.post(
        url(shop, f"{cycle_id}/subjects/remove"), data={"csrf_token": csrf, "subject": li}
    )
    assert no_reason.status_code == 400 and "Write the reason." in no_reason.get_data(as_text=True)
    removed = client.post(
        url(shop, f"{cycle_id}/subjects/remove"),
        data={"csrf_token": csrf, "subject": li, "reason": "调岗"},
    )
    assert removed.status_code == 302
    body = client.get(url(shop, f"{cycle_id}?subjects=excluded")).get_data(as_text=True)
    assert "Removed by an administrator: 调岗" in body
    added = client.post(
        url(shop, f"{cycle_id}/subjects/add"),
        data={"csrf_token": csrf, "number": "N-intern", "reason": "转正"},
    )
    assert added.status_code == 302
    bad = client.post(
        url(shop, f"{cycle_id}/subjects/add"),
        data={"csrf_token": csrf, "number": "nobody", "reason": "x"},
    )
    assert bad.status_code == 400


def test_a_third_party_link_is_shown_once(client, db, shop):
    cycle_id = made(db, shop)
    csrf = as_user(client, shop, "admin")
    response = client.post(
        url(shop, f"{cycle_id}/raters/external"),
        data={"csrf_token": csrf, "name": "外审员", "organisation": "某审计所"},
    )
    assert response.status_code == 200
    link = re.search(
        rf'value="(http://[^"]*/t/{shop.slug}/rate/([^"]+))"', response.get_data(as_text=True)
    )
    assert link is not None
    again = client.get(url(shop, f"{cycle_id}/raters")).get_data(as_text=True)
    assert link.group(2) not in again
    with db.tenant(shop.schema) as session:
        stored = session.scalar(select(ExternalRater).where(ExternalRater.cycle_id == cycle_id))
        assert stored.token_hash == raters.token_hash(link.group(2))


def test_a_manager_sees_their_units_only_and_changes_nothing(client, db, shop):
    cycle_id = made(db, shop)
    csrf = as_user(client, shop, "gc")
    assert client.get(url(shop)).status_code == 200
    body = client.get(url(shop, f"{cycle_id}?subjects=all")).get_data(as_text=True)
    assert "N-li" in body and "N-bj1" not in body
    assert "/move" not in body and "subjects/remove" not in body
    sheets = client.get(url(shop, f"{cycle_id}/raters")).get_data(as_text=True)
    assert "保洁部" not in sheets
    for method, path in routes(cycle_id):
        if method == "POST" or path in ("new", f"{cycle_id}/settings"):
            call = client.post if method == "POST" else client.get
            response = call(url(shop, path), data={"csrf_token": csrf})
            assert response.status_code == 403, (method, path)


def test_an_employee_opens_no_cycle_page(client, db, shop):
    cycle_id = made(db, shop)
    csrf = as_user(client, shop, "li")
    for method, path in routes(cycle_id):
        call = client.post if method == "POST" else client.get
        assert call(url(shop, path), data={"csrf_token": csrf}).status_code == 403, path


def test_another_tenant_s_admin_finds_nothing(app, db, shop, make_tenant):
    cycle_id = made(db, shop)
    other = build_shop(db, make_tenant)
    client = app.test_client()
    csrf = as_user(client, other, "admin")
    for method, path in routes(cycle_id):
        if path in ("", "new"):
            continue
        call = client.post if method == "POST" else client.get
        response = call(url(other, path), data={"csrf_token": csrf})
        assert response.status_code == 404, (method, path)
    # And their own login does not open the first tenant's pages.
    assert client.get(url(shop, f"{cycle_id}")).status_code == 302


def _statements(app, client, path: str) -> int:
    from sqlalchemy import event

    engine = app.extensions["kaohe.db"].engine
    seen = []

    def listen(_conn, _cursor, sql, *_args):
        # The request's own overhead (tenant registry, principal) varies with caches.
        if "public.tenant" not in sql and "user_role.role" not in sql:
            seen.append(sql)

    event.listen(engine, "before_cursor_execute", listen)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    return len(seen)


def test_the_cycle_pages_cost_the_same_at_any_size(app, client, db, shop):
    from tests.org.conftest import add_employee

    small = made(db, shop, period="2026-Q3")
    with db.tenant(shop.schema) as session:
        for n in range(40):
            add_employee(session, shop.units["SD"], f"M-{n}", f"员工{n}")
    large = made(db, shop, period="2026-Q4")
    as_user(client, shop, "admin")
    for path in ("{}?subjects=all", "{}/raters"):
        assert _statements(app, client, url(shop, path.format(small))) == _statements(
            app, client, url(shop, path.format(large))
        ), path


def _link(response, shop) -> str:
    found = re.search(
        rf'value="http://[^"]*/t/{shop.slug}/rate/([^"]+)"', response.get_data(as_text=True)
    )
    assert found is not None
    return found.group(1)


def test_a_third_party_link_is_revoked_and_renewed_through_the_page(client, db, shop):
    cycle_id = made(db, shop)
    with db.tenant(shop.schema) as session:
        service.move(session, shop.actor(session), session.get(Cycle, cycle_id), "open")
    csrf = as_user(client, shop, "admin")
    added = client.post(
        url(shop, f"{cycle_id}/raters/external"), data={"csrf_token": csrf, "name": "外审员"}
    )
    old = _link(added, shop)
    assert added.headers["Cache-Control"] == "no-store"
    rate = f"/t/{shop.slug}/rate/"
    assert client.get(rate + old).status_code == 200
    with db.tenant(shop.schema) as session:
        rater_id = session.scalar(
            select(ExternalRater.id).where(ExternalRater.cycle_id == cycle_id)
        )
    page = client.get(url(shop, f"{cycle_id}/raters")).get_data(as_text=True)
    assert "Revoke link" in page and "New link" in page and "stops working at once" in page

    revoke = url(shop, f"{cycle_id}/raters/external/revoke")
    done = client.post(revoke, data={"csrf_token": csrf, "third_party": rater_id})
    assert done.status_code == 302
    page = client.get(url(shop, f"{cycle_id}/raters")).get_data(as_text=True)
    assert "it no longer opens" in page and "link revoked" in page
    assert client.get(rate + old).status_code == 410
    assert (
        client.post(revoke, data={"csrf_token": csrf, "third_party": rater_id}).status_code == 302
    )
    assert "was revoked already" in client.get(url(shop, f"{cycle_id}/raters")).get_data(
        as_text=True
    )
    for bad in ("", "abc", "99999999999", "999999"):
        response = client.post(revoke, data={"csrf_token": csrf, "third_party": bad})
        assert response.status_code == 400, bad
        assert "Choose a third-party rater of this cycle." in response.get_data(as_text=True)

    renewed = client.post(
        url(shop, f"{cycle_id}/raters/external/new-link"),
        data={"csrf_token": csrf, "third_party": rater_id},
    )
    assert renewed.status_code == 200 and renewed.headers["Cache-Control"] == "no-store"
    assert "The rating link of 外审员" in renewed.get_data(as_text=True)
    new = _link(renewed, shop)
    assert new != old
    assert client.get(rate + old).status_code == 404
    assert client.get(rate + new).status_code == 200
    assert new not in client.get(url(shop, f"{cycle_id}/raters")).get_data(as_text=True)
    with db.tenant(shop.schema) as session:
        actions = session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.record_type == "cycle", AuditEntry.record_id == str(cycle_id))
            .where(AuditEntry.action.like("cycle.third_party%"))
            .order_by(AuditEntry.id)
        ).all()
    assert actions == ["cycle.third_party_revoked", "cycle.third_party_new_link"]


def test_another_cycle_s_third_party_is_not_reached(client, db, shop):
    first, second = made(db, shop), made(db, shop, period="2026-Q4")
    csrf = as_user(client, shop, "admin")
    client.post(url(shop, f"{first}/raters/external"), data={"csrf_token": csrf, "name": "甲"})
    with db.tenant(shop.schema) as session:
        rater_id = session.scalar(select(ExternalRater.id).where(ExternalRater.cycle_id == first))
    for action in ("revoke", "new-link"):
        response = client.post(
            url(shop, f"{second}/raters/external/{action}"),
            data={"csrf_token": csrf, "third_party": rater_id},
        )
        assert response.status_code == 400, action
    with db.tenant(shop.schema) as session:
        assert session.get(ExternalRater, rater_id).revoked_at is None


def test_the_settings_page_names_each_bad_field(client, db, shop):
    cycle_id = made(db, shop)
    csrf = as_user(client, shop, "admin")
    cycle_page = client.get(url(shop, f"{cycle_id}")).get_data(as_text=True)
    assert f"/cycles/{cycle_id}/settings" in cycle_page
    page = client.get(url(shop, f"{cycle_id}/settings")).get_data(as_text=True)
    assert 'value="全来源 2026-Q3"' in page and 'value="2"' in page
    settings = url(shop, f"{cycle_id}/settings")
    bad = client.post(
        settings,
        data={"csrf_token": csrf, "name": " ", "rating_due": "2026-06-30", "peer_count": "21"},
    )
    assert bad.status_code == 400
    body = bad.get_data(as_text=True)
    for message in (
        "Give the cycle a name.",
        "The due date cannot be before the period starts.",
        "Give a number from 0 to 20.",
    ):
        assert message in body
    assert 'value="2026-06-30"' in body  # what was typed is kept
    for data, message in (
        ({"name": "x" * 121, "peer_count": "2"}, "At most 120 characters."),
        ({"name": "Q3", "peer_count": "两"}, "Give a whole number."),
        ({"name": "Q3", "peer_count": "2", "rating_due": "2026-13-01"}, "Give a date such as"),
    ):
        response = client.post(settings, data={"csrf_token": csrf, **data})
        assert response.status_code == 400 and message in response.get_data(as_text=True)
    good = client.post(
        settings,
        data={
            "csrf_token": csrf,
            "name": "三季度考核",
            "rating_due": "2026-10-15",
            "peer_count": "4",
        },
    )
    assert good.status_code == 302 and good.headers["Location"].endswith(f"/cycles/{cycle_id}")
    shown = client.get(url(shop, f"{cycle_id}")).get_data(as_text=True)
    assert "三季度考核" in shown and "2026-10-15" in shown and "The settings were saved." in shown
    with db.tenant(shop.schema) as session:
        session.get(User, shop.users["admin"]).locale = "zh_CN"
    zh = client.post(settings, data={"csrf_token": csrf, "name": "", "peer_count": "99"})
    assert zh.status_code == 400
    assert "请填写考核周期名称" in zh.get_data(as_text=True)
    assert "请填写 0 到 20 之间的数" in zh.get_data(as_text=True)


def test_the_settings_stay_once_the_cycle_is_in_review(client, db, shop):
    cycle_id = made(db, shop)
    with db.tenant(shop.schema) as session:
        session.get(Cycle, cycle_id).status = "review"
    csrf = as_user(client, shop, "admin")
    assert f"/cycles/{cycle_id}/settings" not in client.get(url(shop, f"{cycle_id}")).get_data(
        as_text=True
    )
    page = client.get(url(shop, f"{cycle_id}/settings")).get_data(as_text=True)
    assert "keeps its settings" in page and 'name="name"' not in page
    refused = client.post(
        url(shop, f"{cycle_id}/settings"),
        data={"csrf_token": csrf, "name": "新", "peer_count": "2"},
    )
    assert refused.status_code == 403
    assert "keeps its settings" in refused.get_data(as_text=True)
