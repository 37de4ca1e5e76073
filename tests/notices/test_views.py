"""The notices pages as each role uses them: the owner answers with photos, the inspector
sends back and accepts, the provider's contact sees and answers only their provider's
notices; managers of other units, employees and another tenant find nothing (their photos
neither); hostile input gets a 400 in the reader's language; the written notice's text; the
list's fixed statement count."""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess

from sqlalchemy import event, select

from saas.attachments import service as attachments
from saas.models.attachment import AttachmentOwner
from saas.models.inspection import RectificationNotice
from saas.models.user import User
from tests.notices.conftest import PNG, make_site

TODAY = dt.datetime.now(dt.UTC).date()  # the tenant's today is Shanghai's: within a day


def _notices(db, site, unit: str = "GC-SD", days_ago: int = 0, **values):
    with db.tenant(site.schema) as session:
        _, notices = site.inspect(
            session, unit=unit, today=TODAY - dt.timedelta(days_ago), **values
        )
        return [(n.id, n.serial, n.inspection_id) for n in notices]


def _photo(db, site, notice_id: int, who: str = "manager") -> int:
    with db.tenant(site.schema) as session:
        actor = site.actor(session, who)
        return attachments.add(
            session, actor, AttachmentOwner.NOTICE, notice_id, PNG, "photo.png", "answer-1"
        ).id


def _text(response) -> str:
    return response.get_data(as_text=True)


def _post(client, url: str, csrf: str, **data):
    return client.post(url, data={"csrf_token": csrf, **data}, content_type="multipart/form-data")


def test_the_owner_answers_with_photos_and_the_inspector_sends_back_then_accepts(app, db, site):
    (notice, serial, _inspection), _second = _notices(db, site)
    owner = app.test_client()
    csrf = site.log_in(owner, "manager")
    home = _text(owner.get(f"/t/{site.slug}/"))
    assert "Rectification notices to answer" in home and ">Rectification<" in home
    listed = _text(owner.get(site.url("?mine=owner&status=open")))
    assert serial in listed and "2 notices" in listed and "By unit and provider" in listed
    page = _text(owner.get(site.url(f"{notice}")))
    assert "大门把手有油污" in page and "Answer: it is fixed" in page
    assert "Verify the answer" not in page
    assert owner.get(site.url(f"{notice}/answer")).status_code == 200
    empty = _post(owner, site.url(f"{notice}/answer"), csrf, note=" ")
    assert empty.status_code == 400 and "Say what was done" in _text(empty)
    bad_file = _post(
        owner,
        site.url(f"{notice}/answer"),
        csrf,
        note="cleaned",
        file=[(io.BytesIO(b"MZ\x90\x00 not a photo"), "virus.exe")],
    )
    assert bad_file.status_code == 400 and "is not a photo or a PDF" in _text(bad_file)
    with db.tenant(site.schema) as session:  # nothing of the refused answer was kept
        assert session.get(RectificationNotice, notice).status == "open"
        assert attachments.of(session, AttachmentOwner.NOTICE, [notice])[notice] == []
    sent = _post(
        owner,
        site.url(f"{notice}/answer"),
        csrf,
        note="<script>alert(1)</script>已清洁",
        file=[(io.BytesIO(PNG), "a.png"), (io.BytesIO(PNG), "b.png")],
    )
    assert sent.status_code == 302
    page = _text(owner.get(sent.headers["Location"]))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;已清洁" in page
    photos = re.findall(r'<img src="(/t/[^"]+/attachments/\d+)"', page)
    assert len(photos) == 2
    assert owner.get(photos[0]).status_code == 200
    again = _post(owner, site.url(f"{notice}/answer"), csrf, note="again")
    assert again.status_code == 403 and "cannot be answered now" in _text(again)

    inspector = app.test_client()
    csrf_i = site.log_in(inspector, "inspector")
    assert "Rectification answers to verify" in _text(inspector.get(f"/t/{site.slug}/"))
    assert inspector.get(photos[1]).status_code == 200
    no_reason = _post(inspector, site.url(f"{notice}/verify"), csrf_i, decision="reject")
    assert no_reason.status_code == 400 and "Say what is still wrong" in _text(no_reason)
    back = _post(
        inspector, site.url(f"{notice}/verify"), csrf_i, decision="reject", verify_note="还有油污"
    )
    assert back.status_code == 302
    assert "Rectification answers sent back to you" in _text(owner.get(f"/t/{site.slug}/"))
    assert "还有油污" in _text(owner.get(site.url(f"{notice}/answer")))
    resent = _post(
        owner,
        site.url(f"{notice}/answer"),
        csrf,
        note="重新清洁",
        file=[(io.BytesIO(PNG), "c.png")],
    )
    assert resent.status_code == 302
    accepted = _post(inspector, site.url(f"{notice}/verify"), csrf_i, decision="accept")
    assert accepted.status_code == 302
    page = _text(inspector.get(site.url(f"{notice}")))
    for said in ("Rectification answer sent back", "还有油污", "Rectification accepted"):
        assert said in page
    assert len(re.findall(r'<img src="/t/[^"]+/attachments/\d+"', page)) == 3
    tally = _text(inspector.get(site.url()))
    row = re.search(r"水电班组</a></td>(.*?)</tr>", tally, re.S).group(1)
    assert re.findall(r">(\d+)<", row) == ["1", "0", "0", "1", "0"]


