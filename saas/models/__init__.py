"""Models that live in every tenant's schema. Importing this package registers them all."""

from saas.models.audit import AuditEntry
from saas.models.signing import SigningIdentity
from saas.models.statement import Statement
from saas.models.user import Role, User, UserRole

__all__ = ["AuditEntry", "Role", "SigningIdentity", "Statement", "User", "UserRole"]
