"""Who may do what in a tenant: the one permission table, the acting user, and the refusal.

Each permission names the roles that hold it and how far each role reaches:

- ``ALL``: every record of the tenant (tenant admins; committee members and inspectors read all);
- ``MANAGED``: the subtrees of the units the user manages (``Scope.managed_paths``);
- ``SELF``: the user's own records (their employee record, their goals, their statements; for
  a provider's contact, the records about their provider unit).

A role holds a permission when the table gives it a reach; a reach of ``MANAGED`` alone is
empty (so refused) for a manager who manages no unit. Records are then filtered by the user's
``Scope`` (saas/org/access.py): a record outside it is simply not found (404), never shown and
then refused. What a service refuses for a record in scope raises ``Refused`` (403).

Views declare what they need with ``@requires(name)`` (saas/auth/guard.py), menus and buttons
ask ``can(name)``, and docs/access.md is generated from this table
(``python -m saas.auth.access_doc``; a test keeps it in sync).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from saas.models.user import Role
from saas.org.access import Scope

__all__ = ["PERMISSIONS", "Actor", "Permission", "Reach", "Refused", "Scope", "permission"]


class Reach(enum.Flag):
    SELF = 1
    MANAGED = 2
    ALL = 7  # includes both: whoever reaches all reaches their own and the managed units


@dataclass(frozen=True)
class Permission:
    name: str
    does: str  # what it allows, for docs/access.md
    reach: dict[Role, Reach]  # the roles that hold it, and how far each reaches


ADMIN, COMMITTEE, MANAGER, INSPECTOR, EMPLOYEE, PROVIDER = (
    Role.TENANT_ADMIN,
    Role.COMMITTEE,
    Role.MANAGER,
    Role.INSPECTOR,
    Role.EMPLOYEE,
    Role.PROVIDER,
)
ALL, MANAGED, SELF = Reach.ALL, Reach.MANAGED, Reach.SELF
EVERYONE = {ADMIN: ALL, COMMITTEE: SELF, MANAGER: SELF, INSPECTOR: SELF, EMPLOYEE: SELF}
OWN = {role: SELF for role in Role}
# The organisation's own people: every role but a provider's contact, who sees only the
# records about their provider (their inspections, notices, grades).
STAFF = [role for role in Role if role is not PROVIDER]
STAFF_OWN = {role: SELF for role in STAFF}
READERS = {ADMIN: ALL, COMMITTEE: ALL, INSPECTOR: ALL, MANAGER: MANAGED}

_TABLE = (
    Permission("home.view", "Open the home page", {role: ALL for role in Role}),
    Permission("home.setup", "See the organisation's set-up checklist", {ADMIN: ALL}),
    Permission(
        "account.own",
        "Change their own password, log out on every device, list their own statements",
        OWN,
    ),
    Permission("jobs.run", "Follow the progress of the background jobs they started", OWN),
    Permission("statements.sample", "Make a sample statement of their own", STAFF_OWN),
    Permission("statements.view", "Open a statement (their own; admins any)", EVERYONE),
    Permission("org.view", "See the organisation tree and its units", READERS),
    Permission(
        "org.change",
        "Add, edit, rename, move, archive and restore units",
        {ADMIN: ALL, MANAGER: MANAGED},
    ),
    Permission(
        "people.view",
        "See people's profiles (an employee: their own)",
        {**READERS, MANAGER: MANAGED | SELF, EMPLOYEE: SELF},
    ),
    Permission("people.search", "List and search people", READERS),
    Permission("people.change", "Add and edit employees", {ADMIN: ALL, MANAGER: MANAGED}),
    Permission(
        "people.accounts",
        "Create accounts for people and print or mail their set-up links",
        {ADMIN: ALL, MANAGER: MANAGED},
    ),
    Permission("people.settings", "Set position levels and the eligibility rules", {ADMIN: ALL}),
    Permission(
        "goals.view",
        "See goals and their progress",
        {**READERS, MANAGER: MANAGED | SELF, EMPLOYEE: SELF},
    ),
    Permission(
        "goals.draft",
        "Draft, change, submit, cascade, move and delete draft goals; record, correct and "
        "withdraw their actuals (also from a file)",
        {**EVERYONE, MANAGER: MANAGED | SELF},
    ),
    Permission(
        "goals.approve",
        "Approve or return submitted goals (a manager: of their units' people and sub-units)",
        {ADMIN: ALL, MANAGER: MANAGED},
    ),
    Permission("goals.gap_report", "Open the gap report of the goal cascade", READERS),
    Permission("goals.board", "Read the goals board", {role: ALL for role in STAFF}),
    Permission("goals.publish", "Put a period's goals on the board or take them off", {ADMIN: ALL}),
    Permission(
        "schemes.view",
        "Read the published assessment schemes and try them out",
        {ADMIN: ALL, COMMITTEE: ALL, MANAGER: ALL, INSPECTOR: ALL},
    ),
    Permission("cycles.view", "See assessment cycles, their subjects and progress", READERS),
    Permission(
        "cycles.manage",
        "Create cycles, choose subjects and raters, move a cycle to its next stage",
        {ADMIN: ALL},
    ),
    Permission(
        "rating.enter",
        "Rate the subjects assigned to them, on a form or in a grid",
        STAFF_OWN,
    ),
    Permission("rating.reopen", "Reopen a submitted rating sheet, with a reason", {ADMIN: ALL}),
    Permission(
        "scoring.run", "Score a cycle (a scoring run) and follow its progress", {ADMIN: ALL}
    ),
    Permission(
        "results.view",
        "Read a cycle's results and their traces before publication",
        {ADMIN: ALL, COMMITTEE: ALL, MANAGER: MANAGED},
    ),
    Permission(
        "ledger.view", "Read the performance ledger (实绩档案) of people and units", READERS
    ),
    Permission(
        "ledger.enter",
        "Add ledger entries and withdraw them (a manager: for their units' people and units)",
        {ADMIN: ALL, MANAGER: MANAGED, INSPECTOR: ALL},
    ),
    Permission(
        "ledger.decide",
        "Rule a ledger entry valid or invalid (有效 or not), with a reason",
        {ADMIN: ALL, COMMITTEE: ALL},
    ),
    Permission(
        "ledger.own",
        "Read their own ledger entries of the periods whose results are published (not the "
        "evidence files)",
        {COMMITTEE: SELF, MANAGER: SELF, INSPECTOR: SELF, EMPLOYEE: SELF},
    ),
    Permission(
        "feedback.links",
        "Make, print and revoke customer feedback links and QR cards (a manager: for their units)",
        {ADMIN: ALL, MANAGER: MANAGED},
    ),
    Permission(
        "inspections.view",
        "See inspections and their reports (an unannounced one only once it is done, unless "
        "they inspect)",
        {ADMIN: ALL, COMMITTEE: ALL, INSPECTOR: ALL, MANAGER: MANAGED, PROVIDER: SELF},
    ),
    Permission(
        "inspections.plan",
        "Schedule inspections, plan ad hoc and unannounced ones, cancel them",
        {ADMIN: ALL, COMMITTEE: ALL, INSPECTOR: ALL},
    ),
    Permission(
        "inspections.run",
        "Carry out an inspection: rate the items, add photos, sign, finish",
        {ADMIN: ALL, INSPECTOR: ALL, COMMITTEE: ALL},
    ),
    Permission(
        "notices.view",
        "See rectification notices (整改通知)",
        {ADMIN: ALL, COMMITTEE: ALL, INSPECTOR: ALL, MANAGER: MANAGED, PROVIDER: SELF},
    ),
    Permission(
        "notices.answer",
        "Answer a rectification notice with a note and photos",
        {ADMIN: ALL, MANAGER: MANAGED, PROVIDER: SELF},
    ),
    Permission(
        "notices.verify",
        "Verify a notice's answer: accept it, or reject and reopen it; change deadlines",
        {ADMIN: ALL, COMMITTEE: ALL, INSPECTOR: ALL},
    ),
    Permission(
        "providers.view",
        "See providers' contracts, payment tiers and grades",
        {ADMIN: ALL, COMMITTEE: ALL, INSPECTOR: ALL, MANAGER: MANAGED, PROVIDER: SELF},
    ),
    Permission(
        "providers.manage",
        "Record providers' contracts and payment tiers, and their contacts' accounts",
        {ADMIN: ALL},
    ),
    Permission("schemes.edit", "Create, edit, publish, archive and import schemes", {ADMIN: ALL}),
    Permission("accounts.manage", "Invite users, set their roles, disable them", {ADMIN: ALL}),
    Permission("imports.run", "Import and export units and employees", {ADMIN: ALL}),
    Permission("audit.view", "Read the audit log", {ADMIN: ALL}),
    Permission(
        "settings.change",
        "Change the organisation's settings (e.g. the four-eyes rule for goals)",
        {ADMIN: ALL},
    ),
)

PERMISSIONS: dict[str, Permission] = {p.name: p for p in _TABLE}


def permission(name: str) -> Permission:
    """The permission called ``name``; a typo fails loudly, never silently refuses."""
    try:
        return PERMISSIONS[name]
    except KeyError:
        raise KeyError(f"no permission {name!r} in saas/auth/permissions.py") from None


class Refused(Exception):
    """The actor may not do this (403). ``message`` (translatable) says why; ``field`` names
    the form field concerned, when there is one."""

    def __init__(self, message: Any = None, field: str | None = None) -> None:
        super().__init__("refused" if message is None else str(message))
        self.message, self.field = message, field

    def __str__(self) -> str:
        return "refused" if self.message is None else str(self.message)


@dataclass(frozen=True)
class Actor:
    """Who acts: every service takes it right after the session, ``(session, actor, ...)``."""

    user_id: int | None
    email: str  # who the audit trail names
    roles: frozenset[Role]
    scope: Scope
    name: str = field(default="", compare=False)

    @classmethod
    def system(cls, label: str, user_id: int | None = None) -> Actor:
        """A tenant-wide actor for the CLI, demo data and jobs: an admin named ``label`` in
        the audit trail, on behalf of ``user_id`` where a record needs one."""
        scope = Scope(read_all=True, write_all=True, managed_paths=(), employee_id=None)
        return cls(user_id, label, frozenset({Role.TENANT_ADMIN}), scope, label)

    @classmethod
    def themself(cls, user_id: int, email: str) -> Actor:
        """A user acting on their own account without a login (asking for a reset link)."""
        scope = Scope(read_all=False, write_all=False, managed_paths=(), employee_id=None)
        return cls(user_id, email, frozenset(), scope, email)

    @property
    def employee_id(self) -> int | None:
        return self.scope.employee_id

    def has_role(self, role: Role) -> bool:
        return role in self.roles

    def reach(self, name: str) -> Reach:
        """How far ``name`` reaches for this actor: the union over their roles."""
        granted = Reach(0)
        for role, reach in permission(name).reach.items():
            if role in self.roles:
                granted |= reach
        return granted

    def can(self, name: str) -> bool:
        reach = self.reach(name)
        if Reach.ALL in reach or Reach.SELF in reach:
            return True
        return Reach.MANAGED in reach and bool(self.scope.managed_paths)

    def require(self, name: str) -> None:
        if not self.can(name):
            raise Refused()