def test_the_inspector_moves_a_deadline_the_manager_may_not(app, db, site):
    (notice, _serial, _i), _second = _notices(db, site)
    inspector = app.test_client()
    csrf = site.log_in(inspector, "inspector")
    later = (TODAY + dt.timedelta(days=30)).isoformat()
    no_reason = _post(inspector, site.url(f"{notice}/deadline"), csrf, deadline=later)
    assert no_reason.status_code == 400 and "Give the reason" in _text(no_reason)
    moved = _post(inspector, site.url(f"{notice}/deadline"), csrf, deadline=later, reason="备件")
    assert moved.status_code == 302
    assert later in _text(inspector.get(site.url(f"{notice}")))
    manager = app.test_client()
    csrf_m = site.log_in(manager, "manager")
    refused = _post(manager, site.url(f"{notice}/deadline"), csrf_m, deadline=later, reason="x")
    assert refused.status_code == 403
    assert "Change the deadline" not in _text(manager.get(site.url(f"{notice}")))


def test_overdue_notices_on_the_list_and_the_to_do_lists(app, db, site):
    (late, late_serial, _i), _second = _notices(db, site, days_ago=10)
    (_fresh, fresh_serial, _j), _x = _notices(db, site, unit="WB-BA")
    owner = app.test_client()
    site.log_in(owner, "manager")
    assert "Your rectification notices past their deadline" in _text(owner.get(f"/t/{site.slug}/"))
    overdue = _text(owner.get(site.url("?overdue=1")))
    assert late_serial in overdue and fresh_serial not in overdue
    assert "past its deadline" in _text(owner.get(site.url(f"{late}")))
    inspector = app.test_client()
    site.log_in(inspector, "inspector")
    home = _text(inspector.get(f"/t/{site.slug}/"))
    assert "Overdue rectification notices from your inspections" in home
    tally = _text(inspector.get(site.url()))
    gc = re.findall(r">(\d+)<", re.search(r"水电班组</a></td>(.*?)</tr>", tally, re.S).group(1))
    assert gc == ["2", "2", "0", "0", "0"]
    ba = re.search(
        r"某某保安公司</a> <span class=\"muted\">provider</span></td>(.*?)</tr>", tally, re.S
    )
    assert re.findall(r">(\d+)<", ba.group(1)) == ["2", "0", "0", "0", "0"]
    by_provider = _text(inspector.get(site.url(f"?provider={site.org.ids['WB-BA']}")))
    assert fresh_serial in by_provider and late_serial not in by_provider


