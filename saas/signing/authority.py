"""The platform certificate authority and the tenant certificates it issues.

Keys are EC P-256: signing with one takes a fraction of what an RSA key costs. Private keys are
stored encrypted with the operator's key passphrase and never leave the process in clear.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlalchemy import Integer, LargeBinary, Text, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from tenants.db import PublicBase, created_at_column, utcnow

CA_VALIDITY = dt.timedelta(days=365 * 20)
TENANT_CERT_VALIDITY = dt.timedelta(days=365 * 10)
# Any fixed number: serialises CA creation between processes starting at the same time.
_CA_LOCK_ID = 734_211
# id-kp-documentSigning (RFC 9336)
_DOCUMENT_SIGNING = x509.ObjectIdentifier("1.3.6.1.5.5.7.3.36")


class PlatformAuthority(PublicBase):
    __tablename__ = "platform_authority"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    certificate_pem: Mapped[str] = mapped_column(Text)
    encrypted_key: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = created_at_column()


@dataclass(frozen=True)
class KeyPair:
    certificate: x509.Certificate
    key: ec.EllipticCurvePrivateKey


def encrypt_key(key: ec.EllipticCurvePrivateKey, passphrase: str) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(passphrase.encode()),
    )


def decrypt_key(blob: bytes, passphrase: str) -> ec.EllipticCurvePrivateKey:
    key = serialization.load_pem_private_key(blob, password=passphrase.encode())
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    return key


def load_pair(certificate_pem: str, encrypted_key: bytes, passphrase: str) -> KeyPair:
    return KeyPair(
        x509.load_pem_x509_certificate(certificate_pem.encode()),
        decrypt_key(encrypted_key, passphrase),
    )


def _name(common_name: str, organisation: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _create_authority() -> KeyPair:
    key = ec.generate_private_key(ec.SECP256R1())
    name = _name("Kaohe Platform CA", "Kaohe")
    now = utcnow()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + CA_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .sign(key, hashes.SHA256())
    )
    return KeyPair(cert, key)


def ensure_platform_authority(session: Session, passphrase: str) -> KeyPair:
    """Return the platform CA, creating it on first start."""
    session.execute(text("select pg_advisory_xact_lock(:id)"), {"id": _CA_LOCK_ID})
    row = session.scalar(select(PlatformAuthority).order_by(PlatformAuthority.id).limit(1))
    if row is not None:
        return load_pair(row.certificate_pem, row.encrypted_key, passphrase)
    pair = _create_authority()
    session.add(
        PlatformAuthority(
            certificate_pem=pair.certificate.public_bytes(serialization.Encoding.PEM).decode(),
            encrypted_key=encrypt_key(pair.key, passphrase),
        )
    )
    session.flush()
    return pair


def authority_certificate(session: Session) -> x509.Certificate | None:
    """The CA certificate alone (no key): all that verification needs."""
    pem = session.scalar(
        select(PlatformAuthority.certificate_pem).order_by(PlatformAuthority.id).limit(1)
    )
    return None if pem is None else x509.load_pem_x509_certificate(pem.encode())


def issue_tenant_certificate(authority: KeyPair, slug: str, name: str) -> KeyPair:
    """A signing certificate for one tenant: CN is its slug, O its name."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = utcnow()
    ca_public = authority.certificate.public_key()
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(slug, name))
        .issuer_name(authority.certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + TENANT_CERT_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage([_DOCUMENT_SIGNING]),
            critical=False,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_public), False)
        .sign(authority.key, hashes.SHA256())
    )
    return KeyPair(cert, key)
