"""The inspection pages as each role uses them: planning, the run (an item at a time with
HTMX, the whole form without), photos, signatures, finishing, the report link, cancelling,
schedules; and who gets 404 or 403: another tenant, a manager of another unit, an employee,
the contact of another provider; hostile input answered with a 400 in the reader's language.
"""

from __future__ import annotations

import datetime as dt
import io
import re

from sqlalchemy import event, select

from saas.models.attachment import Attachment
from saas.models.inspection import Inspection, InspectionSchedule
from tests.inspections.conftest import TODAY, drawn, make_site, photo_bytes, plan

HTMX = {"HX-Request": "true"}


def text(response) -> str:
    return response.get_data(as_text=True)


def _form(**values) -> dict:
    return {key: str(value) for key, value in values.items()}


def test_planning_an_inspection_and_the_list(client, db, site):
    csrf = site.log_in(client, "admin")
    page = text(client.get(site.url("new")))
    assert "外包保洁服务检查" in page and "inspector2" in page
    bad = client.post(site.url("new"), data={"csrf_token": csrf, "method": "raid"})
    assert bad.status_code == 400 and "Choose a published checklist." in text(bad)
    made = client.post(
        site.url("new"),
        data=_form(
            csrf_token=csrf,
            scheme_id=site.cleaning,
            unit_id=site.unit("WB-LH"),
            method="spot_check",
            unannounced="1",
            inspector_id=site.users["inspector"],
            planned_on=TODAY.isoformat(),
        ),
    )
    assert made.status_code == 302
    inspection_id = int(made.headers["Location"].rsplit("/", 1)[1])
    listed = text(client.get(site.url("?method=spot_check")))
    assert "某某绿化工程公司" in listed and "1 inspection" in listed and "unannounced" in listed
    assert "No inspection matches" in text(client.get(site.url("?status=done")))
    fragment = client.get(site.url("?status=planned"), headers={**HTMX, "HX-Target": "inspections"})
    assert fragment.status_code == 200 and "<html" not in text(fragment)
    assert f"/inspections/{inspection_id}" in text(fragment)
    assert "Inspections" in text(client.get(f"/t/{site.slug}/"))  # the menu line


def _run_to_the_end(client, site, inspection_id: int, csrf: str) -> None:
    """Every item at full marks, one HTMX save each; FS-18 not applicable."""
    page = text(client.get(site.url(f"{inspection_id}/run")))
    keys = re.findall(r'id="item-([A-Za-z0-9._-]+)"', page)
    assert keys[:2] == ["EN-02", "EN-07"] and len(keys) == 14
    answers = {
        "EN-02": "10", "EN-07": "10", "EN-08": "yes", "FS-18": "n/a", "EN-06": "优",
        "EN-05": "优", "EN-09": "0", "EN-01": "5", "EN-11": "yes", "EN-12": "yes",
        "EN-03": "yes", "OS-09": "yes", "OS-01": "yes", "OS-05": "yes",
    }  # fmt: skip
    for key, value in answers.items():
        saved = client.post(
            site.url(f"{inspection_id}/item"),
            data={"csrf_token": csrf, "item": key, f"v.{key}": value},
            headers=HTMX,
        )
        assert saved.status_code == 200, (key, text(saved))
    assert "14</strong>/14" in text(saved) and 'hx-swap-oob="true"' in text(saved)


