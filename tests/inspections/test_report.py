"""The inspection report: made after the finish by a real worker, signed with the tenant's key
(pyHanko says genuine), its words in the tenant's language, its numbers as pdftotext reads
them, small with photos, made once however often it is asked for, and downloaded only by
those who see the inspection."""

from __future__ import annotations

import shutil
import subprocess
import time

import pytest
from sqlalchemy import select

from saas.inspections import service
from saas.inspections.checklists import checklist_of
from saas.inspections.report import issue_report
from saas.inspections.service import ItemInput
from saas.models.attachment import AttachmentOwner
from saas.models.inspection import Inspection
from saas.signing.authority import authority_certificate
from saas.signing.verify import verify_pdf
from tests.inspections.conftest import TODAY, drawn, full_marks, make_site, photo_bytes, plan
from workers.runtime import tenant_context

MAX_REPORT_BYTES = 300 * 1024


def _done(db, site, unit: str = "WB-LH", **options) -> int:
    """An inspection of 外包保洁服务检查 finished with the values of the hand computation in
    test_service (85.26), three photos and a note."""
    from saas.attachments import service as attachments

    inspection_id = plan(db, site, unit, **options)
    with db.tenant(site.schema) as session:
        actor = site.actor(session, "inspector")
        inspection = session.get(Inspection, inspection_id)
        checklist = checklist_of(session, inspection.version_id)
        values = {
            **full_marks(checklist),
            "EN-07": "7",
            "EN-08": False,
            "EN-06": "良",
            "EN-09": "2",
            "FS-18": "n/a",
        }
        for key, value in values.items():
            raw = {True: "yes", False: "no"}.get(value, value) if isinstance(value, bool) else value
            note = "楼道角落有垃圾未清" if key == "EN-08" else None
            service.save_item(
                session, actor, inspection, checklist, key, ItemInput(str(raw), note=note)
            )
        for key, color in (("EN-07", "gray"), ("EN-07", "white"), ("EN-08", "green")):
            attachments.add(
                session,
                actor,
                AttachmentOwner.INSPECTION,
                inspection_id,
                photo_bytes(color, (3000, 2000)),
                "p.jpg",
                key,
            )
        service.finish(
            session,
            actor,
            inspection,
            checklist,
            inspector_signature=drawn(),
            onsite_signature=drawn(),
            onsite_name="王保洁",
            today=TODAY,
        )
    return inspection_id


def _pdf(db, site, inspection_id: int) -> tuple[bytes, str]:
    with db.tenant(site.schema) as session:
        row = session.execute(
            select(Inspection.report, Inspection.report_serial).where(
                Inspection.id == inspection_id
            )
        ).one()
    return row[0], row[1]


def _text(pdf: bytes) -> str:
    assert shutil.which("pdftotext"), "pdftotext (poppler-utils) is needed"
    done = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return done.stdout.decode()


@pytest.fixture
def zh_site(db, make_tenant):
    return make_site(db, lambda **kw: make_tenant(**{**kw, "locale": "zh_CN"}))


def test_the_report_is_signed_in_chinese_with_its_numbers(db, settings, zh_site):
    site = zh_site
    inspection_id = _done(db, site, method="spot_check", unannounced=True)
    ctx = tenant_context(site.slug, settings)
    serial = issue_report(ctx, inspection_id)
    pdf, stored_serial = _pdf(db, site, inspection_id)
    assert serial == stored_serial and serial.startswith(site.slug.upper()[:20])
    with db.public() as public:
        ca = authority_certificate(public)
    verdict = verify_pdf(pdf, ca)
    assert verdict.status == "genuine" and verdict.signer_slug == site.slug
    assert len(pdf) <= MAX_REPORT_BYTES, len(pdf)
    words = "".join(_text(pdf).split())  # pdftotext spaces columns as it likes
    for expected in (
        "检查报告",
        "85.26/100",
        "良好",
        "某某绿化工程公司",
        "外包保洁服务检查",
        "抽查·不预先通知",
        "王保洁",
        "楼道角落有垃圾未清",
        "不合格项：4·不适用：1",
        "得分=实得分×100÷95",
        "保洁质量25/35",
        "7/10",
        "不合格0/5",
        "2次6/10",
        serial,
    ):
        assert expected in words, (expected, words)
    # Asked for again (a retry, a second click): the same report.
    assert issue_report(ctx, inspection_id) == serial
    assert _pdf(db, site, inspection_id)[0] == pdf


def test_an_english_tenant_gets_an_english_report(db, settings, site):
    inspection_id = _done(db, site)
    issue_report(tenant_context(site.slug, settings), inspection_id)
    words = _text(_pdf(db, site, inspection_id)[0])
    assert "Inspection report" in words and "Failed items: 4" in words and "85.26" in words
    assert "Page 1 of 2" in words


def test_no_report_for_an_inspection_not_done(db, settings, site):
    inspection_id = plan(db, site)
    assert issue_report(tenant_context(site.slug, settings), inspection_id) is None
    assert _pdf(db, site, inspection_id) == (None, None)


def test_the_worker_makes_it_after_the_finish_and_readers_download_it(app, db, worker, site):
    """Finished through the page: the job queued then is run by a real worker."""
    inspection_id = plan(db, site)
    with db.tenant(site.schema) as session:
        checklist = checklist_of(session, session.get(Inspection, inspection_id).version_id)
        actor = site.actor(session, "inspector")
        inspection = session.get(Inspection, inspection_id)
        for key, value in full_marks(checklist).items():
            raw = "yes" if value is True else value
            service.save_item(session, actor, inspection, checklist, key, ItemInput(str(raw)))
    client = app.test_client()
    csrf = site.log_in(client, "inspector")
    finished = client.post(
        site.url(f"{inspection_id}/finish"),
        data={
            "csrf_token": csrf,
            "inspector_signature": drawn(),
            "onsite_signature": drawn(),
            "onsite_name": "王保洁",
        },
    )
    assert finished.status_code == 302
    deadline = time.monotonic() + 90
    while _pdf(db, site, inspection_id)[0] is None:
        assert time.monotonic() < deadline, "the worker did not make the report"
        time.sleep(0.5)
    page = client.get(site.url(str(inspection_id))).get_data(as_text=True)
    assert "Inspection report (PDF)" in page
    download = client.get(site.url(f"{inspection_id}/report"))
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    assert download.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    for who, expected in (("greening", 200), ("security", 404), ("bj_manager", 404)):
        other = app.test_client()
        site.log_in(other, who)
        assert other.get(site.url(f"{inspection_id}/report")).status_code == expected, who
