"""The third-party rater's link: it opens that rater's sheets in their one cycle, and only
while the cycle is open and the link not withdrawn."""

from __future__ import annotations

import datetime as dt

from saas.models.cycle import ExternalRater
from saas.rating import values
from saas.rating.service import rated_items
from saas.scoring.checks import parse
from tests.cycles.factory import make_cycle
from tests.org.conftest import make_org
from tests.rating.conftest import ALL_MODES, FULL, HTMX, csrf

ITEMS = rated_items(parse(ALL_MODES)[0])


def _base(place, token=None, slug=None):
    return f"/t/{slug or place.slug}/rate/{token or place.token}"


def test_the_link_lists_the_raters_sheets_and_fills_them_in(client, place):
    start = client.get(_base(place))
    assert start.status_code == 200
    body = start.get_data(as_text=True)
    assert "外部专家" in body and "wang" in body
    assert f"/rate/{place.token}/sheets/{place.sheets['external']}" in body
    assert 'class="menu"' not in body and "/rating/" not in body
    url = f"{_base(place)}/sheets/{place.sheets['external']}"
    page = client.get(url)
    assert page.status_code == 200 and 'name="v.A1"' in page.get_data(as_text=True)
    token = csrf(client, url)
    saved = client.post(
        f"{url}/item", data={"csrf_token": token, "item": "A3", "v.A3": "优"}, headers=HTMX
    )
    assert saved.status_code == 200
    assert place.sheet("external").values == {"A3": "优"}
    bad = client.post(
        f"{url}/item", data={"csrf_token": token, "item": "A1", "v.A1": "99"}, headers=HTMX
    )
    assert bad.status_code == 400 and "Enter a number from 0 to 10." in bad.get_data(as_text=True)
    form = {"csrf_token": token, "do": "submit", **{f"v.{k}": v for k, v in FULL.items()}}
    assert client.post(url, data=form).status_code == 302
    sheet = place.sheet("external")
    assert sheet.status == "submitted"
    assert sheet.values == {k: values.parse(ITEMS[k], v) for k, v in FULL.items()}


def test_the_link_opens_no_other_sheet(client, db, place):
    token = csrf(client, _base(place))
    for other in ("li", "zhao", "wang"):
        url = f"{_base(place)}/sheets/{place.sheets[other]}"
        assert client.get(url).status_code == 404
        assert client.post(url, data={"csrf_token": token, "v.A1": "1"}).status_code == 404
    # A second rater of the same tenant, in another cycle, does not open the first's sheets.
    with db.tenant(place.org.schema) as session:
        from saas.rating.external import make_token

        cycle = make_cycle(session, place.version_id, period="2026-Q4")
        second, digest = make_token()
        session.add(ExternalRater(cycle_id=cycle.id, name="另一位", token_hash=digest))
    assert (
        client.get(f"{_base(place, second)}/sheets/{place.sheets['external']}").status_code == 404
    )
    assert "wang" not in client.get(_base(place, second)).get_data(as_text=True)


def test_a_wrong_token_is_404(client, place):
    for wrong in ("not-a-token", "x" * 5000, place.token[:-1] + "A", "%00", "²" * 20):
        assert client.get(f"/t/{place.slug}/rate/{wrong}").status_code == 404, wrong


def test_a_revoked_link_or_a_cycle_not_open_is_gone(client, db, place):
    url = f"{_base(place)}/sheets/{place.sheets['external']}"
    token = csrf(client, url)
    place.set_cycle("scoring")
    for path in (_base(place), url):
        response = client.get(path)
        assert response.status_code == 410
        assert "not collecting ratings" in response.get_data(as_text=True)
    posted = client.post(f"{url}/item", data={"csrf_token": token, "item": "A1", "v.A1": "1"})
    assert posted.status_code == 410
    place.set_cycle("open")
    with db.tenant(place.org.schema) as session:
        session.get(ExternalRater, place.external_id).revoked_at = dt.datetime.now(dt.UTC)
    response = client.get(_base(place))
    assert response.status_code == 410 and "withdrawn" in response.get_data(as_text=True)
    assert client.post(url, data={"csrf_token": token, "v.A1": "1"}).status_code == 410
    assert place.sheet("external").values == {}


def test_another_tenants_address_with_the_token_is_404(client, db, place, make_tenant):
    other = make_org(db, make_tenant)
    assert client.get(_base(place, slug=other.slug)).status_code == 404
    sheet = f"{_base(place, slug=other.slug)}/sheets/{place.sheets['external']}"
    assert client.get(sheet).status_code == 404
