"""The customer's side: the form of a link, what a submission becomes (a feedback row and a
pending ledger entry from the customer), the reference's status page, and every guard: the
form token (replayed, expired, too fast, damaged), the rate limits per client and per
subject, duplicates, lengths, markup, and links that name nothing or no longer work."""

from __future__ import annotations

import time

from sqlalchemy import func, select

from saas.feedback.guard import FormTokens, Limit
from saas.feedback.intake import REFERENCE_PATTERN
from saas.ledger import service as ledger
from saas.models.audit import AuditEntry
from saas.models.feedback import Feedback, FeedbackLink
from saas.models.ledger import LedgerEntry
from saas.models.people import Employee
from tests.conftest import csrf_token, login
from tests.feedback.conftest import (
    fill,
    form_url,
    hidden,
    make_link,
    policy,
    reference_of,
    send,
)
from tests.ledger.conftest import make_book
from tests.org.conftest import PASSWORD


def _count(db, book, model) -> int:
    with db.tenant(book.schema) as session:
        return session.scalar(select(func.count()).select_from(model))


def _entry(db, book, reference: str) -> LedgerEntry:
    with db.tenant(book.schema) as session:
        entry = session.scalar(
            select(LedgerEntry)
            .join(Feedback, Feedback.ledger_entry_id == LedgerEntry.id)
            .where(Feedback.reference == reference)
        )
        session.expunge(entry)
        return entry


# -- the path -----------------------------------------------------------------------------------


def test_praise_becomes_a_pending_customer_entry_about_the_person(app, db, book):
    token = make_link(db, book.org, employee_id=book.inside)
    customer = app.test_client()
    page = customer.get(form_url(book.slug, token))
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    # The person's name and unit, nothing else about them (not their employee number).
    assert "张三" in body and "工程维修部" in body and "L-IN" not in body
    sent = send(customer, book.slug, token, phone="138-0013-8000")
    assert sent.status_code == 302
    reference = reference_of(sent)
    assert REFERENCE_PATTERN.fullmatch(reference)
    thanks = customer.get(sent.headers["Location"])
    text = thanks.get_data(as_text=True)
    assert thanks.status_code == 200 and reference in text and "Thank you" in text
    assert "Received" in text and "张三" not in text
    entry = _entry(db, book, reference)
    assert (entry.kind, entry.employee_id, entry.source) == ("employee", book.inside, "customer")
    assert entry.event == "customer_praise" and entry.validity == "pending"
    assert "师傅修得又快又好" in entry.note and reference in entry.note
    assert "138 0013 8000" in entry.note
    with db.tenant(book.schema) as session:
        stored = session.scalar(select(Feedback).where(Feedback.reference == reference))
        assert (stored.kind, stored.category, stored.phone) == ("praise", "attitude", "13800138000")
        assert len(stored.client_hash) == 64 and "127.0.0.1" not in stored.client_hash
        actor = session.scalar(
            select(AuditEntry.actor).where(
                AuditEntry.action == "ledger.entry.add", AuditEntry.record_id == str(entry.id)
            )
        )
        assert actor == "customer feedback"


def test_a_unit_link_without_a_rule_makes_a_free_entry_of_no_points(app, db, make_tenant):
    from tests.org.conftest import make_org

    org = make_org(db, make_tenant)  # no published scheme: no customer events

    token = make_link(db, org, unit="KF")
    customer = app.test_client()
    sent = send(customer, org.slug, token, kind="complaint", category="speed", text="排队太久")
    entry = _entry(db, org, reference_of(sent))
    assert (entry.kind, entry.employee_id, entry.unit_id) == ("unit", None, org.ids["KF"])
    assert entry.event is None and entry.points == 0 and entry.label == "Customer complaint"
    assert entry.validity == "pending" and entry.source == "customer"
    assert "【Speed】排队太久" in entry.note


def test_the_status_page_follows_the_decision(app, db, book):
    token = make_link(db, book.org, employee_id=book.inside)
    customer = app.test_client()
    reference = reference_of(send(customer, book.slug, token, kind="complaint"))
    status = f"/t/{book.slug}/feedback/status/{reference}"
    assert "Received" in customer.get(status).get_data(as_text=True)
    entry = _entry(db, book, reference)
    with db.tenant(book.schema) as session:
        ledger.decide(session, book.admin(), entry.id, "invalid", "监控显示服务正常")
    page = customer.get(status).get_data(as_text=True)
    assert "Handled" in page and "Received" not in page
    # Only the state and the date: not the decision, its reason or the subject.
    assert "监控" not in page and "invalid" not in page and "张三" not in page
    # A withdrawn entry is handled too; the lower-case reference finds the same one.
    second = reference_of(send(customer, book.slug, token, text="另一件事"))
    with db.tenant(book.schema) as session:
        ledger.withdraw(session, book.admin(), _entry(db, book, second).id, "重复")
    assert "Handled" in customer.get(f"/t/{book.slug}/feedback/status/{second.lower()}").get_data(
        as_text=True
    )


