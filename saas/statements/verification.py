"""Public verification of statements: by uploaded file, or by the serial behind the QR code.

Anyone may ask, without an account, so an answer carries only the issuing tenant's name, the
serial and the signing time, and only for a statement Kaohe actually issued.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import func, select

from saas.models.statement import Statement
from saas.signing.authority import authority_certificate
from saas.signing.pdf import verify_pdf
from saas.statements.sample import find_statement_by_hash, serial_prefix
from tenants.db import Database
from tenants.registry import Tenant, find_tenant
from tenants.slugs import InvalidSlug, validate_slug

# Statements are a page or two; anything far larger is not one, and is not worth parsing.
MAX_UPLOAD_BYTES = 20 * 1024 * 1024

_SERIAL = re.compile(r"([A-Z0-9-]{1,20})-(\d{8})-([0-9A-F]{10})")

ResultStatus = Literal["genuine", "modified", "unknown"]


@dataclass(frozen=True)
class VerificationResult:
    """``genuine``: issued by Kaohe for this tenant and unchanged; ``modified``: it carried a
    Kaohe signature but was changed; ``unknown``: not a statement signed by Kaohe."""

    status: ResultStatus
    tenant_name: str | None = None
    serial: str | None = None
    signed_at: dt.datetime | None = None


UNKNOWN = VerificationResult("unknown")


def verify_upload(db: Database, data: bytes) -> VerificationResult:
    """Judge an uploaded file against the platform CA and the issuing tenant's records."""
    if len(data) > MAX_UPLOAD_BYTES:
        return UNKNOWN
    with db.public() as public:
        ca_certificate = authority_certificate(public)
    if ca_certificate is None:
        return UNKNOWN
    verification = verify_pdf(data, ca_certificate)
    if verification.status == "modified":
        return VerificationResult("modified")
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
    return VerificationResult("genuine", tenant.name, statement.serial, verification.signed_at)


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
            return VerificationResult(
                "genuine", tenant.name, statement.serial, statement.created_at
            )
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
