"""Statement PDF benchmark: Kaohe's render + sign path against stock WeasyPrint + pyHanko.

Baseline, per statement: a fresh WeasyPrint render (new font configuration, stylesheet parsed
from its file) and pyHanko's stock ``SimpleSigner.load`` from PEM files, signed with pyHanko's
default size estimate (a dry-run signature). Kaohe: ``render_pdf`` (shared fonts, cached
stylesheet) and ``sign_pdf`` (cached signer with the parsed key, fixed reservation).

Both sign the same sample statement HTML with the same EC P-256 tenant key, measured in this
run. Run from the repository root: ``.venv/bin/python bench/statements.py``.
"""

from __future__ import annotations

import datetime as dt
import io
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import weasyprint
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers

from saas.signing.authority import (
    KeyPair,
    _create_authority,
    encrypt_key,
    issue_tenant_certificate,
)
from saas.signing.pdf import (
    PDF_TEMPLATES_DIR,
    STATEMENT_CSS,
    harfbuzz_subset_available,
    render_pdf,
    sign_pdf,
)
from saas.signing.verify import verify_pdf
from saas.statements.sample import new_serial, sample_statement_html, verify_url

BATCH = 20
SINGLE_RUNS = 7
BATCH_RUNS = 3
PASSPHRASE = "bench-passphrase"
NAME = "港口粮食储运有限公司"


def _html() -> str:
    issued_at = dt.datetime.now(ZoneInfo("Asia/Shanghai"))
    serial = new_serial("harbour-grain", issued_at.date())
    return sample_statement_html(
        tenant_name=NAME,
        person_name="张晓明 Zhang Xiaoming",
        serial=serial,
        issued_at=issued_at,
        verification_url=verify_url("https://kaohe.example.cn", serial),
    )


def _write_pem_files(folder: Path, pair: KeyPair, ca: KeyPair) -> tuple[Path, Path, Path]:
    key, cert, chain = folder / "key.pem", folder / "cert.pem", folder / "ca.pem"
    key.write_bytes(encrypt_key(pair.key, PASSPHRASE))
    cert.write_bytes(pair.certificate.public_bytes(serialization.Encoding.PEM))
    chain.write_bytes(ca.certificate.public_bytes(serialization.Encoding.PEM))
    return key, cert, chain


def baseline(html: str, files: tuple[Path, Path, Path], stylesheet: Path = STATEMENT_CSS) -> bytes:
    pdf = weasyprint.HTML(string=html, base_url=PDF_TEMPLATES_DIR.as_uri() + "/").write_pdf(
        stylesheets=[str(stylesheet)]
    )
    key, cert, chain = files
    signer = signers.SimpleSigner.load(
        str(key), str(cert), ca_chain_files=(str(chain),), key_passphrase=PASSPHRASE.encode()
    )
    metadata = signers.PdfSignatureMetadata(
        field_name="Signature",
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        name=NAME,
        reason="bench",
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    return signers.sign_pdf(writer, metadata, signer=signer).getvalue()


def kaohe(html: str, pair: KeyPair, ca: KeyPair) -> bytes:
    pdf = render_pdf(html)
    return sign_pdf(pdf, pair, ca.certificate, signer_name=NAME, reason="bench")


def _timed(run: Callable[[], bytes]) -> tuple[float, float, bytes]:
    """Wall-clock and CPU seconds: on a shared machine the CPU figure is the steadier one."""
    wall, cpu = time.perf_counter(), time.process_time()
    out = run()
    return time.perf_counter() - wall, time.process_time() - cpu, out


def _interleaved(
    stock: Callable[[], bytes], ours: Callable[[], bytes], rounds: int, size: int
) -> tuple[list[tuple[float, float]], list[tuple[float, float]], bytes, bytes]:
    # Alternating the two keeps a burst of load from other processes from favouring one.
    stock_times, our_times, stock_pdf, our_pdf = [], [], b"", b""
    for _ in range(rounds):
        wall, cpu, stock_pdf = _timed(lambda: _repeat(stock, size))
        stock_times.append((wall, cpu))
        wall, cpu, our_pdf = _timed(lambda: _repeat(ours, size))
        our_times.append((wall, cpu))
    return stock_times, our_times, stock_pdf, our_pdf


def _repeat(run: Callable[[], bytes], times: int) -> bytes:
    out = b""
    for _ in range(times):
        out = run()
    return out


def _median(times: list[tuple[float, float]]) -> tuple[float, float]:
    return statistics.median(t[0] for t in times), statistics.median(t[1] for t in times)


def _report(label: str, stock: tuple[float, float], ours: tuple[float, float], n: int) -> None:
    for kind, index in (("wall", 0), ("cpu", 1)):
        print(
            f"{label} {kind:>4}: baseline {stock[index] / n * 1000:6.0f} ms/statement, "
            f"kaohe {ours[index] / n * 1000:6.0f} ms/statement, "
            f"ratio {stock[index] / ours[index]:.2f}x"
        )


def main() -> None:
    subsetting = harfbuzz_subset_available()
    print(f"WeasyPrint {weasyprint.__version__}; HarfBuzz subsetting: {subsetting}")
    ca = _create_authority()
    pair = issue_tenant_certificate(ca, "harbour-grain", NAME)
    html = _html()
    with tempfile.TemporaryDirectory() as folder:
        files = _write_pem_files(Path(folder), pair, ca)

        def stock() -> bytes:
            return baseline(html, files)

        def ours() -> bytes:
            return kaohe(html, pair, ca)

        cold_wall, _, _ = _timed(ours)  # first statement of a process: fonts, CSS, signer
        stock()  # the baseline's one-off import costs stay out of the measurement
        single = _interleaved(stock, ours, SINGLE_RUNS, 1)
        batch = _interleaved(stock, ours, BATCH_RUNS, BATCH)

    for label, pdf in (("baseline", single[2]), ("kaohe", single[3])):
        status = verify_pdf(pdf, ca.certificate).status
        print(f"{label:>9}: {len(pdf) / 1024:.0f} KB per statement, verifies as {status}")
    print(f"kaohe, first statement of a process: {cold_wall * 1000:.0f} ms")
    _report(f"single (median of {SINGLE_RUNS})", _median(single[0]), _median(single[1]), 1)
    _report(
        f"batch of {BATCH} (median of {BATCH_RUNS})", _median(batch[0]), _median(batch[1]), BATCH
    )


if __name__ == "__main__":
    main()
