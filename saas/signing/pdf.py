"""Statement PDFs: render HTML with WeasyPrint, sign with pyHanko (PAdES). Uploads are
verified by saas/signing/verify.py.

Pure functions: no Flask, no database. The fonts, stylesheets and signers they need are built
once per process and reused, because a batch of statements must not pay for them each time.
"""

from __future__ import annotations

import io
import logging
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlparse
from urllib.request import url2pathname

import weasyprint
from asn1crypto import keys as asn1_keys
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.general import get_pyca_cryptography_hash
from pyhanko_certvalidator.registry import SimpleCertificateStore
from weasyprint.pdf import fonts as _weasy_pdf_fonts
from weasyprint.text import ffi as _weasy_ffi
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from saas.rendering import TEMPLATES_DIR
from saas.signing.authority import KeyPair
from saas.signing.verify import asn1_certificate

log = logging.getLogger(__name__)

PDF_TEMPLATES_DIR = TEMPLATES_DIR / "pdf"
STATEMENT_CSS = PDF_TEMPLATES_DIR / "statement.css"
_STATIC_DIR = Path(__file__).resolve().parents[1] / "static"

SIGNATURE_FIELD = "KaoheSignature"
_SIGNER_CACHE_SIZE = 256

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
        registry.register(asn1_certificate(ca_certificate))
        pkcs8 = pair.key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        super().__init__(
            signing_cert=asn1_certificate(pair.certificate),
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
