"""Managing the links (feedback.links): the units in reach, a unit's page, making, renewing
and revoking a link (audited), who may do it (a manager only in their subtree, nobody else,
no other tenant), and the printed cards: their text, and their QR codes opening the forms."""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import zxingcpp
from PIL import Image
from sqlalchemy import select

from saas.models.audit import AuditEntry
from saas.models.feedback import FeedbackLink
from tests.conftest import csrf_token, login
from tests.feedback.conftest import make_link
from tests.ledger.conftest import make_book
from tests.org.conftest import PASSWORD

HTMX = {"HX-Request": "true", "HX-Target": "print-job"}
LINK = re.compile(r"http://[^\s<\"]+/t/[a-z0-9-]+/feedback/[A-Za-z0-9_-]{43}")


def _as(app, book, role: str = "admin"):
    client = app.test_client()
    if role == "admin":
        login(client, book.org.tenant)
    else:
        login(client, book.org.tenant, PASSWORD, book.email(role))
    return client, csrf_token(client, f"/t/{book.slug}/")


def _url(book, path: str = "") -> str:
    return f"/t/{book.slug}/feedback/links/{path}"


def _post(client, csrf, url, **data):
    return client.post(url, data={"csrf_token": csrf, **data})


def _links(db, book) -> list[FeedbackLink]:
    with db.tenant(book.schema) as session:
        found = list(session.scalars(select(FeedbackLink).order_by(FeedbackLink.id)))
        session.expunge_all()
        return found


def test_make_renew_and_revoke_a_link(app, db, book):
    admin, csrf = _as(app, book)
    gc = book.org.ids["GC"]
    units = admin.get(_url(book)).get_data(as_text=True)
    assert "工程维修部" in units and "0 of 2 people have a code" in units
    page = admin.get(_url(book, f"unit/{gc}")).get_data(as_text=True)
    assert "张三" in page and "王经理" in page and "李四" not in page and "No link" in page
    made = _post(admin, csrf, _url(book, f"unit/{gc}/make"), subject=str(book.inside))
    body = made.get_data(as_text=True)
    assert made.status_code == 200 and "New link for 张三" in body and "<svg" in body
    assert made.headers["Cache-Control"] == "no-store"
    first = urlsplit(LINK.search(body).group(0)).path
    assert app.test_client().get(first).status_code == 200
    # Only one working link a subject: making another is refused beside the list.
    again = _post(admin, csrf, _url(book, f"unit/{gc}/make"), subject=str(book.inside))
    assert again.status_code == 400 and "already has a working link" in again.get_data(as_text=True)
    renewed = _post(admin, csrf, _url(book, f"unit/{gc}/renew"), subject=str(book.inside))
    second = urlsplit(LINK.search(renewed.get_data(as_text=True)).group(0)).path
    assert second != first
    assert app.test_client().get(first).status_code == 410
    assert app.test_client().get(second).status_code == 200
    revoked = _post(admin, csrf, _url(book, f"unit/{gc}/revoke"), subject=str(book.inside))
    assert revoked.status_code == 302
    assert app.test_client().get(second).status_code == 410
    assert "was revoked" in admin.get(revoked.headers["Location"]).get_data(as_text=True)
    # The unit's own link, for its table tent.
    unit = _post(admin, csrf, _url(book, f"unit/{gc}/make"), subject="unit")
    assert "New link for 工程维修部" in unit.get_data(as_text=True)
    links = _links(db, book)
    assert [(link.kind, link.revoked_at is None) for link in links] == [
        ("employee", False),
        ("employee", False),
        ("unit", True),
    ]
    assert all(len(link.token_hash) == 64 for link in links)
    # Only digests are stored: the page's token is nowhere in the table.
    assert all(second.rsplit("/", 1)[1] not in link.token_hash for link in links)
    with db.tenant(book.schema) as session:
        actions = session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.record_type == "feedback_link")
            .order_by(AuditEntry.id)
        ).all()
    assert actions == [
        "feedback.link.make",
        "feedback.link.revoke",
        "feedback.link.make",
        "feedback.link.revoke",
        "feedback.link.make",
    ]


def test_bad_subjects_are_refused_on_the_page(app, db, book):
    admin, csrf = _as(app, book)
    gc = book.org.ids["GC"]
    for subject in ("", "x", "²", "99999999999", str(book.outside), "-1"):
        response = _post(admin, csrf, _url(book, f"unit/{gc}/make"), subject=subject)
        assert response.status_code == 400, subject
        assert "Choose a person of this unit" in response.get_data(as_text=True)
    none = _post(admin, csrf, _url(book, f"unit/{gc}/revoke"), subject=str(book.inside))
    assert none.status_code == 400 and "has no working link" in none.get_data(as_text=True)
    assert _links(db, book) == []


def test_a_manager_reaches_only_their_units(app, db, book):
    manager, csrf = _as(app, book, "manager")
    gc, outside = book.org.ids["GC"], book.org.ids["ZH-XZ"]
    units = manager.get(_url(book)).get_data(as_text=True)
    assert "工程维修部" in units and "行政" not in units
    assert manager.get(_url(book, f"unit/{gc}")).status_code == 200
    assert manager.get(_url(book, f"unit/{book.org.ids['GC-SD']}")).status_code == 200
    assert manager.get(_url(book, f"unit/{outside}")).status_code == 404
    for action in ("make", "renew", "revoke", "print"):
        response = _post(
            manager, csrf, _url(book, f"unit/{outside}/{action}"), subject="unit", chosen="unit"
        )
        assert response.status_code == 404, action
    # Their own badge is theirs to make too.
    mine = _post(manager, csrf, _url(book, f"unit/{gc}/make"), subject=str(book.manager))
    assert mine.status_code == 200
    assert _links(db, book)[0].created_by == book.users["manager"]


