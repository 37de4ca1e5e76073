"""Who may see and write schemes: tenant admins write them; committee members, managers and
inspectors read the published ones."""

from __future__ import annotations

from saas.models.user import Role

READERS = (Role.TENANT_ADMIN, Role.COMMITTEE, Role.MANAGER, Role.INSPECTOR)


def can_read_schemes(principal) -> bool:
    return any(principal.has_role(role) for role in READERS)


def can_write_schemes(principal) -> bool:
    return principal.has_role(Role.TENANT_ADMIN)