def test_an_unknown_reference_looks_like_any_other_not_found(app, db, book):
    customer = app.test_client()
    for reference in ("FK-2345678923", "FK-0000000000", "x" * 300, "%00", "FK-"):
        response = customer.get(f"/t/{book.slug}/feedback/status/{reference}")
        assert response.status_code == 404
        assert "No feedback has this reference number" in response.get_data(as_text=True)


def test_the_status_page_is_rate_limited_without_saying_how(app, db, book, monkeypatch):
    policy(app, monkeypatch, status=Limit(3, 600))
    customer = app.test_client()
    url = f"/t/{book.slug}/feedback/status/FK-2345678923"
    assert [customer.get(url).status_code for _ in range(3)] == [404] * 3
    refused = customer.get(url)
    body = refused.get_data(as_text=True)
    assert refused.status_code == 429 and "try again" in body
    assert "X-RateLimit-Limit" not in refused.headers and "Retry-After" not in refused.headers
    assert " 3 " not in body and "600" not in body


# -- links that do not open the form ------------------------------------------------------------


def test_unknown_revoked_left_and_foreign_tokens(app, db, book, make_tenant):
    customer = app.test_client()
    assert customer.get(form_url(book.slug, "x" * 43)).status_code == 404
    assert customer.get(form_url(book.slug, "not-a-token")).status_code == 404
    token = make_link(db, book.org, employee_id=book.inside)
    with db.tenant(book.schema) as session:
        session.scalar(select(FeedbackLink)).revoked_at = func.now()
    gone = customer.get(form_url(book.slug, token))
    assert gone.status_code == 410 and "no longer works" in gone.get_data(as_text=True)
    assert (
        send(customer, book.slug, make_link(db, book.org, employee_id=book.outside)).status_code
        == 302
    )
    # A person who left: their badge answers 410 too.
    left = make_link(db, book.org, employee_id=book.manager)
    with db.tenant(book.schema) as session:
        session.get(Employee, book.manager).status = "left"
    assert customer.get(form_url(book.slug, left)).status_code == 410
    # Another tenant's real token on this tenant's address names nothing here.
    other = make_book(db, make_tenant)
    foreign = make_link(db, other.org, employee_id=other.inside)
    assert customer.get(form_url(other.slug, foreign)).status_code == 200
    assert customer.get(form_url(book.slug, foreign)).status_code == 404
    assert customer.post(form_url(book.slug, foreign), data={}).status_code in (400, 404)


def test_a_link_revoked_while_the_form_is_open_takes_nothing(app, db, book):
    token = make_link(db, book.org, employee_id=book.inside)
    customer = app.test_client()
    fields = fill(customer, book.slug, token)
    with db.tenant(book.schema) as session:
        session.scalar(select(FeedbackLink)).revoked_at = func.now()
    assert send(customer, book.slug, token, fields).status_code == 410
    assert _count(db, book, Feedback) == 0


# -- the form token -----------------------------------------------------------------------------


def test_a_replayed_form_is_refused(app, db, book):
    token = make_link(db, book.org, employee_id=book.inside)
    customer = app.test_client()
    fields = fill(customer, book.slug, token)
    assert send(customer, book.slug, token, fields).status_code == 302
    again = send(customer, book.slug, token, fields, text="换一句话再发一次")
    assert again.status_code == 409 and "already sent" in again.get_data(as_text=True)
    assert _count(db, book, Feedback) == 1


def test_an_expired_form_comes_back_with_a_fresh_token(app, db, book):
    token = make_link(db, book.org, employee_id=book.inside)
    customer = app.test_client()
    fields = fill(customer, book.slug, token)
    with db.tenant(book.schema) as session:
        link_id = session.scalar(select(FeedbackLink.id))
    old = FormTokens(app.config["SECRET_KEY"]).issue(book.slug, link_id, now=time.time() - 3 * 3600)
    response = send(customer, book.slug, token, {**fields, "form_token": old}, text="等了很久")
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and "open for a long time" in body
    assert "等了很久" in body and hidden(body, "form_token") != old
    assert _count(db, book, Feedback) == 0
    # The fresh token sends it.
    resent = send(customer, book.slug, token, {**fields, "form_token": hidden(body, "form_token")})
    assert resent.status_code == 302