def test_the_provider_contact_sees_and_answers_only_their_providers_notices(app, db, site):
    (ba, ba_serial, ba_inspection), _x = _notices(db, site, unit="WB-BA")
    (gc, gc_serial, gc_inspection), _y = _notices(db, site)
    gc_photo, ba_photo = _photo(db, site, gc), _photo(db, site, ba, "provider")
    provider = app.test_client()
    csrf = site.log_in(provider, "provider")
    home = _text(provider.get(f"/t/{site.slug}/"))
    assert "Rectification notices to answer" in home
    listed = _text(provider.get(site.url()))
    assert ba_serial in listed and gc_serial not in listed
    assert provider.get(site.url(f"{gc}")).status_code == 404
    assert provider.get(site.url(f"{gc}/pdf")).status_code == 404
    assert provider.get(site.url(f"inspection/{gc_inspection}/pdf")).status_code == 404
    assert provider.get(f"/t/{site.slug}/attachments/{gc_photo}").status_code == 404
    assert provider.get(f"/t/{site.slug}/attachments/{ba_photo}").status_code == 200
    assert _post(provider, site.url(f"{gc}/answer"), csrf, note="x").status_code == 404
    sent = _post(
        provider, site.url(f"{ba}/answer"), csrf, note="已整改", file=[(io.BytesIO(PNG), "p.png")]
    )
    assert sent.status_code == 302
    assert provider.get(site.url(f"inspection/{ba_inspection}/pdf")).status_code == 200
    other = app.test_client()
    site.log_in(other, "provider2")
    assert ba_serial not in _text(other.get(site.url()))
    assert other.get(site.url(f"{ba}")).status_code == 404
    assert other.get(f"/t/{site.slug}/attachments/{ba_photo}").status_code == 404


def test_other_managers_employees_and_another_tenant_find_nothing(app, db, site, make_tenant):
    (notice, serial, inspection), _x = _notices(db, site)
    photo = _photo(db, site, notice)
    other = app.test_client()
    csrf = site.log_in(other, "other_manager")
    assert serial not in _text(other.get(site.url()))
    for path in (f"{notice}", f"{notice}/answer", f"{notice}/pdf", f"inspection/{inspection}/pdf"):
        assert other.get(site.url(path)).status_code == 404, path
    assert _post(other, site.url(f"{notice}/answer"), csrf, note="x").status_code == 404
    assert other.get(f"/t/{site.slug}/attachments/{photo}").status_code == 404
    employee = app.test_client()
    csrf_e = site.log_in(employee, "employee")
    assert employee.get(site.url()).status_code == 403
    assert employee.get(site.url(f"{notice}")).status_code == 403
    assert _post(employee, site.url(f"{notice}/answer"), csrf_e, note="x").status_code == 403
    assert employee.get(f"/t/{site.slug}/attachments/{photo}").status_code == 404
    assert ">Rectification<" not in _text(employee.get(f"/t/{site.slug}/"))
    stranger_site = make_site(db, make_tenant)
    stranger = app.test_client()
    csrf_s = stranger_site.log_in(stranger, "admin")
    for path in (f"{notice}", f"{notice}/pdf", f"inspection/{inspection}/pdf"):
        assert stranger.get(stranger_site.url(path)).status_code == 404
    assert (
        _post(
            stranger, stranger_site.url(f"{notice}/verify"), csrf_s, decision="accept"
        ).status_code
        == 404
    )
    assert stranger.get(f"/t/{stranger_site.slug}/attachments/{photo}").status_code == 404
    assert stranger.get(site.url(f"{notice}")).status_code == 302  # not logged in there


