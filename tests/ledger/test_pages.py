"""The ledger's other ways in: the list filtered by a cycle, a unit's timeline, the add form's
person suggestions, and the subject's own ledger once a cycle including them is published."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select

from saas.attachments import service as attachments
from saas.ledger import service
from saas.models.attachment import AttachmentOwner
from saas.models.cycle import CycleSubject
from saas.models.people import Employee
from saas.models.scheme import SchemeVersion
from tests.attachments import samples
from tests.cycles.factory import add_subject, make_cycle
from tests.ledger.test_views import _as, _statements

AUG = dt.date(2026, 8, 3)


def _version(session) -> int:
    return session.scalar(select(SchemeVersion.id).where(SchemeVersion.status == "published"))


def _add(session, book, on: dt.date, **fields) -> int:
    if "label" not in fields:
        fields["event"] = "praise_letter"
    return service.add_entry(session, book.admin(), on=on, **fields).id


def test_the_list_by_cycle(client, db, book):
    gc = book.org.ids["GC"]
    with db.tenant(book.schema) as session:
        cycle = make_cycle(session, _version(session), period="2026-Q3", name="三季度考核")
        add_subject(session, cycle, session.get(Employee, book.inside))
        left_out = add_subject(session, cycle, session.get(Employee, book.manager))
        left_out.included = False
        session.add(CycleSubject(cycle_id=cycle.id, kind="unit", unit_id=gc))
        shown = {
            _add(session, book, AUG, employee_id=book.inside),
            _add(session, book, AUG, unit_id=gc),
        }
        hidden = {
            _add(session, book, dt.date(2026, 5, 1), employee_id=book.inside),  # Q2
            _add(session, book, AUG, employee_id=book.outside),  # not a subject
            _add(session, book, AUG, employee_id=book.manager),  # excluded
        }
        cycle_id = cycle.id
    _as(client, book, "admin")
    page = client.get(book.url()).get_data(as_text=True)
    assert "三季度考核 · 2026-Q3" in page and "5 entries" in page
    filtered = client.get(book.url(f"?cycle={cycle_id}")).get_data(as_text=True)
    assert "2 entries" in filtered
    for entry in shown:
        assert f'/ledger/entry/{entry}"' in filtered
    for entry in hidden:
        assert f'/ledger/entry/{entry}"' not in filtered
    fragment = client.get(book.url(f"?cycle={cycle_id}&page=1"), headers={"HX-Request": "true"})
    assert "2 entries" in fragment.get_data(as_text=True)
    assert "0 entries" in client.get(book.url("?cycle=999999")).get_data(as_text=True)


def test_a_unit_s_timeline(app, client, db, book):
    gc, zh = book.org.ids["GC"], book.org.ids["ZH-XZ"]
    with db.tenant(book.schema) as session:
        own = _add(session, book, AUG, unit_id=gc, label="班组卫生差", points=Decimal(-2))
        person = _add(session, book, AUG, employee_id=book.inside)
        elsewhere = _add(session, book, AUG, unit_id=zh)
    _as(client, book, "admin")
    assert f"/ledger/unit/{gc}" in client.get(book.url()).get_data(as_text=True)
    page = client.get(book.url(f"unit/{gc}")).get_data(as_text=True)
    assert f'/ledger/entry/{own}"' in page and f'/ledger/entry/{person}"' not in page
    assert f"/ledger/new?unit={gc}" in page and "Also its people" in page
    both = client.get(book.url(f"unit/{gc}?people=1")).get_data(as_text=True)
    assert f'/ledger/entry/{own}"' in both and f'/ledger/entry/{person}"' in both
    assert f'/ledger/entry/{elsewhere}"' not in both and "张三" in both
    entry = client.get(book.url(f"entry/{own}")).get_data(as_text=True)
    assert f'/ledger/unit/{gc}"' in entry  # the crumbs lead back
    form = client.get(book.url(f"new?unit={gc}")).get_data(as_text=True)
    assert f'<option value="{gc}" selected>' in form
    few = _statements(app, client, book.url(f"unit/{gc}?people=1"))
    with db.tenant(book.schema) as session:
        for _ in range(10):
            _add(session, book, AUG, employee_id=book.inside)
    assert _statements(app, client, book.url(f"unit/{gc}?people=1")) == few
    _as(client, book, "manager")
    assert client.get(book.url(f"unit/{gc}")).status_code == 200
    assert client.get(book.url(f"unit/{zh}")).status_code == 404
    assert client.get(book.url("unit/999999")).status_code == 404
    _as(client, book, "employee")
    assert client.get(book.url(f"unit/{gc}")).status_code == 403


def test_the_add_form_suggests_people_in_reach(client, db, book):
    _as(client, book, "admin")
    form = client.get(book.url("new")).get_data(as_text=True)
    assert 'list="ledger-people"' in form and f'hx-get="/t/{book.slug}/ledger/people"' in form
    found = client.get(book.url("people?employee_number=张")).get_data(as_text=True)
    assert '<option value="L-IN">张三' in found
    assert "L-OUT" in client.get(book.url("people?employee_number=L-")).get_data(as_text=True)
    _as(client, book, "manager")
    everyone = client.get(book.url("people?employee_number=")).get_data(as_text=True)
    assert "L-IN" in everyone and "L-OUT" not in everyone and "L-BOSS" not in everyone
    _as(client, book, "committee")
    assert client.get(book.url("people?employee_number=张")).status_code == 403


def test_my_ledger_shows_published_periods_only(client, db, book):
    with db.tenant(book.schema) as session:
        version = _version(session)
        me = session.get(Employee, book.inside)
        third = make_cycle(session, version, period="2026-Q3", status="review")
        second = make_cycle(session, version, period="2026-Q2", status="review")
        add_subject(session, third, me)
        add_subject(session, second, me)
        praise = _add(session, book, AUG, employee_id=book.inside)
        free = service.add_entry(
            session,
            book.admin(),
            employee_id=book.inside,
            on=dt.date(2026, 8, 5),
            label="拾金不昧",
            points=Decimal(3),
            note="内部备注",
        ).id
        complaint = service.add_entry(
            session, book.admin(), employee_id=book.inside, on=AUG, event="company_complaint"
        )
        service.decide(session, book.admin(), complaint.id, "valid", "核实")
        withdrawn = _add(session, book, dt.date(2026, 8, 6), employee_id=book.inside)
        service.withdraw(session, book.admin(), withdrawn, "录错")
        _add(session, book, dt.date(2026, 5, 1), employee_id=book.inside)
        _add(session, book, AUG, employee_id=book.outside)
        attachments.add(
            session,
            book.admin(),
            AttachmentOwner.LEDGER_ENTRY,
            praise,
            samples.plain_png(),
            "表扬信.png",
        )
        ids = (third.id, second.id)
    _as(client, book, "employee")
    home = client.get(f"/t/{book.slug}/").get_data(as_text=True)
    assert f'href="/t/{book.slug}/ledger/mine"' in home and ">My ledger<" in home
    nothing = client.get(book.url("mine")).get_data(as_text=True)
    assert "Nothing on your ledger in the published periods" in nothing
    with db.tenant(book.schema) as session:
        session.get(type(third), ids[0]).status = "published"
    mine = client.get(book.url("mine")).get_data(as_text=True)
    assert "Praise letter, banner or company-level praise" in mine and "+10" in mine
    assert "拾金不昧" in mine and "+3" in mine and "内部备注" not in mine
    assert "Valid company-level or internal complaint" in mine and "disqualifies" in mine
    assert "month&#39;s tally" not in mine and "fine ¥" not in mine  # the rule's zeros unsaid
    assert "valid" in mine and "李四" not in mine
    assert "/attachments/" not in mine and "表扬信" not in mine  # evidence stays with readers
    assert "2026-08-06" not in mine and "2026-05-01" not in mine  # withdrawn; unpublished
    assert client.get(book.url(f"entry/{praise}")).status_code == 403
    assert client.get(book.url(f"entry/{free}")).status_code == 403
    with db.tenant(book.schema) as session:
        session.get(type(third), ids[1]).status = "closed"
    assert "2026-05-01" in client.get(book.url("mine")).get_data(as_text=True)
    # In Chinese.
    client.post("/lang", data={"csrf_token": _as(client, book, "employee"), "lang": "zh_CN"})
    chinese = client.get(book.url("mine")).get_data(as_text=True)
    assert "我的实绩" in chinese and "表扬信、锦旗等表扬或公司级表扬" in chinese
    # The admin reads the whole ledger instead; no line of their own.
    _as(client, book, "admin")
    assert "/ledger/mine" not in client.get(f"/t/{book.slug}/").get_data(as_text=True)
    assert client.get(book.url("mine")).status_code == 403


def test_my_ledger_of_someone_left_out_or_unlinked(client, db, book):
    with db.tenant(book.schema) as session:
        cycle = make_cycle(session, _version(session), period="2026-Q3", status="published")
        subject = add_subject(session, cycle, session.get(Employee, book.inside))
        subject.included = False
        _add(session, book, AUG, employee_id=book.inside)
        # The committee member's account is linked to 委员 (ZH-XZ), who is no subject.
    _as(client, book, "employee")
    assert "Nothing on your ledger" in client.get(book.url("mine")).get_data(as_text=True)
    _as(client, book, "committee")
    assert "Nothing on your ledger" in client.get(book.url("mine")).get_data(as_text=True)