def test_a_form_sent_too_fast_is_refused_politely(app, db, book, monkeypatch):
    policy(app, monkeypatch, min_fill=60)
    token = make_link(db, book.org, employee_id=book.inside)
    customer = app.test_client()
    response = send(customer, book.slug, token)
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and "That was quick" in body
    assert "师傅修得又快又好" in body and _count(db, book, Feedback) == 0


def test_a_token_of_another_link_or_altered_is_refused(app, db, book):
    mine = make_link(db, book.org, employee_id=book.inside)
    theirs = make_link(db, book.org, employee_id=book.outside)
    customer = app.test_client()
    fields = fill(customer, book.slug, theirs)
    for form_token in (fields["form_token"], fields["form_token"][:-2] + "xx", "", "a" * 5000):
        response = send(customer, book.slug, mine, {**fields, "form_token": form_token})
        assert response.status_code == 400
        assert "could not be read" in response.get_data(as_text=True)
    assert _count(db, book, Feedback) == 0


# -- limits -------------------------------------------------------------------------------------


def test_submissions_per_client_are_limited(app, db, book, monkeypatch):
    policy(app, monkeypatch, client=Limit(2, 600))
    token = make_link(db, book.org, employee_id=book.inside)
    customer = app.test_client()
    for text in ("第一条", "第二条"):
        assert send(customer, book.slug, token, text=text).status_code == 302
    refused = send(customer, book.slug, token, text="第三条")
    body = refused.get_data(as_text=True)
    assert refused.status_code == 429 and "try again" in body and "第三条" not in body
    assert "X-RateLimit-Limit" not in refused.headers
    # Another client is not held back by this one.
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "10.0.0.2"
    assert send(other, book.slug, token, text="第四条").status_code == 302
    assert _count(db, book, Feedback) == 3


def test_submissions_per_subject_are_limited(app, db, book, monkeypatch):
    policy(app, monkeypatch, subject=Limit(2, 3600))
    token = make_link(db, book.org, employee_id=book.inside)
    statuses = []
    for n in range(3):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"10.0.1.{n}"
        statuses.append(send(client, book.slug, token, text=f"第{n}条").status_code)
    assert statuses == [302, 302, 429]
    # The unit's own link is another subject.
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "10.0.1.9"
    assert send(client, book.slug, make_link(db, book.org)).status_code == 302


def test_a_flood_of_garbage_is_refused_cheaply_and_never_fails(app, db, book, monkeypatch):
    policy(app, monkeypatch, attempts=Limit(5, 600))
    token = make_link(db, book.org, employee_id=book.inside)
    flood = app.test_client()
    csrf = csrf_token(flood, form_url(book.slug, token))
    statuses = [
        flood.post(
            form_url(book.slug, token),
            data={"csrf_token": csrf, "kind": "\x00", "text": "<" * 900, "form_token": "z"},
        ).status_code
        for _ in range(8)
    ]
    assert statuses == [400] * 5 + [429] * 3
    assert _count(db, book, Feedback) == 0


# -- what is sent -------------------------------------------------------------------------------


def test_duplicates_are_refused_within_a_day(app, db, book):
    token = make_link(db, book.org, employee_id=book.inside)
    customer = app.test_client()
    assert send(customer, book.slug, token, text="空调不制冷，报修三次").status_code == 302
    copy = send(customer, book.slug, token, text="  空调不制冷，\n报修三次  ", kind="complaint")
    assert copy.status_code == 409 and "already have this message" in copy.get_data(as_text=True)
    assert "FK-" not in copy.get_data(as_text=True)  # the first sender's reference stays theirs
    assert _count(db, book, Feedback) == 1 and _count(db, book, LedgerEntry) == 1
    # Another link, or another text, is not a duplicate.
    assert (
        send(customer, book.slug, make_link(db, book.org), text="空调不制冷，报修三次").status_code
        == 302
    )
    assert send(customer, book.slug, token, text="空调修好了").status_code == 302


def test_bad_fields_are_answered_beside_the_field(app, db, book):
    token = make_link(db, book.org, employee_id=book.inside)
    customer = app.test_client()
    cases = (
        ({"text": "   "}, "Tell us what happened"),
        ({"text": "长" * 501}, "At most 500 characters"),
        ({"kind": "both"}, "Choose praise or complaint"),
        ({"kind": ""}, "Choose praise or complaint"),
        ({"category": "price"}, "Choose what it is about"),
        ({"phone": "12345"}, "mainland mobile number"),
        ({"phone": "010-6512 3456"}, "mainland mobile number"),
        ({"phone": "9" * 300}, "mainland mobile number"),
        ({"text": "a\x00b", "kind": "\x00"}, "Choose praise or complaint"),
    )
    for values, message in cases:
        response = send(customer, book.slug, token, **values)
        assert response.status_code == 400, values
        assert message in response.get_data(as_text=True), values
    assert _count(db, book, Feedback) == 0
    assert send(customer, book.slug, token, text="长" * 500).status_code == 302


