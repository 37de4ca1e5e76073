"""The rating form: each scoring mode saved field by field and as a whole form, submitting,
the cycle's state, reopening, and who reaches which sheet."""

from __future__ import annotations

import pytest
from sqlalchemy import event, select

from saas.models.audit import AuditEntry
from saas.rating import values
from saas.rating.service import rated_items
from saas.scoring.checks import parse
from tests.conftest import csrf_token, login
from tests.org.conftest import make_org
from tests.rating.conftest import ALL_MODES, FULL, HTMX, client_of, csrf

ITEMS = rated_items(parse(ALL_MODES)[0])

VALID = [
    ("A1", "8.5"),
    ("A1", "10"),
    ("A1", "0"),
    ("A2", "yes"),
    ("A2", "no"),
    ("A3", "优"),
    ("A3", "差"),
    ("A4", "3"),
    ("A4", "0"),
    ("A5", "no"),
    ("A5", "yes"),
    ("B", "57.25"),
    ("A1", ""),  # cleared
]
INVALID = [
    ("A1", "10.5", "Enter a number from 0 to 10."),
    ("A1", "-1", "Enter a number from 0 to 10."),
    ("A1", "8.555", "At most two decimals."),
    ("A1", "NaN", "Enter a number from 0 to 10."),
    ("A1", "1e999999999", "Enter a number from 0 to 10."),
    ("A2", "maybe", "Answer yes or no."),
    ("A3", "中", "Choose one of: 优、良、差."),
    ("A4", "1.5", "Enter how many times, a whole number from 0 to 1000."),
    ("A4", "²", "Enter how many times, a whole number from 0 to 1000."),
    ("A5", "x" * 5000, "Answer yes or no."),
    ("B", "61", "Enter a number from 0 to 60."),
]


def _save(client, place, key, raw, sheet="li", headers=HTMX, token=None):
    url = place.url(f"sheets/{place.sheets[sheet]}")
    token = token or csrf(client, url)
    return client.post(
        f"{url}/item", data={"csrf_token": token, "item": key, f"v.{key}": raw}, headers=headers
    )


@pytest.mark.parametrize(("key", "raw"), VALID)
def test_each_mode_saves_one_field_as_values_parse_reads_it(app, place, key, raw):
    client = client_of(app, place, "li")
    if raw == "":
        assert _save(client, place, key, "7").status_code == 200
    response = _save(client, place, key, raw)
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_data(as_text=True)
    assert "Saved" in body and 'id="sheet-summary"' in body and 'hx-swap-oob="true"' in body
    sheet = place.sheet("li")
    assert sheet.values.get(key) == values.parse(ITEMS[key], raw)
    assert sheet.status == "draft" and sheet.saved_at is not None
    assert set(sheet.values) <= {key}  # only that field


@pytest.mark.parametrize(("key", "raw", "message"), INVALID)
def test_a_bad_value_says_why_beside_the_field_and_saves_nothing(app, place, key, raw, message):
    client = client_of(app, place, "li")
    assert _save(client, place, key, "1" if key != "A2" and key != "A5" else "yes").status_code in (
        200,
        400,
    )
    before = place.sheet("li").values
    response = _save(client, place, key, raw)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert place.sheet("li").values == before


def test_a_bad_value_is_said_in_the_users_language(app, place):
    client = client_of(app, place, "li")
    token = csrf(client, place.url())
    client.post("/lang", data={"csrf_token": token, "lang": "zh_CN", "next": "/"})
    response = _save(client, place, "A2", "maybe")
    assert response.status_code == 400
    assert "Answer yes or no." not in response.get_data(as_text=True)


def test_unknown_item_is_400(app, place):
    client = client_of(app, place, "li")
    assert _save(client, place, "ZZ", "1").status_code == 400
    assert _save(client, place, "", "1").status_code == 400


