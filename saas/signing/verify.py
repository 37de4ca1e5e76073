"""Verifying an uploaded statement: is it a PDF that our CA's tenants signed, unchanged since?

Pure functions on bytes, run for uploads in a bounded child process (saas/signing/sandbox.py,
saas/statements/verification.py). The reader runs in strict mode with decode limits sized for
statements (a page or two, a few dozen objects), so a compressed stream that inflates far
beyond anything Kaohe writes is refused while it is read.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
from dataclasses import dataclass
from typing import Literal

from asn1crypto import cms as asn1_cms
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.decode_limits import (
    DEFAULT_PURPOSE_LIMITS,
    DecodeLimits,
    DecodePurpose,
    DocumentDecodeBudget,
    StreamDecodeLimits,
)
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.status import PdfSignatureStatus, SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

log = logging.getLogger(__name__)

Status = Literal["genuine", "modified", "unsigned", "foreign", "unreadable"]

_MiB = 1024 * 1024
# A Kaohe statement's cross-reference streams hold a few dozen entries (well under 1 KB) and
# its largest stream, a subset CJK font, is about 200 KB. These bounds leave room for far
# bigger statements and refuse what inflates beyond them: pyHanko's defaults, meant for any
# document, let a 20 KB upload inflate a 20 MB cross-reference stream and spend half a
# minute and 700 MB walking its entries.
STATEMENT_DECODE_LIMITS = DecodeLimits(
    per_stream=StreamDecodeLimits(max_output_size=16 * _MiB),
    per_purpose={
        **DEFAULT_PURPOSE_LIMITS,
        DecodePurpose.XREF_STREAM: StreamDecodeLimits(max_ratio=None, max_output_size=64 * 1024),
        DecodePurpose.OBJECT_STREAM: StreamDecodeLimits(max_ratio=None, max_output_size=4 * _MiB),
    },
    document_budget=DocumentDecodeBudget(base_allowance=32 * _MiB, max_ratio=20),
)


def asn1_certificate(certificate: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


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
        trust_roots=[asn1_certificate(ca_certificate)],
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
    reader = PdfFileReader(io.BytesIO(data), strict=True, decode_limits=STATEMENT_DECODE_LIMITS)
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

    Never raises on bad input: whatever an upload contains, the answer is one of the
    statuses; a file the strict reader cannot read within its limits is ``unreadable``.
    """
    digest = hashlib.sha256(data).hexdigest()
    try:
        return _judge(data, digest, ca_certificate)
    except Exception:  # a hostile upload can break the parser in any way, MemoryError too
        log.info("unreadable PDF offered for verification (sha256 %s)", digest, exc_info=True)
        return Verification("unreadable", digest)
