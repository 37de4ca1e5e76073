"""Inspection report benchmark: Kaohe's render + sign of a 检查报告 against the bare WeasyPrint +
pyHanko baseline of bench/statements.py (a fresh WeasyPrint render with the stylesheet parsed
from its file, pyHanko's stock ``SimpleSigner.load`` from PEM files and its dry-run size
estimate), on the same report HTML and the same EC P-256 tenant key, measured in this run.

The report is the 外包保洁服务检查 checklist (14 items, four sections) with three photos as
thumbnails, two drawn signatures, notes and a not-applicable item, in Chinese. Prints the
size of each PDF, whether it verifies, and the ratio baseline ÷ Kaohe per document. Run from
the repository root: ``.venv/bin/python bench/inspection_report.py``.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import weasyprint
from PIL import Image, ImageDraw

from bench.statements import (
    _interleaved,
    _median,
    _report,
    _timed,
    _write_pem_files,
    baseline,
)
from saas.inspections.report import REPORT_CSS, ReportData, report_html, thumbnail
from saas.inspections.score import score
from saas.inspections.signatures import data_url, read
from saas.models.inspection import Inspection
from saas.schemes.templates import load_template
from saas.signing.authority import _create_authority, issue_tenant_certificate
from saas.signing.pdf import harfbuzz_subset_available, render_pdf, sign_pdf
from saas.signing.verify import verify_pdf

BATCH = 10
SINGLE_RUNS = 5
BATCH_RUNS = 3
NAME = "某某物业服务有限公司"


def _signature(wiggle: int) -> str:
    image = Image.new("RGBA", (700, 350), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    points = [(40 + step * 24, 175 + (wiggle if step % 2 else -wiggle)) for step in range(26)]
    pen.line(points, fill="black", width=5)
    out = io.BytesIO()
    image.save(out, "PNG")
    return data_url(read("data:image/png;base64," + base64.b64encode(out.getvalue()).decode()))


def _photo(color: str) -> bytes:
    image = Image.new("RGB", (2048, 1536), color)
    pen = ImageDraw.Draw(image)
    for x in range(0, 2048, 48):
        pen.line([(x, 0), (2048 - x, 1536)], fill=(200, 90, 40), width=6)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=82)
    return out.getvalue()


def report_data() -> ReportData:
    checklist = load_template("outsourced_cleaning")
    values: dict[str, object] = {}
    for _s, item in checklist.rated():
        values[item.key] = {
            "points": format(item.max.normalize(), "f"),
            "yes_no": True,
            "scale": "优",
            "deduction": "0",
        }[item.mode.value]
    values.update({"EN-07": "7", "EN-08": False, "EN-06": "良", "EN-09": "2", "FS-18": "n/a"})
    scored = score(checklist, values, dt.date(2026, 8, 3))
    inspection = Inspection(
        method="spot_check",
        unannounced=True,
        planned_on=dt.date(2026, 8, 3),
        status="done",
        values=values,
        notes={"EN-07": "三楼楼道角落有浮土，卫生间地面有积水。", "EN-08": "垃圾桶外有散落垃圾。"},
        score=scored.score,
        breakdown=scored.breakdown,
        done_at=dt.datetime(2026, 8, 3, 2, 30, tzinfo=dt.UTC),
        onsite_name="王保洁",
    )
    photos = {
        "EN-07": [thumbnail(_photo("gray")), thumbnail(_photo("white"))],
        "EN-08": [thumbnail(_photo("green"))],
    }
    return ReportData(
        tenant_name=NAME,
        locale="zh_CN",
        time_zone="Asia/Shanghai",
        serial="HARBOUR-GRAIN-20260803-0A1B2C3D4E",
        unit_name="某某绿化工程公司",
        checklist_name=checklist.name,
        inspector_name="李检查",
        inspection=inspection,
        checklist=checklist,
        photos=photos,
        inspector_signature=_signature(40),
        onsite_signature=_signature(60),
    )


def main() -> None:
    subsetting = harfbuzz_subset_available()
    print(f"WeasyPrint {weasyprint.__version__}; HarfBuzz subsetting: {subsetting}")
    ca = _create_authority()
    pair = issue_tenant_certificate(ca, "harbour-grain", NAME)
    html = report_html(report_data())
    with tempfile.TemporaryDirectory() as folder:
        files = _write_pem_files(Path(folder), pair, ca)

        def stock() -> bytes:
            return baseline(html, files, REPORT_CSS)

        def ours() -> bytes:
            pdf = render_pdf(html, stylesheets=(REPORT_CSS,))
            return sign_pdf(pdf, pair, ca.certificate, signer_name=NAME, reason="bench")

        cold_wall, _, _ = _timed(ours)  # first report of a process: fonts, CSS, signer
        stock()  # the baseline's one-off import costs stay out of the measurement
        single = _interleaved(stock, ours, SINGLE_RUNS, 1)
        batch = _interleaved(stock, ours, BATCH_RUNS, BATCH)

    for label, pdf in (("baseline", single[2]), ("kaohe", single[3])):
        status = verify_pdf(pdf, ca.certificate).status
        print(f"{label:>9}: {len(pdf) / 1024:.0f} KB per report, verifies as {status}")
    print(f"kaohe, first report of a process: {cold_wall * 1000:.0f} ms")
    _report(f"single (median of {SINGLE_RUNS})", _median(single[0]), _median(single[1]), 1)
    _report(
        f"batch of {BATCH} (median of {BATCH_RUNS})", _median(batch[0]), _median(batch[1]), BATCH
    )


if __name__ == "__main__":
    main()
