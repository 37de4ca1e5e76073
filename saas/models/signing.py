"""The tenant's signing identity: an EC key (encrypted at rest) and the certificate the
platform CA issued for it at onboarding."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Integer, LargeBinary, Text
from sqlalchemy.orm import Mapped, mapped_column

from tenants.db import TenantBase, created_at_column


class SigningIdentity(TenantBase):
    __tablename__ = "signing_identity"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    certificate_pem: Mapped[str] = mapped_column(Text)
    encrypted_key: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = created_at_column()