def test_a_large_body_is_refused_unread(app, db, book):
    token = make_link(db, book.org, employee_id=book.inside)
    customer = app.test_client()
    fields = fill(customer, book.slug, token)
    response = customer.post(form_url(book.slug, token), data={**fields, "text": "x" * 40_000})
    assert response.status_code == 413 and "too long" in response.get_data(as_text=True)
    many = {**fields, **{f"f{n}": "1" for n in range(50)}}
    parts = customer.post(form_url(book.slug, token), data=many, content_type="multipart/form-data")
    assert parts.status_code == 413
    assert _count(db, book, Feedback) == 0


def test_markup_is_kept_as_text_and_escaped_wherever_shown(app, db, book):
    token = make_link(db, book.org, employee_id=book.inside)
    customer = app.test_client()
    markup = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    sent = send(customer, book.slug, token, text=markup)
    reference = reference_of(sent)
    entry = _entry(db, book, reference)
    assert markup in entry.note  # stored as typed
    status = customer.get(sent.headers["Location"]).get_data(as_text=True)
    assert "<script>alert" not in status and "onerror=alert" not in status
    admin = app.test_client()
    login(admin, book.org.tenant)
    for path in (f"entry/{entry.id}", f"employee/{book.inside}"):
        page = admin.get(book.url(path)).get_data(as_text=True)
        assert "&lt;script&gt;alert" in page and "<script>alert" not in page
        assert "<img src=x" not in page
    # The form shown again with an error escapes it too.
    again = send(customer, book.slug, token, text=markup, kind="").get_data(as_text=True)
    assert "&lt;script&gt;alert" in again and "<script>alert" not in again


# -- language -----------------------------------------------------------------------------------


def test_the_form_speaks_the_tenants_language_and_switches(app, db, make_tenant):
    book = make_book(db, lambda **kw: make_tenant(**{**kw, "locale": "zh_CN"}))
    token = make_link(db, book.org, employee_id=book.inside)
    customer = app.test_client()
    body = customer.get(form_url(book.slug, token)).get_data(as_text=True)
    assert "表扬" in body and "投诉" in body and "服务态度" in body and 'lang="zh-CN"' in body
    switch = customer.post(
        "/lang",
        data={
            "lang": "en",
            "next": form_url(book.slug, token),
            "csrf_token": hidden(body, "csrf_token"),
        },
    )
    assert switch.status_code == 302
    english = customer.get(form_url(book.slug, token)).get_data(as_text=True)
    assert "Praise" in english and "Complaint" in english and "Attitude" in english
    zh_tenant = send(app.test_client(), book.slug, token, kind="complaint", category="cleanliness")
    note = _entry(db, book, reference_of(zh_tenant)).note
    assert note.startswith("【环境卫生】")  # the ledger note is in the tenant's language


# -- the manager's to-do -----------------------------------------------------------------------


def test_the_manager_sees_the_pending_feedback_on_the_start_page(app, db, book):
    customer = app.test_client()
    reference = reference_of(
        send(customer, book.slug, make_link(db, book.org, employee_id=book.inside))
    )
    send(
        customer, book.slug, make_link(db, book.org, employee_id=book.outside)
    )  # not the manager's
    manager = app.test_client()
    login(manager, book.org.tenant, PASSWORD, book.email("manager"))
    home = manager.get(f"/t/{book.slug}/").get_data(as_text=True)
    assert "Customer feedback to handle" in home
    assert "source=customer" in home and "validity=pending" in home
    listed = manager.get(book.url("?source=customer&validity=pending")).get_data(as_text=True)
    assert "1 entry" in listed and "张三" in listed and "李四" not in listed
    committee = app.test_client()
    login(committee, book.org.tenant, PASSWORD, book.email("committee"))
    assert "Customer feedback to handle" in committee.get(f"/t/{book.slug}/").get_data(as_text=True)
    employee = app.test_client()
    login(employee, book.org.tenant, PASSWORD, book.email("employee"))
    assert "Customer feedback" not in employee.get(f"/t/{book.slug}/").get_data(as_text=True)
    # Decided: the to-do is gone.
    with db.tenant(book.schema) as session:
        ledger.decide(session, book.admin(), _entry(db, book, reference).id, "valid", "属实")
    assert "Customer feedback to handle" not in manager.get(f"/t/{book.slug}/").get_data(
        as_text=True
    )