def test_subtotals_follow_the_saved_fields(app, place):
    client = client_of(app, place, "li")
    url = place.url(f"sheets/{place.sheets['li']}")
    token = csrf(client, url)
    _save(client, place, "A1", "8.5", token=token)
    _save(client, place, "A4", "2", token=token)  # 10 − 2 × 2 = 6
    body = _save(client, place, "A3", "良", token=token).get_data(as_text=True)
    assert '<span id="sub-0" hx-swap-oob="true">22.5</span>' in body
    assert '<span id="sub-1" hx-swap-oob="true">–</span>' in body
    body = _save(client, place, "A5", "no", token=token).get_data(as_text=True)
    assert "Veto: disqualified" in body


def test_the_whole_form_saves_everything_without_javascript(app, place):
    client = client_of(app, place, "li")
    url = place.url(f"sheets/{place.sheets['li']}")
    form = {"csrf_token": csrf(client, url), "do": "save", **{f"v.{k}": v for k, v in FULL.items()}}
    response = client.post(url, data=form)
    assert response.status_code == 302
    sheet = place.sheet("li")
    assert sheet.values == {k: values.parse(ITEMS[k], v) for k, v in FULL.items()}
    assert sheet.status == "draft"


def test_one_bad_field_in_the_whole_form_saves_nothing_and_keeps_what_was_typed(app, place):
    client = client_of(app, place, "li")
    url = place.url(f"sheets/{place.sheets['li']}")
    form = {"csrf_token": csrf(client, url), "do": "save"}
    form.update({f"v.{k}": v for k, v in FULL.items()})
    form["v.A1"] = "11"
    form["v.A3"] = "很好"
    response = client.post(url, data=form)
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "Enter a number from 0 to 10." in body and "Choose one of" in body
    assert 'value="11"' in body
    assert place.sheet("li").values == {}
    assert place.sheet("li").status == "assigned"


def test_the_stepper_counts_without_javascript(app, place):
    client = client_of(app, place, "li")
    url = place.url(f"sheets/{place.sheets['li']}")
    token = csrf(client, url)
    response = client.post(url, data={"csrf_token": token, "v.A4": "2", "step": "A4:+1"})
    assert response.status_code == 302 and response.headers["Location"].endswith("#item-A4")
    assert place.sheet("li").values["A4"] == "3"
    client.post(url, data={"csrf_token": token, "v.A4": "0", "step": "A4:-1"})
    assert place.sheet("li").values["A4"] == "0"


def test_the_form_shows_every_mode(app, place):
    client = client_of(app, place, "li")
    body = client.get(place.url(f"sheets/{place.sheets['li']}")).get_data(as_text=True)
    assert 'name="v.A1" type="text" inputmode="decimal"' in body
    assert body.count('name="v.A2"') == 2 and body.count('name="v.A5"') == 2
    assert body.count('name="v.A3"') == 3 and "优" in body
    assert 'name="step" value="A4:+1"' in body and "each takes off 2, down to 0" in body
    assert "Veto (否决)" in body and "disqualified" in body
    assert "使用礼貌用语" in body and 'name="v.B"' in body and "max 60" in body
    assert 'hx-post="/t/' in body and "/item" in body


# -- submitting --------------------------------------------------------------------------------


def test_submitting_needs_every_item_and_lists_the_missing(app, place):
    client = client_of(app, place, "li")
    url = place.url(f"sheets/{place.sheets['li']}")
    token = csrf(client, url)
    response = client.post(url, data={"csrf_token": token, "do": "submit", "v.A1": "9"})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "rate these first" in body and 'href="#item-A2"' in body and "文明礼貌" in body
    assert 'href="#item-A1"' not in body
    sheet = place.sheet("li")
    assert sheet.status == "draft" and sheet.values == {"A1": "9"}  # what was typed is kept