def test_hostile_input_is_a_400_in_the_readers_language(app, db, site):
    (notice, _serial, _i), _x = _notices(db, site)
    with db.tenant(site.schema) as session:
        session.get(User, site.users["manager"]).locale = "zh_CN"
    owner = app.test_client()
    csrf = site.log_in(owner, "manager")
    long = _post(owner, site.url(f"{notice}/answer"), csrf, note="长" * 3000)
    assert long.status_code == 400 and "最多 2000 个字" in _text(long)
    junk = _post(
        owner,
        site.url(f"{notice}/answer"),
        csrf,
        note="ok",
        file=[(io.BytesIO(b"\x00" * 64), "x.jpg")],
    )
    assert junk.status_code == 400 and "不是照片或 PDF" in _text(junk)
    many = _post(
        owner,
        site.url(f"{notice}/answer"),
        csrf,
        note="ok",
        file=[(io.BytesIO(PNG), f"{n}.png") for n in range(7)],
    )
    assert many.status_code == 400 and "最多上传 6 张照片" in _text(many)
    inspector = app.test_client()
    csrf_i = site.log_in(inspector, "inspector")
    for data in (
        {"deadline": "²０２６-01-01", "reason": "x"},
        {"deadline": "9999-99-99", "reason": "x"},
        {"deadline": "1e999999999", "reason": "\x00"},
    ):
        assert _post(inspector, site.url(f"{notice}/deadline"), csrf_i, **data).status_code == 400
    assert (
        _post(inspector, site.url(f"{notice}/verify"), csrf_i, decision="drop table").status_code
        == 400
    )
    for path in ("?status=²&unit=99999999999&provider=NaN&mine=x&page=-1&overdue=%00", "?unit=-1"):
        assert inspector.get(site.url(path)).status_code == 200
    assert inspector.get(site.url("99999999999")).status_code == 404


def _pdf_text(data: bytes) -> str:
    done = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    )
    return done.stdout.decode()


def test_the_written_notice_says_serial_deadline_and_what_to_fix(app, db, site):
    (first, serial, inspection), (_second, serial2, _same) = _notices(db, site)
    client = app.test_client()
    site.log_in(client, "manager")
    one = client.get(site.url(f"{first}/pdf"))
    assert one.status_code == 200 and one.mimetype == "application/pdf"
    assert f'filename="{serial}.pdf"' in one.headers["Content-Disposition"]
    text = _pdf_text(one.data)
    deadline = (TODAY + dt.timedelta(days=7)).strftime("%B %-d, %Y")
    for said in (
        serial,
        deadline,
        "大门干净",
        "大门把手有油污",
        "水电班组",
        "Rectification notice",
    ):
        assert said in text, said
    both = _pdf_text(client.get(site.url(f"inspection/{inspection}/pdf")).data)
    assert serial in both and serial2 in both and "保温台内有菜汤" in both
    assert both.count("Received by (signature)") == 2
    # One page per notice, in English too (the longer language).
    assert _pages(one.data) == 1
    assert _pages(client.get(site.url(f"inspection/{inspection}/pdf")).data) == 2


def _pages(data: bytes) -> int:
    done = subprocess.run(["pdfinfo", "-"], input=data, capture_output=True, check=True)
    return int(re.search(r"^Pages:\s+(\d+)", done.stdout.decode(), re.M).group(1))


def _statements(app, client, path: str) -> int:
    engine = app.extensions["kaohe.db"].engine
    seen = []

    def listen(_conn, _cursor, sql, *_args):
        if "public.tenant" not in sql and "user_role.role" not in sql:
            seen.append(sql)

    event.listen(engine, "before_cursor_execute", listen)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    return len(seen)


def test_the_list_costs_the_same_at_any_size(app, db, site):
    _notices(db, site)
    client = app.test_client()
    site.log_in(client, "inspector")
    few = (_statements(app, client, site.url()), _statements(app, client, f"/t/{site.slug}/"))
    for unit in ("GC-SD", "WB-BA", "ZH-XZ", "CW", "WB-DT"):
        _notices(db, site, unit=unit, days_ago=3)
    many = (_statements(app, client, site.url()), _statements(app, client, f"/t/{site.slug}/"))
    assert few == many
    with db.tenant(site.schema) as session:
        assert len(session.scalars(select(RectificationNotice.id)).all()) == 12
