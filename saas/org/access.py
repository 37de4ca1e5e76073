"""What part of the organisation a tenant user may see and change.

- tenant admin: everything, read and write;
- committee member and inspector: read everything (they assess and inspect across units);
- manager: read and write the subtrees of the units they manage (``OrgUnit.manager_id`` is
  their employee record), plus themself;
- employee: only their own employee record;
- provider contact: only the records about their own provider unit (``provider_unit_ids``,
  from the provider contracts naming them); areas with provider records filter by it.
A user holding several roles gets the union. Views filter queries with these clauses, so
records outside the scope are simply not found (404), never shown and then refused.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, false, or_, select, true

from saas.models.org import OrgUnit
from saas.models.people import Employee
from saas.models.user import Role


@dataclass(frozen=True)
class Scope:
    read_all: bool
    write_all: bool
    managed_paths: tuple[str, ...]
    employee_id: int | None
    # The provider units whose contract names this user as the contact (role ``provider``).
    provider_unit_ids: tuple[int, ...] = ()

    def unit_clause(self) -> ColumnElement[bool]:
        """Units this user may see."""
        if self.read_all:
            return true()
        return self._managed(OrgUnit.path)

    def writable_unit_clause(self) -> ColumnElement[bool]:
        if self.write_all:
            return true()
        return self._managed(OrgUnit.path)

    def employee_clause(self) -> ColumnElement[bool]:
        """Employees this user may see."""
        if self.read_all:
            return true()
        return or_(self._employees_in_managed_units(), self._themself())

    def writable_employee_clause(self) -> ColumnElement[bool]:
        if self.write_all:
            return true()
        return self._employees_in_managed_units()

    def can_write_unit(self, unit: OrgUnit) -> bool:
        return self.write_all or self._path_managed(unit.path)

    def can_write_in_unit_path(self, path: str) -> bool:
        """May this user add, change or move people and units under the unit at ``path``?"""
        return self.write_all or self._path_managed(path)

    def _path_managed(self, path: str) -> bool:
        return any(path.startswith(prefix) for prefix in self.managed_paths)

    def _managed(self, column) -> ColumnElement[bool]:
        if not self.managed_paths:
            return false()
        return or_(*(column.startswith(prefix, autoescape=True) for prefix in self.managed_paths))

    def _employees_in_managed_units(self) -> ColumnElement[bool]:
        if not self.managed_paths:
            return false()
        return Employee.unit_id.in_(select(OrgUnit.id).where(self._managed(OrgUnit.path)))

    def _themself(self) -> ColumnElement[bool]:
        return Employee.id == self.employee_id if self.employee_id else false()


def scope_of(
    roles: frozenset[str], employee_id: int | None, managed_paths, provider_units=()
) -> Scope:
    """The scope given by a user's roles, employee record, the units they manage and the
    provider units they are the contact of."""
    managed = _outermost(managed_paths) if Role.MANAGER in roles and employee_id else ()
    providers = tuple(sorted(provider_units)) if Role.PROVIDER in roles else ()
    return Scope(
        read_all=bool(roles & {Role.TENANT_ADMIN, Role.COMMITTEE, Role.INSPECTOR}),
        write_all=Role.TENANT_ADMIN in roles,
        managed_paths=managed,
        employee_id=employee_id,
        provider_unit_ids=providers,
    )


def _outermost(paths) -> tuple[str, ...]:
    """Drop paths inside another managed path: the outer subtree already covers them."""
    kept: list[str] = []
    for path in sorted(paths, key=len):
        if not any(path.startswith(outer) for outer in kept):
            kept.append(path)
    return tuple(kept)