def test_submit_locks_the_sheet_and_is_audited(app, db, place):
    client = client_of(app, place, "li")
    url = place.url(f"sheets/{place.sheets['li']}")
    token = csrf(client, url)
    form = {"csrf_token": token, "do": "submit", **{f"v.{k}": v for k, v in FULL.items()}}
    assert client.post(url, data=form).status_code == 302
    sheet = place.sheet("li")
    assert sheet.status == "submitted" and sheet.submitted_at is not None
    body = client.get(url).get_data(as_text=True)
    assert "Submitted on" in body and 'name="v.A1"' not in body and "hx-post" not in body
    assert _save(client, place, "A1", "1", token=token).status_code == 403
    assert client.post(url, data={"csrf_token": token, "v.A1": "1"}).status_code == 403
    assert place.sheet("li").values["A1"] == "8.5"
    with db.tenant(place.org.schema) as session:
        rows = session.scalars(
            select(AuditEntry).where(AuditEntry.record_type == "rating_sheet")
        ).all()
    assert [(r.action, r.record_id, r.after["status"]) for r in rows] == [
        ("rating_sheet.submit", str(place.sheets["li"]), "submitted")
    ]


@pytest.mark.parametrize("status", ["draft", "scoring", "closed"])
def test_nothing_is_saved_while_the_cycle_is_not_open(app, place, status):
    client = client_of(app, place, "li")
    url = place.url(f"sheets/{place.sheets['li']}")
    token = csrf(client, url)
    place.set_cycle(status)
    response = _save(client, place, "A1", "5", token=token)
    assert response.status_code == 403
    assert "not open for rating" in response.get_data(as_text=True)
    assert client.post(url, data={"csrf_token": token, "do": "submit"}).status_code == 403
    assert place.sheet("li").values == {}
    if status != "draft":  # a cycle being set up is not shown at all
        body = client.get(url).get_data(as_text=True)
        assert "not open for rating now" in body and 'name="v.A1"' not in body