def test_the_run_signatures_and_the_finish(client, db, site):
    inspection_id = plan(db, site)
    csrf = site.log_in(client, "inspector")
    shown = text(client.get(site.url(str(inspection_id))))
    assert "Start the inspection" in shown
    # One value refused beside its item, in the reader's language.
    bad = client.post(
        site.url(f"{inspection_id}/item"),
        data={"csrf_token": csrf, "item": "EN-02", "v.EN-02": "11"},
        headers=HTMX,
    )
    assert bad.status_code == 400 and "Enter a number from 0 to 10." in text(bad)
    # A note alone keeps the value.
    client.post(
        site.url(f"{inspection_id}/item"),
        data={"csrf_token": csrf, "item": "EN-07", "v.EN-07": "8"},
        headers=HTMX,
    )
    client.post(
        site.url(f"{inspection_id}/item"),
        data={"csrf_token": csrf, "item": "EN-07", "note.EN-07": "角落有浮土"},
        headers=HTMX,
    )
    with db.tenant(site.schema) as session:
        found = session.get(Inspection, inspection_id)
        assert found.values["EN-07"] == "8" and found.notes["EN-07"] == "角落有浮土"
    # A photo of an item, uploaded as it is taken.
    uploaded = client.post(
        site.url(f"{inspection_id}/photos"),
        data={"csrf_token": csrf, "slot": "EN-07", "file": (io.BytesIO(photo_bytes()), "x.jpg")},
        content_type="multipart/form-data",
        headers=HTMX,
    )
    assert uploaded.status_code == 200 and "/attachments/" in text(uploaded)
    refused = client.post(
        site.url(f"{inspection_id}/photos"),
        data={"csrf_token": csrf, "slot": "EN-07", "file": (io.BytesIO(b"not an image"), "x.jpg")},
        content_type="multipart/form-data",
        headers=HTMX,
    )
    assert refused.status_code == 400 and "Only photos" in text(refused)
    # Finishing too early lists what is left.
    early = client.post(
        site.url(f"{inspection_id}/finish"),
        data={"csrf_token": csrf, "inspector_signature": drawn(), "onsite_signature": drawn()},
    )
    assert early.status_code == 400 and "Not finished" in text(early) and "EN-02" in text(early)
    _run_to_the_end(client, site, inspection_id, csrf)
    sign = text(client.get(site.url(f"{inspection_id}/sign")))
    assert "All 14 items are rated" in sign and "signature-pad.js" in sign
    blank = client.post(
        site.url(f"{inspection_id}/finish"),
        data={
            "csrf_token": csrf,
            "inspector_signature": drawn(),
            "onsite_signature": drawn(ink=False),
            "onsite_name": "王保洁",
        },
    )
    assert blank.status_code == 400 and "The box is empty" in text(blank)
    assert drawn() in text(blank)  # the good signature is drawn back
    done = client.post(
        site.url(f"{inspection_id}/finish"),
        data={
            "csrf_token": csrf,
            "inspector_signature": drawn(),
            "onsite_signature": drawn(),
            "onsite_name": "王保洁",
        },
    )
    assert done.status_code == 302
    page = text(client.get(done.headers["Location"]))
    assert "100</strong> / 100" in page and "王保洁" in page and "data:image/png;base64," in page
    assert "The signed report is being made" in page
    # Done: read-only.
    assert client.get(site.url(f"{inspection_id}/run")).status_code == 403
    again = client.post(
        site.url(f"{inspection_id}/item"),
        data={"csrf_token": csrf, "item": "EN-02", "v.EN-02": "1"},
    )
    assert again.status_code == 403


def test_the_whole_form_without_javascript(client, db, site):
    inspection_id = plan(db, site)
    csrf = site.log_in(client, "admin")  # an administrator may run any inspection
    saved = client.post(
        site.url(f"{inspection_id}/run"),
        data={"csrf_token": csrf, "v.EN-02": "9", "v.EN-08": "no", "na.FS-18": "1", "do": "save"},
    )
    assert saved.status_code == 302
    stepped = client.post(
        site.url(f"{inspection_id}/run"),
        data={"csrf_token": csrf, "v.EN-09": "1", "step": "EN-09:+1"},
    )
    assert stepped.status_code == 302 and stepped.headers["Location"].endswith("#item-EN-09")
    wrong = client.post(
        site.url(f"{inspection_id}/run"), data={"csrf_token": csrf, "v.EN-02": "x", "v.EN-07": "3"}
    )
    assert wrong.status_code == 400 and "Nothing was saved" in text(wrong)
    with db.tenant(site.schema) as session:
        values = session.get(Inspection, inspection_id).values
    assert values == {"EN-02": "9", "EN-08": False, "FS-18": "n/a", "EN-09": "2"}


def test_cancelling_and_schedules(client, db, site):
    inspection_id = plan(db, site)
    csrf = site.log_in(client, "committee")
    no_reason = client.post(site.url(f"{inspection_id}/cancel"), data={"csrf_token": csrf})
    assert no_reason.status_code == 400 and "Say why" in text(no_reason)
    cancelled = client.post(
        site.url(f"{inspection_id}/cancel"), data={"csrf_token": csrf, "reason": "停业整顿"}
    )
    assert cancelled.status_code == 302
    assert "Cancelled: 停业整顿" in text(client.get(site.url(str(inspection_id))))
    page = text(client.get(site.url("schedules")))
    assert "No schedule yet." in page
    fields = dict(
        csrf_token=csrf,
        scheme_id=site.cleaning,
        unit_id=site.unit("WB-LH"),
        method="inspection",
        inspector_id=site.users["inspector"],
        every="month",
    )
    soon = dt.date.today() + dt.timedelta(days=40)
    late = client.post(site.url("schedules"), data=_form(**fields, next_on=soon.replace(day=30)))
    assert late.status_code == 400 and "from 1 to 28" in text(late)
    first = soon.replace(day=20)
    added = client.post(site.url("schedules"), data=_form(**fields, next_on=first.isoformat()))
    assert added.status_code == 302
    with db.tenant(site.schema) as session:
        schedule = session.scalar(select(InspectionSchedule))
    assert first.isoformat() in text(client.get(site.url("schedules")))
    ended = client.post(site.url(f"schedules/{schedule.id}/end"), data={"csrf_token": csrf})
    assert ended.status_code == 302 and "Ended" in text(client.get(site.url("schedules")))


