"""Statement PDFs end to end without a database: render Chinese HTML, sign with a tenant
certificate from a throwaway platform CA, and verify what comes back, tampered or not."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import random
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader

from saas.signing.authority import KeyPair, _create_authority, issue_tenant_certificate
from saas.signing.pdf import (
    _LocalOnlyFetcher,
    _signer_for,
    harfbuzz_subset_available,
    render_pdf,
    sign_pdf,
)
from saas.signing.verify import verify_pdf
from saas.statements.sample import (
    band_for,
    new_serial,
    sample_statement_html,
    serial_prefix,
    verify_url,
)

SLUG = "harbour-grain"
NAME = "港口粮食储运有限公司"


@pytest.fixture(scope="module")
def authority() -> KeyPair:
    return _create_authority()


@pytest.fixture(scope="module")
def tenant_pair(authority: KeyPair) -> KeyPair:
    return issue_tenant_certificate(authority, SLUG, NAME)


@pytest.fixture(scope="module")
def sample_html() -> str:
    issued_at = dt.datetime(2026, 7, 14, 10, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    serial = new_serial(SLUG, issued_at.date())
    return sample_statement_html(
        tenant_name=NAME,
        person_name="张晓明",
        serial=serial,
        issued_at=issued_at,
        verification_url=verify_url("https://kaohe.example.cn", serial),
    )


@pytest.fixture(scope="module")
def unsigned_pdf(sample_html: str) -> bytes:
    return render_pdf(sample_html)


@pytest.fixture(scope="module")
def signed_pdf(unsigned_pdf: bytes, tenant_pair: KeyPair, authority: KeyPair) -> bytes:
    return _sign(unsigned_pdf, tenant_pair, authority)


def _sign(pdf: bytes, pair: KeyPair, authority: KeyPair) -> bytes:
    return sign_pdf(
        pdf, pair, authority.certificate, signer_name=NAME, reason="考核结果单", location="港区"
    )


def _flip(data: bytes, index: int) -> bytes:
    return data[:index] + bytes([data[index] ^ 0x01]) + data[index + 1 :]


def _byte_range(signed: bytes) -> list[int]:
    match = re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", signed)
    assert match is not None
    return [int(v) for v in match.groups()]


def _font_names(pdf: bytes) -> set[str]:
    reader = PdfFileReader(io.BytesIO(pdf))
    names = set()
    for page in reader.root["/Pages"]["/Kids"]:
        for font in page.get_object()["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names


# -- rendering ---------------------------------------------------------------------------


def test_harfbuzz_subsetting_is_installed() -> None:
    # Without libharfbuzz-subset0 a Chinese statement takes ~20x longer to render.
    assert harfbuzz_subset_available()


def test_chinese_statement_embeds_only_noto_sans_cjk(unsigned_pdf: bytes) -> None:
    assert unsigned_pdf.startswith(b"%PDF-")
    names = _font_names(unsigned_pdf)
    assert names, "no fonts embedded"
    # Subset fonts are named "ABCDEF+Noto-Sans-CJK-SC[-Bold]"; a third family would mean
    # some text (SVG labels, typically) fell back to another font.
    assert all(re.fullmatch(r"/[A-Z]{6}\+Noto-Sans-CJK-SC(-Bold)?", n) for n in names), names


def test_sample_chart_names_its_font_on_every_svg_text(sample_html: str) -> None:
    texts = re.findall(r"<text\b[^>]*>", sample_html)
    assert texts
    assert all('font-family="Noto Sans CJK SC"' in t for t in texts)


def test_sample_is_labelled_as_sample(sample_html: str) -> None:
    assert "示例" in sample_html and "sample" in sample_html.lower()
    for section, maximum in (
        ("遵章守纪", 20),
        ("文明礼貌", 10),
        ("优质服务", 50),
        ("思想道德", 20),
    ):
        assert section in sample_html
        assert f">{maximum}<" in sample_html


def test_renderer_refuses_network_and_foreign_files() -> None:
    fetcher = _LocalOnlyFetcher()
    for url in ("http://169.254.169.254/latest/meta-data", "file:///etc/passwd", "ftp://x/y"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)


def test_hostile_names_are_escaped() -> None:
    html = sample_statement_html(
        tenant_name='<img src="http://evil/x">',
        person_name="<script>alert(1)</script>",
        serial="X-20260101-0000000000",
        issued_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        verification_url="https://kaohe.example.cn/verify?serial=X",
    )
    assert "<script>" not in html and '<img src="http://evil' not in html


# -- signing and verifying ---------------------------------------------------------------


def test_signed_statement_is_genuine(signed_pdf: bytes, authority: KeyPair) -> None:
    result = verify_pdf(signed_pdf, authority.certificate)
    assert result.status == "genuine"
    assert result.signer_slug == SLUG
    assert result.signer_organisation == NAME
    assert result.sha256 == hashlib.sha256(signed_pdf).hexdigest()
    assert result.signed_at is not None
    assert abs(dt.datetime.now(dt.UTC) - result.signed_at) < dt.timedelta(minutes=5)


def test_signer_is_built_once_per_certificate(tenant_pair: KeyPair, authority: KeyPair) -> None:
    first = _signer_for(tenant_pair, authority.certificate)
    assert _signer_for(tenant_pair, authority.certificate) is first


def test_batch_signatures_are_each_genuine(
    unsigned_pdf: bytes, tenant_pair: KeyPair, authority: KeyPair
) -> None:
    for _ in range(3):
        signed = _sign(unsigned_pdf, tenant_pair, authority)
        assert verify_pdf(signed, authority.certificate).status == "genuine"


def test_flipped_byte_in_the_middle_is_modified(signed_pdf: bytes, authority: KeyPair) -> None:
    tampered = _flip(signed_pdf, len(signed_pdf) // 2)
    assert verify_pdf(tampered, authority.certificate).status == "modified"


@pytest.mark.parametrize("fraction", [0.001, 0.25, 0.5, 0.9, 0.999])
def test_flipped_byte_in_signed_content_is_modified(
    signed_pdf: bytes, authority: KeyPair, fraction: float
) -> None:
    _, first_length, second_start, second_length = _byte_range(signed_pdf)
    covered = [*range(first_length), *range(second_start, second_start + second_length)]
    index = covered[int(fraction * (len(covered) - 1))]
    tampered = _flip(signed_pdf, index)
    assert verify_pdf(tampered, authority.certificate).status in {"modified", "unreadable"}
    assert verify_pdf(tampered, authority.certificate).status != "genuine"


def test_edited_signature_padding_is_modified(signed_pdf: bytes, authority: KeyPair) -> None:
    # The zero padding after the CMS blob is covered by no digest; it must still be pinned.
    _, _, second_start, _ = _byte_range(signed_pdf)
    index = second_start - 2  # the last hex digit before ">"
    assert signed_pdf[index : index + 1] == b"0"
    tampered = signed_pdf[:index] + b"1" + signed_pdf[index + 1 :]
    assert verify_pdf(tampered, authority.certificate).status == "modified"


def test_recased_signature_hex_is_modified(signed_pdf: bytes, authority: KeyPair) -> None:
    _, first_length, _, _ = _byte_range(signed_pdf)
    gap = signed_pdf[first_length : first_length + 200]
    index = first_length + next(i for i, c in enumerate(gap) if chr(c) in "ABCDEF")
    tampered = signed_pdf[:index] + signed_pdf[index : index + 1].lower() + signed_pdf[index + 1 :]
    assert verify_pdf(tampered, authority.certificate).status == "modified"


def test_appended_bytes_are_not_genuine(signed_pdf: bytes, authority: KeyPair) -> None:
    for suffix in (b"\n", b"%%EOF\n", b"\n% appended comment\n"):
        status = verify_pdf(signed_pdf + suffix, authority.certificate).status
        assert status in ("modified", "unreadable"), suffix


def test_incremental_update_after_signing_is_modified(
    signed_pdf: bytes, authority: KeyPair
) -> None:
    writer = IncrementalPdfFileWriter(io.BytesIO(signed_pdf))
    writer.root["/Lang"] = generic.TextStringObject("en")
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    assert len(out.getvalue()) > len(signed_pdf)
    assert verify_pdf(out.getvalue(), authority.certificate).status == "modified"


def test_truncated_file_is_unreadable(signed_pdf: bytes, authority: KeyPair) -> None:
    assert verify_pdf(signed_pdf[:-200], authority.certificate).status == "unreadable"


def test_unsigned_pdf_is_unsigned(unsigned_pdf: bytes, authority: KeyPair) -> None:
    result = verify_pdf(unsigned_pdf, authority.certificate)
    assert result.status == "unsigned"
    assert result.signer_slug is None


def test_pdf_signed_under_another_ca_is_foreign(unsigned_pdf: bytes, authority: KeyPair) -> None:
    other_ca = _create_authority()
    impostor = issue_tenant_certificate(other_ca, SLUG, NAME)
    signed = _sign(unsigned_pdf, impostor, other_ca)
    result = verify_pdf(signed, authority.certificate)
    assert result.status == "foreign"
    assert result.signer_slug is None  # an untrusted certificate's names mean nothing


def test_garbage_gets_a_clean_answer(authority: KeyPair) -> None:
    rng = random.Random(20260714)
    samples = [b"", b"%PDF-1.7\n", b"%PDF-1.7\n%%EOF", b"\x00" * 64]
    samples += [rng.randbytes(rng.randint(1, 4096)) for _ in range(25)]
    for data in samples:
        result = verify_pdf(data, authority.certificate)
        assert result.status == "unreadable"
        assert result.sha256 == hashlib.sha256(data).hexdigest()


def test_garbage_with_signature_markers_is_unreadable(authority: KeyPair) -> None:
    data = b"%PDF-1.7\n/ByteRange [0 1 2 3] /SubFilter /ETSI.CAdES.detached <00ff>"
    assert verify_pdf(data, authority.certificate).status == "unreadable"


# -- serials and bands -------------------------------------------------------------------


def test_serial_fits_the_column_for_the_longest_slug() -> None:
    slug = "a" * 19 + "-" + "b" * 20
    serial = new_serial(slug, dt.date(2026, 7, 14))
    assert len(serial) <= 40
    assert re.fullmatch(r"A{19}-20260714-[0-9A-F]{10}", serial)
    assert serial_prefix(slug) == "A" * 19


def test_serials_are_random() -> None:
    serials = {new_serial(SLUG, dt.date(2026, 7, 14)) for _ in range(200)}
    assert len(serials) == 200
    assert all(s.startswith("HARBOUR-GRAIN-20260714-") for s in serials)


@pytest.mark.parametrize(
    ("score", "label"),
    [
        ("100", "最佳微笑奖"),
        ("95", "最佳微笑奖"),
        ("94.5", "微笑大使奖"),
        ("85", "微笑风采奖"),
        ("84.9", "未获奖"),
        ("80", "未获奖"),
        ("79.9", "待培训"),
        ("0", "待培训"),
    ],
)
def test_reference_bands_are_thresholds(score: str, label: str) -> None:
    assert band_for(Decimal(score)).label_zh == label