def test_autosave_costs_few_statements(app, db, place):
    client = client_of(app, place, "li")
    url = place.url(f"sheets/{place.sheets['li']}")
    token = csrf(client, url)
    _save(client, place, "A1", "1", token=token)  # warm
    engine = app.extensions["kaohe.db"].engine
    seen = []

    def count(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        assert _save(client, place, "A1", "2", token=token).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    own = [s for s in seen if "rating_sheet" in s]
    assert len(own) == 2, own  # read the sheet with its scheme, one UPDATE … RETURNING
    assert len(seen) <= 6, seen


# -- reopening ---------------------------------------------------------------------------------


def _submitted(app, place):
    client = client_of(app, place, "li")
    url = place.url(f"sheets/{place.sheets['li']}")
    form = {
        "csrf_token": csrf(client, url),
        "do": "submit",
        **{f"v.{k}": v for k, v in FULL.items()},
    }
    assert client.post(url, data=form).status_code == 302
    return client, url


def test_an_admin_reopens_with_a_reason_the_rater_then_sees(app, db, place):
    rater, url = _submitted(app, place)
    admin = client_of(app, place, "admin")
    reopen = place.url(f"sheets/{place.sheets['li']}/reopen")
    token = csrf(admin, reopen)
    response = admin.post(reopen, data={"csrf_token": token, "reason": "  "})
    assert response.status_code == 400 and "Say why" in response.get_data(as_text=True)
    assert place.sheet("li").status == "submitted"
    response = admin.post(reopen, data={"csrf_token": token, "reason": "出勤分数有误,请核对"})
    assert response.status_code == 302
    sheet = place.sheet("li")
    assert sheet.status == "draft" and sheet.submitted_at is None
    assert sheet.reopened_because == "出勤分数有误,请核对" and sheet.values["A1"] == "8.5"
    body = rater.get(url).get_data(as_text=True)
    assert "出勤分数有误,请核对" in body and 'name="v.A1"' in body
    assert _save(rater, place, "A1", "9").status_code == 200
    again = admin.post(reopen, data={"csrf_token": token, "reason": "again"})
    assert again.status_code == 403  # only a submitted sheet
    with db.tenant(place.org.schema) as session:
        row = session.scalar(select(AuditEntry).where(AuditEntry.action == "rating_sheet.reopen"))
    assert row.after == {"status": "draft", "reason": "出勤分数有误,请核对"}
    assert row.actor == place.org.tenant.admin_email


def test_a_role_without_rating_reopen_is_refused(app, place):
    _submitted(app, place)
    reopen = place.url(f"sheets/{place.sheets['li']}/reopen")
    for name in ("li", "committee"):
        client = client_of(app, place, name)
        token = csrf(client, place.url())
        assert client.get(reopen).status_code == 403
        assert client.post(reopen, data={"csrf_token": token, "reason": "x"}).status_code == 403
    assert place.sheet("li").status == "submitted"


# -- who reaches which sheet -------------------------------------------------------------------


def test_a_rater_sees_only_their_own_sheets(app, place):
    client = client_of(app, place, "li")
    body = client.get(place.url()).get_data(as_text=True)
    assert f"sheets/{place.sheets['li']}" in body
    for other in ("zhao", "wang", "external"):
        assert f'sheets/{place.sheets[other]}"' not in body
    token = csrf(client, place.url())
    for other in ("zhao", "external"):
        url = place.url(f"sheets/{place.sheets[other]}")
        assert client.get(url).status_code == 404
        assert client.post(url, data={"csrf_token": token, "v.A1": "1"}).status_code == 404
        assert (
            client.post(f"{url}/item", data={"csrf_token": token, "item": "A1", "v.A1": "1"})
        ).status_code == 404
    assert place.sheet("zhao").values == {}


def test_a_subject_cannot_open_the_sheets_about_them_nor_learn_who_rated(app, place):
    """王工 is rated by 李工 and 赵工: neither their sheets nor their names reach 王工."""
    client = client_of(app, place, "wang")
    for about_wang in ("li", "zhao", "external"):
        url = place.url(f"sheets/{place.sheets[about_wang]}")
        assert client.get(url).status_code == 404
    body = client.get(place.url()).get_data(as_text=True)
    # Their list holds the one sheet they fill in (about 李工), nothing about themself.
    assert f"sheets/{place.sheets['wang']}" in body
    assert "zhao" not in body and "外部专家" not in body
    assert "wang</span>" not in body


def test_another_tenant_reaches_no_sheet(app, db, place, make_tenant, client):
    other = make_org(db, make_tenant)
    login(client, other.tenant)
    token = csrf_token(client, f"/t/{other.slug}/")
    for name in ("li", "zhao"):
        base = f"/t/{other.slug}/rating/sheets/{place.sheets[name]}"
        assert client.get(base).status_code == 404
        assert client.get(f"{base}/reopen").status_code == 404
        assert (
            client.post(f"{base}/reopen", data={"csrf_token": token, "reason": "x"}).status_code
            == 404
        )
        assert client.post(base, data={"csrf_token": token, "v.A1": "1"}).status_code == 404
    # The other tenant's own admin opening this tenant's address is not logged in there.
    assert client.get(place.url(f"sheets/{place.sheets['li']}")).status_code == 302
    assert place.sheet("li").values == {}


# -- the start page ----------------------------------------------------------------------------


def test_the_start_page_lists_ratings_to_do_per_open_cycle(app, place):
    client = client_of(app, place, "li")
    body = client.get(f"/t/{place.slug}/").get_data(as_text=True)
    assert "Ratings to do: 全模式测试 2026-Q3" in body
    assert f"/rating/#cycle-{place.cycle_id}" in body
    _submitted(app, place)
    body = client.get(f"/t/{place.slug}/").get_data(as_text=True)
    assert "Ratings to do" not in body
    place.set_cycle("scoring")
    zhao = client_of(app, place, "zhao")
    assert "Ratings to do" not in zhao.get(f"/t/{place.slug}/").get_data(as_text=True)
    admin = client_of(app, place, "admin")
    assert "Ratings to do" not in admin.get(f"/t/{place.slug}/").get_data(as_text=True)
