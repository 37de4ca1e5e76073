"""A tenant's signing identity: issued at onboarding, loaded whenever a statement is signed."""

from __future__ import annotations

import threading

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from sqlalchemy import select
from sqlalchemy.orm import Session

from saas.models.signing import SigningIdentity
from saas.signing.authority import KeyPair, encrypt_key, issue_tenant_certificate, load_pair


class SigningIdentityMissing(LookupError):
    """The tenant schema has no signing identity: provisioning did not finish."""


_pairs: dict[bytes, KeyPair] = {}
_pairs_lock = threading.Lock()


def _row(session: Session) -> SigningIdentity | None:
    return session.scalar(select(SigningIdentity).order_by(SigningIdentity.id).limit(1))


def tenant_signing_pair(session: Session, passphrase: str) -> KeyPair:
    """The key pair of the tenant whose schema ``session`` is bound to.

    The decrypted pair is kept per certificate fingerprint for the life of the process, so a
    batch of statements decrypts the key once. The clear key lives only in process memory.
    """
    row = _row(session)
    if row is None:
        raise SigningIdentityMissing("this tenant has no signing identity")
    certificate = x509.load_pem_x509_certificate(row.certificate_pem.encode())
    fingerprint = certificate.fingerprint(hashes.SHA256())
    with _pairs_lock:
        pair = _pairs.get(fingerprint)
    if pair is None:
        pair = load_pair(row.certificate_pem, row.encrypted_key, passphrase)
        with _pairs_lock:
            _pairs[fingerprint] = pair
    return pair


def create_signing_identity(
    tenant_session: Session, authority_pair: KeyPair, slug: str, name: str, passphrase: str
) -> SigningIdentity:
    """Issue the tenant's certificate (CN = slug, O = name) and store it with its key encrypted.

    Returns the existing identity if the schema already has one: re-running provisioning must
    never silently replace the key that earlier statements were signed with.
    """
    existing = _row(tenant_session)
    if existing is not None:
        return existing
    pair = issue_tenant_certificate(authority_pair, slug, name)
    identity = SigningIdentity(
        certificate_pem=pair.certificate.public_bytes(serialization.Encoding.PEM).decode(),
        encrypted_key=encrypt_key(pair.key, passphrase),
    )
    tenant_session.add(identity)
    tenant_session.flush()
    return identity
