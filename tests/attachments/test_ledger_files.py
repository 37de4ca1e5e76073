"""Photos and scans on ledger entries, through the pages: what is kept, what is refused (each
with its message, 400, nothing stored), who may read a file, and how it is served."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from PIL import Image
from sqlalchemy import func, select

from saas.attachments.files import MAX_UPLOAD_BYTES
from saas.attachments.service import MAX_PER_RECORD
from saas.attachments.words import MAX_AT_ONCE, MAX_REQUEST_BYTES
from saas.ledger import service
from saas.models.attachment import Attachment
from saas.models.audit import AuditEntry
from saas.models.ledger import LedgerEntry
from tests.attachments import samples
from tests.conftest import csrf_token, login
from tests.ledger.conftest import make_book
from tests.org.conftest import PASSWORD

DAY = dt.date(2026, 8, 3)


def _as(client, book, role: str) -> str:
    if role == "admin":
        login(client, book.org.tenant)
    else:
        login(client, book.org.tenant, PASSWORD, book.email(role))
    return csrf_token(client, f"/t/{book.slug}/")


def _entry(db, book, employee: int) -> int:
    with db.tenant(book.schema) as session:
        return service.add_entry(
            session, book.admin(), employee_id=employee, on=DAY, event="company_complaint"
        ).id


def _send(client, book, entry_id: int, csrf: str, *files: tuple[bytes, str]):
    return client.post(
        book.url(f"entry/{entry_id}/files"),
        data={"csrf_token": csrf, "file": [(io.BytesIO(d), n) for d, n in files]},
        content_type="multipart/form-data",
    )


def _files(db, book) -> list[Attachment]:
    with db.tenant(book.schema) as session:
        return list(session.scalars(select(Attachment).order_by(Attachment.id)))


def test_a_photo_sent_through_the_page_is_served_clean(client, db, book):
    entry = _entry(db, book, book.inside)
    csrf = _as(client, book, "admin")
    sent = _send(client, book, entry, csrf, (samples.jpeg_with_exif(), "现场.jpg"))
    assert sent.status_code == 302 and sent.headers["Location"].endswith("#files")
    (kept,) = _files(db, book)
    assert (kept.name, kept.content_type, kept.width, kept.height) == (
        "现场.jpg",
        "image/jpeg",
        20,
        40,
    )
    served = client.get(f"/t/{book.slug}/attachments/{kept.id}")
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    image = Image.open(io.BytesIO(served.data))
    assert dict(image.getexif()) == {} and "exif" not in image.info  # no GPS, no camera
    assert image.size == (20, 40)  # the orientation is in the pixels
    assert b"KaoheCam" not in served.data
    # How it is served: never sniffed, never run as a page, private.
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in served.headers["Content-Security-Policy"]
    assert "default-src 'none'" in served.headers["Content-Security-Policy"]
    assert served.headers["Cache-Control"] == "private, no-cache"
    download = client.get(f"/t/{book.slug}/attachments/{kept.id}?download=1")
    assert "attachment" in download.headers["Content-Disposition"]
    # The entry's page shows it as a thumbnail; the list and the timeline count it.
    page = client.get(book.url(f"entry/{entry}")).get_data(as_text=True)
    assert f'src="/t/{book.slug}/attachments/{kept.id}"' in page and "Evidence" in page
    assert "1 file" in client.get(book.url(f"employee/{book.inside}")).get_data(as_text=True)
    assert "1 file" in client.get(book.url()).get_data(as_text=True)
    with db.tenant(book.schema) as session:
        audit = session.scalar(select(AuditEntry).where(AuditEntry.action == "ledger.entry.attach"))
        assert audit.record_id == str(entry) and audit.after["file"] == "现场.jpg"


def test_a_transparent_png_stays_png_and_a_pdf_is_a_link(client, db, book):
    entry = _entry(db, book, book.inside)
    csrf = _as(client, book, "admin")
    sent = _send(
        client,
        book,
        entry,
        csrf,
        (samples.transparent_png(), "logo.png"),
        (samples.pdf(), "投诉信.pdf"),
    )
    assert sent.status_code == 302
    png, scan = _files(db, book)
    assert png.content_type == "image/png" and scan.content_type == "application/pdf"
    served = client.get(f"/t/{book.slug}/attachments/{png.id}")
    image = Image.open(io.BytesIO(served.data))
    assert image.format == "PNG" and image.mode == "RGBA" and image.getpixel((1, 1))[3] == 0
    page = client.get(book.url(f"entry/{entry}")).get_data(as_text=True)
    assert f'href="/t/{book.slug}/attachments/{scan.id}"' in page and "投诉信.pdf" in page
    assert "PDF · " in page and "2 files" in client.get(book.url()).get_data(as_text=True)


REFUSED = [
    (samples.HTML, "photo.jpg", "Only photos"),
    (samples.SVG, "photo.jpg", "Only photos"),
    (samples.zip_bytes(), "photo.jpg", "Only photos"),
    (samples.SCRIPTED_PDF, "letter.pdf", "scripts, actions or embedded files"),
    (samples.bomb_png(), "huge.png", "more than 50 million pixels"),
    (b"\xff\xd8\xff" + b"\x00" * MAX_UPLOAD_BYTES, "big.jpg", "larger than 10 MB"),
    (samples.cut_png(), "cut.png", "damaged or incomplete"),
    (b"", "empty.jpg", "The file is empty."),
]


@pytest.mark.parametrize(
    ("data", "name", "said"),
    REFUSED,
    ids=["html", "svg", "zip", "js-pdf", "bomb", "oversize", "cut", "empty"],
)
def test_refused_files_are_named_and_nothing_is_kept(client, db, book, data, name, said):
    entry = _entry(db, book, book.inside)
    csrf = _as(client, book, "admin")
    # A good photo first: a refused file refuses the whole request.
    refused = _send(client, book, entry, csrf, (samples.plain_png(), "ok.png"), (data, name))
    assert refused.status_code == 400
    body = refused.get_data(as_text=True)
    assert said in body and "field-error" in body and f"{name}: " in body
    assert _files(db, book) == []


def test_too_many_files(client, db, book):
    entry = _entry(db, book, book.inside)
    csrf = _as(client, book, "admin")
    many = [(samples.plain_png(), f"{n}.png") for n in range(MAX_AT_ONCE + 1)]
    refused = _send(client, book, entry, csrf, *many)
    assert refused.status_code == 400 and "Too many files" in refused.get_data(as_text=True)
    assert _files(db, book) == []
    for _ in range(MAX_PER_RECORD // MAX_AT_ONCE):
        assert _send(client, book, entry, csrf, *many[:MAX_AT_ONCE]).status_code == 302
    assert len(_files(db, book)) == MAX_PER_RECORD
    one_more = _send(client, book, entry, csrf, (samples.plain_png(), "13.png"))
    assert one_more.status_code == 400 and "Too many files" in one_more.get_data(as_text=True)
    nothing = _send(client, book, entry, csrf)
    assert nothing.status_code == 400 and "Choose a photo" in nothing.get_data(as_text=True)


def test_a_request_past_its_bound_is_refused_before_it_is_read(client, db, book):
    entry = _entry(db, book, book.inside)
    csrf = _as(client, book, "admin")
    chunk = b"\x00" * (MAX_REQUEST_BYTES // 4)
    refused = _send(client, book, entry, csrf, *[(chunk, f"{n}.jpg") for n in range(5)])
    assert refused.status_code == 413
    assert "larger than 40 MB" in refused.get_data(as_text=True)
    new = client.post(
        book.url("new"),
        data={"csrf_token": csrf, "file": [(io.BytesIO(chunk), f"{n}.jpg") for n in range(5)]},
        content_type="multipart/form-data",
    )
    assert new.status_code == 413 and "larger than 40 MB" in new.get_data(as_text=True)
    # Elsewhere the app's own bound holds: 10 MB.
    import_page = client.post(
        book.url("import"),
        data={"csrf_token": csrf, "file": (io.BytesIO(chunk), "big.xlsx")},
        content_type="multipart/form-data",
    )
    assert import_page.status_code == 413
    assert "larger than 2 MB" in import_page.get_data(as_text=True)


def _count_entries(db, book) -> int:
    with db.tenant(book.schema) as session:
        return session.scalar(select(func.count()).select_from(LedgerEntry))


def test_the_add_form_keeps_the_entry_and_its_files_together(client, db, book):
    csrf = _as(client, book, "admin")
    form = {
        "csrf_token": csrf,
        "employee_number": "L-IN",
        "on": "2026-08-03",
        "event": "praise_letter",
        "source": "customer",
    }
    bad = client.post(
        book.url("new"),
        data={
            **form,
            "file": [
                (io.BytesIO(samples.jpeg_with_exif()), "锦旗.jpg"),
                (io.BytesIO(samples.SVG), "x.jpg"),
            ],
        },
        content_type="multipart/form-data",
    )
    assert bad.status_code == 400 and "x.jpg: Only photos" in bad.get_data(as_text=True)
    assert _count_entries(db, book) == 0 and _files(db, book) == []
    # A bad field and a file: the entry's problem is shown, and the files must be sent again.
    no_date = client.post(
        book.url("new"),
        data={**form, "on": "", "file": (io.BytesIO(samples.plain_png()), "a.png")},
        content_type="multipart/form-data",
    )
    assert no_date.status_code == 400
    assert "choose the files again" in no_date.get_data(as_text=True)
    assert _count_entries(db, book) == 0 and _files(db, book) == []
    good = client.post(
        book.url("new"),
        data={**form, "file": (io.BytesIO(samples.jpeg_with_exif()), "锦旗.jpg")},
        content_type="multipart/form-data",
    )
    assert good.status_code == 302
    (kept,) = _files(db, book)
    assert _count_entries(db, book) == 1 and kept.name == "锦旗.jpg"


def test_who_may_read_and_add_files(app, client, db, make_tenant, book):
    inside, outside = _entry(db, book, book.inside), _entry(db, book, book.outside)
    csrf = _as(client, book, "admin")
    assert _send(client, book, inside, csrf, (samples.plain_png(), "in.png")).status_code == 302
    assert _send(client, book, outside, csrf, (samples.pdf(), "out.pdf")).status_code == 302
    in_file, out_file = (f.id for f in _files(db, book))
    show = f"/t/{book.slug}/attachments/"
    # Anonymous: to the login page.
    anonymous = app.test_client().get(f"{show}{in_file}")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    # The manager reads and adds within their units only: outside is not found.
    csrf = _as(client, book, "manager")
    assert client.get(f"{show}{in_file}").status_code == 200
    assert client.get(f"{show}{out_file}").status_code == 404
    assert _send(client, book, inside, csrf, (samples.plain_png(), "m.png")).status_code == 302
    assert _send(client, book, outside, csrf, (samples.plain_png(), "m.png")).status_code == 404
    # The employee does not read the ledger, their own entry's files included.
    csrf = _as(client, book, "employee")
    assert client.get(f"{show}{in_file}").status_code == 404
    assert _send(client, book, inside, csrf, (samples.plain_png(), "e.png")).status_code == 403
    # The committee reads everything but adds nothing.
    csrf = _as(client, book, "committee")
    assert client.get(f"{show}{out_file}").status_code == 200
    assert _send(client, book, outside, csrf, (samples.plain_png(), "c.png")).status_code == 403
    assert "Add the files" not in client.get(book.url(f"entry/{outside}")).get_data(as_text=True)
    # A withdrawn entry's files stay readable to its readers; it takes no new file.
    csrf = _as(client, book, "admin")
    withdrawn = client.post(
        book.url(f"entry/{inside}/withdraw"), data={"csrf_token": csrf, "withdraw_reason": "录错"}
    )
    assert withdrawn.status_code == 302
    assert client.get(f"{show}{in_file}").status_code == 200
    page = client.get(book.url(f"entry/{inside}")).get_data(as_text=True)
    assert f"{show}{in_file}" in page and "Add the files" not in page
    assert _send(client, book, inside, csrf, (samples.plain_png(), "w.png")).status_code == 403
    # Another tenant's admin: the ids find nothing under their own address.
    other = make_book(db, make_tenant)
    csrf = _as(client, other, "admin")
    assert client.get(f"/t/{other.slug}/attachments/{in_file}").status_code == 404
    assert client.get(f"/t/{other.slug}/attachments/{out_file}").status_code == 404
    assert _send(client, other, inside, csrf, (samples.plain_png(), "o.png")).status_code == 404
    assert client.get(f"{show}{in_file}").status_code == 302  # not their tenant: log in