@pytest.mark.parametrize("role", ["employee", "committee", "inspector"])
def test_roles_without_the_right_are_refused(app, db, book, role):
    client, csrf = _as(app, book, role)
    gc = book.org.ids["GC"]
    assert client.get(_url(book)).status_code == 403
    assert client.get(_url(book, f"unit/{gc}")).status_code == 403
    assert _post(client, csrf, _url(book, f"unit/{gc}/make"), subject="unit").status_code == 403
    assert "Feedback codes" not in client.get(f"/t/{book.slug}/").get_data(as_text=True)


def test_another_tenant_reaches_nothing(app, db, book, make_tenant):
    other = make_book(db, make_tenant)
    intruder, csrf = _as(app, other)
    gc = book.org.ids["GC"]
    # The other tenant's login does not open this tenant's pages (the same unit id exists
    # there: its own unit, not this one).
    for path in ("", f"unit/{gc}"):
        response = intruder.get(_url(book, path))
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    response = _post(intruder, csrf, _url(book, f"unit/{gc}/make"), subject="unit")
    assert response.status_code in (302, 400)
    assert _links(db, book) == []
    anonymous = app.test_client()
    assert anonymous.get(_url(book, f"unit/{gc}")).status_code == 302


# -- printing -----------------------------------------------------------------------------------


def _pdf_text(pdf: bytes, folder: Path) -> str:
    path = folder / "cards.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def _qr_links(pdf: bytes, folder: Path) -> list[str]:
    path = folder / "cards.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(path), str(folder / "page")], check=True)
    found = []
    for image in sorted(folder.glob("page-*.png")):
        found += [code.text for code in zxingcpp.read_barcodes(Image.open(image))]
    return found


def _wait_for_pdf(client, book, job_id: str, timeout: float = 120) -> tuple[bytes, str]:
    deadline = time.monotonic() + timeout
    while True:
        status = client.get(f"/t/{book.slug}/jobs/{job_id}")
        assert status.status_code == 200
        body = status.get_data(as_text=True)
        if "/cards/" in body:
            break
        assert "job-failed" not in body and time.monotonic() < deadline, body
        time.sleep(0.3)
    pdf_path = re.search(r'href="([^"]+/cards/[^"]+\.pdf)"', body).group(1)
    response = client.get(pdf_path)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    return response.data, pdf_path


def test_printed_cards_and_tent_open_their_forms(app, db, book, worker, tmp_path):
    admin, csrf = _as(app, book)
    gc = book.org.ids["GC"]
    # 王经理 already has a link: not ticked, so not printed, and it keeps working.
    kept = make_link(db, book.org, employee_id=book.manager)
    page = admin.get(_url(book, f"unit/{gc}")).get_data(as_text=True)
    assert re.search(rf'name="chosen" value="{book.inside}" checked', page)
    assert re.search(rf'name="chosen" value="{book.manager}">', page)
    started = admin.post(
        _url(book, f"unit/{gc}/print"),
        data={"csrf_token": csrf, "chosen": ["unit", str(book.inside), str(book.outside)]},
        headers=HTMX,
    )
    assert started.status_code == 200 and "<progress" in started.get_data(as_text=True)
    job_id = re.search(r'data-job-id="([^"]+)"', started.get_data(as_text=True)).group(1)
    pdf, pdf_path = _wait_for_pdf(admin, book, job_id)
    text = _pdf_text(pdf, tmp_path)
    assert "张三" in text and "Scan to rate my service" in text
    assert "Scan to rate our service" in text and "工程维修部" in text
    assert "李四" not in text and "王经理" not in text  # another unit's; not ticked
    urls = _qr_links(pdf, tmp_path)
    assert len(urls) == 3  # one card, the tent's two faces
    paths = {urlsplit(url).path for url in urls}
    assert len(paths) == 2
    opened = {}
    for path in paths:
        form = app.test_client().get(path)
        assert form.status_code == 200
        opened["张三" if "张三" in form.get_data(as_text=True) else "tent"] = path
    assert set(opened) == {"张三", "tent"}
    assert app.test_client().get(f"/t/{book.slug}/feedback/{kept}").status_code == 200
    links = _links(db, book)
    assert sum(link.revoked_at is None for link in links) == 3
    # Printing again renews what is ticked: the first card stops working.
    again = admin.post(
        _url(book, f"unit/{gc}/print"),
        data={"csrf_token": csrf, "chosen": [str(book.inside)]},
        headers=HTMX,
    )
    second_job = re.search(r'data-job-id="([^"]+)"', again.get_data(as_text=True)).group(1)
    _wait_for_pdf(admin, book, second_job)
    assert app.test_client().get(opened["张三"]).status_code == 410
    assert app.test_client().get(opened["tent"]).status_code == 200
    # The PDF is its maker's only: the manager (who may print too) cannot fetch it.
    manager, _ = _as(app, book, "manager")
    assert manager.get(pdf_path).status_code == 404


def test_print_refuses_nothing_ticked_and_too_many(app, db, book):
    admin, csrf = _as(app, book)
    gc = book.org.ids["GC"]
    nothing = admin.post(_url(book, f"unit/{gc}/print"), data={"csrf_token": csrf}, headers=HTMX)
    assert nothing.status_code == 400 and "Tick the cards" in nothing.get_data(as_text=True)
    many = [str(n) for n in range(1, 400)]
    response = admin.post(_url(book, f"unit/{gc}/print"), data={"csrf_token": csrf, "chosen": many})
    assert response.status_code == 400 and "At most 300 cards" in response.get_data(as_text=True)
    assert admin.get(_url(book, "cards/no-such-job.pdf")).status_code == 404