def test_the_list_costs_a_fixed_number_of_statements(client, db, site):
    for unit in ("WB-LH", "GC", "BJ"):
        plan(db, site, unit)
    site.log_in(client, "admin")
    statements: list[str] = []

    def count(_conn, _cursor, sql, *_args):
        if "inspection" in sql:  # the page's own (the tenant's registry row may expire)
            statements.append(sql)

    engine = client.application.extensions["kaohe.db"].engine
    counts = []
    for extra in ((), ("GC-SD", "ZH", "CW", "PZ")):
        for unit in extra:
            plan(db, site, unit)
        statements.clear()
        event.listen(engine, "before_cursor_execute", count)
        try:
            assert client.get(site.url()).status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", count)
        counts.append(len(statements))
    assert counts[0] == counts[1] and counts[0] > 0


# -- who may open what --------------------------------------------------------------------------


def test_access_of_other_tenants_units_roles_and_providers(app, db, make_tenant, site):
    announced = plan(db, site, "WB-LH")
    hidden = plan(db, site, "WB-LH", method="mystery")
    gc = plan(db, site, "GC")
    with db.tenant(site.schema) as session:
        from saas.attachments import service as attachments
        from saas.models.attachment import AttachmentOwner

        photo = attachments.add(
            session,
            site.admin(),
            AttachmentOwner.INSPECTION,
            hidden,
            photo_bytes(),
            "p.jpg",
            "EN-02",
        ).id
    other = make_site(db, make_tenant)

    def status(who: str, path: str, the_site=site, method: str = "GET") -> int:
        client = app.test_client()
        csrf = the_site.log_in(client, who)
        if method == "GET":
            return client.get(path).status_code
        return client.post(path, data={"csrf_token": csrf}).status_code

    # Another tenant's admin: nothing of this tenant's (their login is worth nothing here).
    assert status("admin", site.url(str(announced)), other) in (302, 404)
    # A manager of another unit, the contact of another provider: not found.
    assert status("bj_manager", site.url(str(gc))) == 404
    assert status("security", site.url(str(announced))) == 404
    # The greening contact sees their announced inspection, not the mystery visit nor its photo.
    assert status("greening", site.url(str(announced))) == 200
    assert status("greening", site.url(str(hidden))) == 404
    assert status("greening", f"/t/{site.slug}/attachments/{photo}") == 404
    assert status("committee", f"/t/{site.slug}/attachments/{photo}") == 200
    # An employee has no inspections at all.
    assert status("employee", site.url()) == 403
    assert status("employee", site.url(str(gc))) == 403
    # Running: another inspector is refused; the manager may not run or plan.
    assert status("inspector2", site.url(f"{gc}/run")) == 403
    assert status("manager", site.url(f"{gc}/run")) == 403
    assert status("manager", site.url(f"{gc}/cancel"), method="POST") == 403
    assert status("greening", site.url("new")) == 403
    assert status("manager", site.url(str(gc))) == 200


def test_hostile_input_is_a_clear_400(client, db, site):
    inspection_id = plan(db, site)
    csrf = site.log_in(client, "inspector")
    with client.session_transaction() as session:
        session["lang"] = "zh_CN"
    for value in ("1e999999999", "NaN", "²", "x" * 5000, "-0.001", "\u202e5"):
        answer = client.post(
            site.url(f"{inspection_id}/item"),
            data={"csrf_token": csrf, "item": "EN-02", "v.EN-02": value},
            headers=HTMX,
        )
        assert answer.status_code == 400, value
        assert "请输入" in text(answer) or "0 到 10" in text(answer), text(answer)
    unknown = client.post(
        site.url(f"{inspection_id}/item"),
        data={"csrf_token": csrf, "item": "../../x", "v.../../x": "1"},
        headers=HTMX,
    )
    assert unknown.status_code == 400
    huge = client.post(
        site.url(f"{inspection_id}/finish"),
        data={
            "csrf_token": csrf,
            "inspector_signature": "data:image/png;base64," + "A" * 400_000,
            "onsite_signature": "javascript:alert(1)",
            "onsite_name": "<script>",
        },
        content_type="multipart/form-data",
    )
    assert huge.status_code == 400
    assert client.get(site.url("99999999999")).status_code == 404
    assert client.get(site.url("?from=1e999&to=²&unit=-1&page=NaN")).status_code == 200
    with db.tenant(site.schema) as session:
        assert session.scalar(select(Attachment.id)) is None
