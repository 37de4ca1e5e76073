"""Statement PDFs: render HTML with WeasyPrint, sign with pyHanko (PAdES), verify uploads.

Pure functions: no Flask, no database. The fonts, stylesheets and signers they need are built
once per process and reused, because a batch of statements must not pay for them each time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlparse
from urllib.request import url2pathname

import weasyprint
from asn1crypto import cms as asn1_cms
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.general import get_pyca_cryptography_hash
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.status import PdfSignatureStatus, SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore
from weasyprint.pdf import fonts as _weasy_pdf_fonts
from weasyprint.text import ffi as _weasy_ffi
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from saas.rendering import TEMPLATES_DIR
from saas.signing.authority import KeyPair

log = logging.getLogger(__name__)

PDF_TEMPLATES_DIR = TEMPLATES_DIR / "pdf"
STATEMENT_CSS = PDF_TEMPLATES_DIR / "statement.css"
_STATIC_DIR = Path(__file__).resolve().parents[1] / "static"

SIGNATURE_FIELD = "KaoheSignature"
_SIGNER_CACHE_SIZE = 256

Status = Literal["genuine", "modified", "unsigned", "foreign"]


# -- rendering ---------------------------------------------------------------------------


def harfbuzz_subset_available() -> bool:
    """Whether WeasyPrint subsets fonts with HarfBuzz (Debian's ``libharfbuzz-subset0``).

    Without it WeasyPrint silently falls back to fontTools, which takes ~11 s instead of
    ~0.5 s for a CJK font; start-up and CI call this so the slow path never ships unnoticed.
    """
    if _weasy_pdf_fonts.harfbuzz_subset is None:
        return False
    # WeasyPrint only uses the library from HarfBuzz 4.1 (hb_set_add_sorted_array).
    return bool(_weasy_ffi.harfbuzz.hb_version_atleast(4, 1, 0))


if not harfbuzz_subset_available():
    log.warning(
        "!!! HarfBuzz subsetting is unavailable: install libharfbuzz-subset0 (>= 4.1). "
        "WeasyPrint will subset CJK fonts with fontTools, ~20x slower per statement. !!!"
    )


class _LocalOnlyFetcher(URLFetcher):
    """Resources may come only from data: URLs and Kaohe's own template and static folders.

    Statement HTML carries tenant-entered text; refusing the network and the rest of the file
    system means a crafted value can never make the renderer fetch or embed anything else.
    """

    _roots = (TEMPLATES_DIR, _STATIC_DIR)

    def __init__(self) -> None:
        super().__init__(allowed_protocols=("data", "file"))

    def fetch(self, url, headers=None):
        if url.lower().startswith("file:"):
            path = Path(url2pathname(urlparse(url).path)).resolve()
            if not any(path.is_relative_to(root) for root in self._roots):
                raise ValueError(f"refusing to load {url!r} into a statement")
        return super().fetch(url, headers)


_render_lock = threading.Lock()
_font_config: FontConfiguration | None = None
_stylesheets: dict[Path, tuple[int, weasyprint.CSS]] = {}


def _fonts() -> FontConfiguration:
    global _font_config
    if _font_config is None:
        _font_config = FontConfiguration()
    return _font_config


def _stylesheet(path: Path) -> weasyprint.CSS:
    # Re-parsed only when the file changes, so an edited stylesheet shows up in development
    # without a restart while a worker's batch parses it once.
    mtime = path.stat().st_mtime_ns
    cached = _stylesheets.get(path)
    if cached is None or cached[0] != mtime:
        css = weasyprint.CSS(
            filename=str(path), font_config=_fonts(), url_fetcher=_LocalOnlyFetcher()
        )
        cached = _stylesheets[path] = (mtime, css)
    return cached[1]


def render_pdf(
    html: str,
    base_url: str | None = None,
    *,
    stylesheets: Sequence[Path] = (STATEMENT_CSS,),
) -> bytes:
    """Render statement HTML to PDF bytes with the shared fonts and cached stylesheets."""
    # One FontConfiguration (a Pango font map) is shared by every render; Pango is not
    # thread-safe, so renders in a threaded web server take turns.
    with _render_lock:
        document = weasyprint.HTML(
            string=html,
            base_url=base_url or PDF_TEMPLATES_DIR.as_uri() + "/",
            url_fetcher=_LocalOnlyFetcher(),
        )
        return document.write_pdf(
            stylesheets=[_stylesheet(path) for path in stylesheets], font_config=_fonts()
        )


# -- signing -----------------------------------------------------------------------------


def _asn1_certificate(certificate: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


def _fingerprint(certificate: x509.Certificate) -> bytes:
    return certificate.fingerprint(hashes.SHA256())


class _ParsedKeySigner(signers.SimpleSigner):
    """A SimpleSigner that keeps the parsed private key.

    pyHanko's SimpleSigner re-loads the key from DER on every signature; holding the
    ``cryptography`` key object avoids that cost for every statement of a batch.
    """

    def __init__(self, pair: KeyPair, ca_certificate: x509.Certificate) -> None:
        self._key = pair.key
        registry = SimpleCertificateStore()
        registry.register(_asn1_certificate(ca_certificate))
        pkcs8 = pair.key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        super().__init__(
            signing_cert=_asn1_certificate(pair.certificate),
            signing_key=asn1_keys.PrivateKeyInfo.load(pkcs8),
            cert_registry=registry,
        )
        # Room for the CMS blob (hex in the file): the two certificates, the signed
        # attributes and the ECDSA value. A fixed size spares pyHanko a dry-run signature.
        der_size = sum(len(c.dump()) for c in (self.signing_cert, *registry))
        self.bytes_reserved = 2 * (der_size + 1536)

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        if isinstance(self._key, ec.EllipticCurvePrivateKey):
            hash_algorithm = get_pyca_cryptography_hash(digest_algorithm)
            return self._key.sign(data, ec.ECDSA(hash_algorithm))
        return super().sign_raw(data, digest_algorithm)


_signers: OrderedDict[tuple[bytes, bytes], _ParsedKeySigner] = OrderedDict()
_signers_lock = threading.Lock()


def _signer_for(pair: KeyPair, ca_certificate: x509.Certificate) -> _ParsedKeySigner:
    cache_key = (_fingerprint(pair.certificate), _fingerprint(ca_certificate))
    with _signers_lock:
        signer = _signers.get(cache_key)
        if signer is None:
            signer = _signers[cache_key] = _ParsedKeySigner(pair, ca_certificate)
            while len(_signers) > _SIGNER_CACHE_SIZE:
                _signers.popitem(last=False)
        else:
            _signers.move_to_end(cache_key)
        return signer


def sign_pdf(
    pdf: bytes,
    pair: KeyPair,
    ca_certificate: x509.Certificate,
    *,
    signer_name: str,
    reason: str,
    location: str | None = None,
) -> bytes:
    """Sign ``pdf`` (PAdES baseline B, SHA-256) with a tenant key; returns the signed file."""
    signer = _signer_for(pair, ca_certificate)
    metadata = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        name=signer_name,
        reason=reason,
        location=location,
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    output = signers.sign_pdf(writer, metadata, signer=signer, bytes_reserved=signer.bytes_reserved)
    return output.getvalue()


# -- verification ------------------------------------------------------------------------


@dataclass(frozen=True)
class Verification:
    """What a file says about itself. Signer fields are set only for a genuine file: an
    untrusted certificate's names are whatever its maker chose."""

    status: Status
    sha256: str
    signer_slug: str | None = None
    signer_organisation: str | None = None
    signed_at: dt.datetime | None = None

    @property
    def genuine(self) -> bool:
        return self.status == "genuine"


def _looks_signed(data: bytes) -> bool:
    return b"/ByteRange" in data and b"/ETSI.CAdES.detached" in data


def _subject_attribute(certificate: asn1_x509.Certificate, attribute: str) -> str | None:
    value = certificate.subject.native.get(attribute)
    return value if isinstance(value, str) else None


def _signature_area_is_canonical(data: bytes, signature: EmbeddedPdfSignature) -> bool:
    """The one part of the file no digest covers, /Contents, must be exactly what pyHanko
    writes: the CMS blob in upper-case hex, then zero padding. Anything else was edited."""
    _, first_length, second_start, _ = (int(v) for v in signature.byte_range)
    blob = signature.pkcs7_content
    der_length = len(asn1_cms.ContentInfo.load(blob).dump())
    if any(blob[der_length:]):
        return False
    return data[first_length:second_start] == b"<" + blob.hex().upper().encode() + b">"


def _validation_context(
    ca_certificate: x509.Certificate, signed_at: dt.datetime | None
) -> ValidationContext:
    now = dt.datetime.now(dt.UTC)
    # Statements outlive their certificate: judge the chain at the time the statement says
    # it was signed (never a future time), as a reader without a timestamp authority would.
    if signed_at is not None and signed_at.tzinfo is None:
        signed_at = signed_at.replace(tzinfo=dt.UTC)
    moment = min(signed_at, now) if signed_at is not None else now
    return ValidationContext(
        trust_roots=[_asn1_certificate(ca_certificate)],
        allow_fetching=False,
        revocation_mode="soft-fail",
        moment=moment,
    )


def _is_genuine(status: PdfSignatureStatus) -> bool:
    return (
        status.bottom_line
        and status.coverage == SignatureCoverageLevel.ENTIRE_FILE
        and status.docmdp_ok is not False
    )


def _judge(data: bytes, digest: str, ca_certificate: x509.Certificate) -> Verification:
    reader = PdfFileReader(io.BytesIO(data))
    embedded = reader.embedded_signatures
    if not embedded:
        return Verification("unsigned", digest)
    # Kaohe signs once; any later signature or update leaves the first one short of the
    # end of the file, which _is_genuine rejects.
    signature = embedded[0]
    signed_at = signature.self_reported_timestamp
    # Only an untouched file can be genuine, so the (slow, noisy) analysis of later
    # incremental updates would change nothing: skip it.
    context = _validation_context(ca_certificate, signed_at)
    status = validate_pdf_signature(signature, context, skip_diff=True)
    if not (status.intact and status.valid):
        return Verification("modified", digest)
    if not status.trusted:
        return Verification("foreign", digest, signed_at=status.signer_reported_dt)
    if not (_is_genuine(status) and _signature_area_is_canonical(data, signature)):
        return Verification("modified", digest)
    cert = status.signing_cert
    return Verification(
        "genuine",
        digest,
        signer_slug=_subject_attribute(cert, "common_name"),
        signer_organisation=_subject_attribute(cert, "organization_name"),
        signed_at=status.signer_reported_dt,
    )


def verify_pdf(data: bytes, ca_certificate: x509.Certificate) -> Verification:
    """Say whether ``data`` is a statement our CA's tenants signed and nobody changed since.

    Never raises on bad input: whatever an upload contains, the answer is one of the four
    statuses.
    """
    digest = hashlib.sha256(data).hexdigest()
    try:
        return _judge(data, digest, ca_certificate)
    except Exception:  # a hostile upload can break the parser in any way
        log.info("unreadable PDF offered for verification (sha256 %s)", digest, exc_info=True)
        return Verification("modified" if _looks_signed(data) else "unsigned", digest)
