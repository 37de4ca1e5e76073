"""Public verification of statements: by uploaded file, or by the serial behind the QR code.

Anyone may ask, without an account, so an answer carries only the issuing tenant's name, the
serial and the signing time, and only for a statement Kaohe actually issued.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from typing import Literal

from cryptography import x509
from sqlalchemy import func, select

from saas.models.statement import SAMPLE_KIND, Statement
from saas.semaphore import Semaphore
from saas.signing.authority import authority_certificate
from saas.signing.sandbox import Limits, SandboxFailed, run_limited
from saas.signing.screening import Screening, screen
from saas.signing.verify import Verification, verify_pdf
from saas.statements.sample import find_statement_by_hash, serial_prefix
from tenants.db import Database
from tenants.registry import Tenant, find_tenant
from tenants.slugs import InvalidSlug, validate_slug

# A statement verifies in about 20 ms of CPU and a few MB; these bounds are far above that
# and far below what would hurt the machine. Whatever the file, reading it costs at most this.
VERIFY_LIMITS = Limits(memory_bytes=256 * 1024 * 1024, cpu_seconds=3, wall_seconds=6)
# Longer than anyone holds a verification slot (the child's wall time plus starting the
# fork server on a worker's first verification), so a slot lost with its worker comes back.
SLOT_HOLD_SECONDS = 30.0

_SERIAL = re.compile(r"([A-Z0-9-]{1,20})-(\d{8})-([0-9A-F]{10})")

ResultStatus = Literal["genuine", "sample", "modified", "unknown", "unreadable", "too_large"]


@dataclass(frozen=True)
class VerificationResult:
    """``genuine``: issued by Kaohe for this tenant and unchanged; ``sample``: the same, but a
    sample statement, which is nobody's statement; ``modified``: it carried a Kaohe signature
    but was changed; ``unknown``: not a statement signed by Kaohe; ``unreadable``: not a file
    that can be checked (damaged, or built to exhaust a reader); ``too_large``: bigger than
    any statement, not read at all."""

    status: ResultStatus
    tenant_name: str | None = None
    serial: str | None = None
    signed_at: dt.datetime | None = None


UNKNOWN = VerificationResult("unknown")
UNREADABLE = VerificationResult("unreadable")
TOO_LARGE = VerificationResult("too_large")

_SCREENED = {
    Screening.TOO_LARGE: TOO_LARGE,
    Screening.UNSIGNED: UNKNOWN,
    Screening.NOT_PDF: UNREADABLE,
    Screening.TRUNCATED: UNREADABLE,
    Screening.IMPLAUSIBLE: UNREADABLE,
}


def _found(tenant: Tenant, statement: Statement, signed_at: dt.datetime) -> VerificationResult:
    status = "sample" if statement.kind == SAMPLE_KIND else "genuine"
    return VerificationResult(status, tenant.name, statement.serial, signed_at)


def _read_outside(data: bytes, ca_certificate: x509.Certificate) -> Verification:
    """Parse and check the file in a bounded child process (saas/signing/sandbox.py)."""
    try:
        return run_limited(verify_pdf, data, ca_certificate, limits=VERIFY_LIMITS)
    except SandboxFailed:
        return Verification("unreadable", hashlib.sha256(data).hexdigest())


def verify_upload(db: Database, data: bytes, slots: Semaphore) -> VerificationResult:
    """Judge an uploaded file against the platform CA and the issuing tenant's records.

    The bytes are screened first (saas/signing/screening.py); only a plausible signed PDF is
    parsed, in a bounded child process, while holding one of the deployment's verification
    ``slots``. Raises ``saas.semaphore.Busy`` when every slot is taken.
    """
    screening = screen(data)
    if screening is not Screening.PARSE:
        return _SCREENED[screening]
    with db.public() as public:
        ca_certificate = authority_certificate(public)
    if ca_certificate is None:
        return UNKNOWN
    with slots.slot():
        verification = _read_outside(data, ca_certificate)
    if verification.status in ("modified", "unreadable"):
        return VerificationResult(verification.status)
    if not verification.genuine or verification.signer_slug is None:
        return UNKNOWN
    tenant = _tenant(db, verification.signer_slug)
    if tenant is None:
        return UNKNOWN
    with db.tenant(tenant.schema) as session:
        statement = find_statement_by_hash(session, verification.sha256)
    if statement is None:
        # Signed with a Kaohe tenant key, yet not a file Kaohe stored: no claim about it.
        return UNKNOWN
    return _found(tenant, statement, verification.signed_at)


def verify_serial(db: Database, serial: str) -> VerificationResult:
    """Look up the serial printed on (and QR-encoded in) a statement.

    Only says that such a statement exists; whether a given file is that statement takes an
    upload.
    """
    match = _SERIAL.fullmatch(serial.strip().upper())
    if match is None:
        return UNKNOWN
    for tenant in _tenants_with_prefix(db, match.group(1)):
        with db.tenant(tenant.schema) as session:
            statement = session.scalar(select(Statement).where(Statement.serial == match[0]))
        if statement is not None:
            return _found(tenant, statement, statement.created_at)
    return UNKNOWN


def _tenant(db: Database, slug: str) -> Tenant | None:
    try:
        validate_slug(slug)
    except InvalidSlug:
        return None
    with db.public() as public:
        return find_tenant(public, slug)


def _tenants_with_prefix(db: Database, prefix: str) -> list[Tenant]:
    # A serial carries at most the first 20 characters of the slug, so several tenants can
    # share a prefix; the serial itself is then looked up in each. The prefix holds only
    # A-Z, 0-9 and "-", so it needs no LIKE escaping.
    with db.public() as public:
        candidates = public.scalars(
            select(Tenant).where(func.upper(Tenant.slug).like(prefix + "%"))
        ).all()
    return [t for t in candidates if serial_prefix(t.slug) == prefix]
