"""Managing a tenant's user accounts: invite, change roles, disable and enable.

Every change takes the session, the acting admin (``Actor``) and the tenant (whose plan
counts the seats), and writes its audit row in the same transaction. Changes that count seats or
administrators take a per-tenant advisory lock first, so two admins acting at the same
moment cannot both take the last seat or both remove the last other administrator.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from flask_babel import gettext as _
from pypinyin import lazy_pinyin
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from saas.accounts import tokens
from saas.auth.permissions import Actor
from saas.models.audit import record
from saas.models.people import Employee
from saas.models.provider import ProviderContract
from saas.models.tokens import AccountToken, TokenPurpose
from saas.models.user import Role, User, UserRole
from saas.validation import Invalid
from tenants.db import utcnow
from tenants.registry import Tenant
from tenants.resolver import TenantRecord

ROLE_ORDER = (
    Role.TENANT_ADMIN,
    Role.COMMITTEE,
    Role.MANAGER,
    Role.INSPECTOR,
    Role.EMPLOYEE,
    Role.PROVIDER,
)


class Status(enum.StrEnum):
    ACTIVE = "active"
    INVITED = "invited"  # invited, no password set yet
    DISABLED = "disabled"


def status_of(user: User) -> Status:
    if not user.is_active_account:
        return Status.DISABLED
    return Status.ACTIVE if user.password_hash else Status.INVITED


class UnknownUser(LookupError):
    """No such user in this tenant (a 404, never a hint about other tenants)."""


@dataclass(frozen=True)
class UserRow:
    user: User
    status: Status
    employee: Employee | None
    invitation_expires: dt.datetime | None

    @property
    def roles(self) -> list[Role]:
        return [role for role in ROLE_ORDER if self.user.has_role(role)]

    @property
    def invitation_expired(self) -> bool:
        return self.status is Status.INVITED and (
            self.invitation_expires is None or self.invitation_expires <= utcnow()
        )


def lock(session: Session, tenant: Tenant | TenantRecord) -> None:
    # Advisory locks are database-wide: key them by tenant so tenants never wait on each other.
    session.execute(
        text("select pg_advisory_xact_lock(hashtext(:key))"),
        {"key": f"kaohe.accounts:{tenant.slug}"},
    )


def _open_invitations():
    return (
        select(AccountToken.user_id, func.max(AccountToken.expires_at).label("expires"))
        .where(AccountToken.purpose == TokenPurpose.INVITE, AccountToken.used_at.is_(None))
        .group_by(AccountToken.user_id)
        .subquery()
    )


def _users_query():
    invites = _open_invitations()
    return (
        select(User, Employee, invites.c.expires)
        .outerjoin(Employee, Employee.user_id == User.id)
        .outerjoin(invites, invites.c.user_id == User.id)
    )


def _row(user: User, employee: Employee | None, expires: dt.datetime | None) -> UserRow:
    return UserRow(user, status_of(user), employee, expires)


_STATUS_ORDER = {Status.ACTIVE: 0, Status.INVITED: 1, Status.DISABLED: 2}


def _sort_key(row: UserRow) -> tuple[int, str, int]:
    # By pinyin, as a Chinese office sorts names (李 before 王), Latin names among them.
    spoken = " ".join(lazy_pinyin(row.user.name)).lower()
    return _STATUS_ORDER[row.status], spoken, row.user.id


def list_users(session: Session) -> list[UserRow]:
    """All accounts: active first, then invited, then disabled; by name within each."""
    return sorted((_row(*row) for row in session.execute(_users_query())), key=_sort_key)


def user_row(session: Session, user_id: int) -> UserRow:
    row = session.execute(_users_query().where(User.id == user_id)).first()
    if row is None:
        raise UnknownUser(user_id)
    return _row(*row)


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise UnknownUser(user_id)
    return user


def seats_used(session: Session) -> int:
    """Active and invited accounts; disabled ones free their seat."""
    return session.scalar(
        select(func.count()).select_from(User).where(User.is_active_account.is_(True))
    )


def check_seats(session: Session, tenant: Tenant | TenantRecord, count: int = 1) -> None:
    """Refuse ``count`` more accounts beyond the plan's seats (callers hold ``lock``)."""
    used, limit = seats_used(session), tenant.seat_limit
    if count > 1 and used + count > limit:
        raise Invalid(
            _(
                "These %(count)d accounts do not fit: your plan “%(plan)s” allows %(limit)d "
                "accounts, and %(used)d are already active or invited. Choose fewer people, "
                "disable accounts you no longer need, or ask for a larger plan.",
                count=count,
                plan=tenant.plan,
                limit=limit,
                used=used,
            )
        )
    if used + count > limit:
        raise Invalid(
            _(
                "Your plan “%(plan)s” allows %(limit)d accounts, and %(used)d are already "
                "active or invited. Disable an account you no longer need, or ask for a "
                "larger plan.",
                plan=tenant.plan,
                limit=limit,
                used=used,
            )
        )


def _active_admin_ids(session: Session) -> set[int]:
    """Administrators who can log in now: enabled, with a password set."""
    return set(
        session.scalars(
            select(User.id)
            .join(UserRole, UserRole.user_id == User.id)
            .where(
                UserRole.role == Role.TENANT_ADMIN,
                User.is_active_account.is_(True),
                User.password_hash.is_not(None),
            )
        )
    )


def _refuse_last_admin(session: Session, user: User, message: str) -> None:
    if _active_admin_ids(session) == {user.id}:
        raise Invalid(message)


def snapshot(user: User, employee: Employee | None = None) -> dict:
    """What the audit log keeps of an account; never a password hash or a token."""
    data = {
        "email": user.email,
        "name": user.name,
        "roles": [role.value for role in ROLE_ORDER if user.has_role(role)],
        "status": status_of(user).value,
    }
    if employee is not None:
        data["employee"] = employee.number
    return data


@dataclass(frozen=True)
class Invitation:
    email: str
    name: str
    roles: list[str]
    employee_number: str | None
    locale: str | None


def _unlinked_employee(session: Session, number: str, email: str) -> Employee:
    employee = session.scalar(select(Employee).where(Employee.number == number).with_for_update())
    if employee is None:
        raise Invalid(_("There is no employee with this number."), field="employee_number")
    if employee.user_id is not None:
        raise Invalid(_("This employee is already linked to an account."), field="employee_number")
    if employee.email not in (None, email):
        # The account's e-mail is its person's: one address, one person.
        raise Invalid(
            _(
                "This employee's e-mail address is %(email)s. Invite them with it, or change "
                "it on their profile first.",
                email=employee.email,
            ),
            field="email",
        )
    return employee


def _refuse_someone_elses_email(session: Session, email: str, employee: Employee | None) -> None:
    query = select(Employee.id).where(Employee.email == email)
    if employee is not None:
        query = query.where(Employee.id != employee.id)
    if session.scalar(query.limit(1)) is not None:
        raise Invalid(_("A person in your organisation has this e-mail address."), field="email")


def invite(
    session: Session, actor: Actor, tenant: Tenant | TenantRecord, invitation: Invitation
) -> User:
    """Create an invited account (no password yet), in the caller's transaction."""
    lock(session, tenant)
    email = invitation.email.strip().lower()
    if session.scalar(select(User.id).where(func.lower(User.email) == email)) is not None:
        raise Invalid(_("An account with this e-mail address already exists."), field="email")
    check_seats(session, tenant)
    _refuse_mixing(invitation.roles, linked=bool(invitation.employee_number))
    employee = None
    if invitation.employee_number:
        employee = _unlinked_employee(session, invitation.employee_number, email)
    _refuse_someone_elses_email(session, email, employee)
    user = User(
        email=email,
        name=invitation.name.strip(),
        password_hash=None,
        locale=invitation.locale or None,
        is_active_account=True,
    )
    user.roles = [UserRole(role=role) for role in _ordered(invitation.roles)]
    session.add(user)
    session.flush()
    if employee is not None:
        link_employee(session, actor, employee, user)
    record(session, actor.email, "user.invited", "user", user.id, None, snapshot(user, employee))
    return user


def link_employee(session: Session, actor: Actor, employee: Employee, user: User) -> None:
    """Make ``user`` the account of ``employee``; the person's e-mail is the account's."""
    employee.user_id = user.id
    employee.email = user.email
    record(
        session,
        actor.email,
        "employee.account_linked",
        "employee",
        employee.id,
        {"account": None},
        {"account": user.email or employee.number},
    )


def _refuse_mixing(roles: list[str], *, linked: bool) -> None:
    """A provider's contact is outside the organisation: the provider role goes alone, and
    never to an employee's account (their scope would mix staff and provider records)."""
    if Role.PROVIDER not in roles:
        return
    if len(set(roles)) > 1:
        raise Invalid(
            _(
                "A provider's contact holds the provider role only. Give a staff member "
                "another account."
            ),
            field="roles",
        )
    if linked:
        raise Invalid(
            _("An employee's account cannot be a provider's contact."), field="employee_number"
        )


def _refuse_while_contact(session: Session, user: User) -> None:
    named = select(ProviderContract.id).where(ProviderContract.contact_user_id == user.id)
    if session.scalar(named.limit(1)) is not None:
        raise Invalid(
            _(
                "%(name)s is a provider's contact. Remove them as the contact on the "
                "provider's page first.",
                name=user.name,
            )
        )


def _ordered(roles: list[str]) -> list[Role]:
    wanted = set(roles)
    return [role for role in ROLE_ORDER if role.value in wanted]


def set_roles(
    session: Session, actor: Actor, tenant: Tenant | TenantRecord, user_id: int, roles: list[str]
) -> bool:
    """Replace a user's roles; False when nothing changed (and nothing is audited)."""
    lock(session, tenant)
    user = get_user(session, user_id)
    before = [role.value for role in ROLE_ORDER if user.has_role(role)]
    after = [role.value for role in _ordered(roles)]
    if not after:
        raise Invalid(_("Choose at least one role."))
    if before == after:
        return False
    linked = session.scalar(select(Employee.id).where(Employee.user_id == user.id)) is not None
    _refuse_mixing(after, linked=linked)
    if Role.PROVIDER in before and Role.PROVIDER not in after:
        _refuse_while_contact(session, user)
    if Role.TENANT_ADMIN in before and Role.TENANT_ADMIN not in after:
        _refuse_last_admin(
            session,
            user,
            _(
                "%(name)s is the last active administrator. Make someone else an "
                "administrator first.",
                name=user.name,
            ),
        )
    # Remove and add only the differences: re-inserting a kept role would clash on its key.
    for role in [r for r in user.roles if r.role not in after]:
        user.roles.remove(role)
    user.roles.extend(UserRole(role=role) for role in after if role not in before)
    session.flush()
    record(
        session,
        actor.email,
        "user.roles_changed",
        "user",
        user.id,
        {"roles": before},
        {"roles": after},
    )
    return True


def set_enabled(
    session: Session, actor: Actor, tenant: Tenant | TenantRecord, user_id: int, enabled: bool
) -> bool:
    """Disable or re-enable an account; False when it already was so."""
    lock(session, tenant)
    user = get_user(session, user_id)
    if user.is_active_account == enabled:
        return False
    before = status_of(user).value
    if enabled:
        check_seats(session, tenant)
    else:
        _refuse_disable(session, actor, user)
        # A disabled account's open links die with it; re-enabling needs a fresh link.
        tokens.invalidate_unused(session, user.id, None, utcnow())
    user.is_active_account = enabled
    session.flush()
    action = "user.enabled" if enabled else "user.disabled"
    record(
        session,
        actor.email,
        action,
        "user",
        user.id,
        {"status": before},
        {"status": status_of(user).value},
    )
    return True


def _refuse_disable(session: Session, actor: Actor, user: User) -> None:
    if user.id == actor.user_id:
        raise Invalid(_("You cannot disable your own account. Ask another administrator to do it."))
    _refuse_last_admin(
        session,
        user,
        _(
            "%(name)s is the last active administrator and cannot be disabled.",
            name=user.name,
        ),
    )


def issue_link(
    session: Session, actor: Actor, user: User, purpose: TokenPurpose, *, by_mail: bool
) -> tuple[AccountToken, str | None]:
    """Issue an invitation or reset link for ``user``, audited.

    With mail, the token is only reserved and the mail job picks its secret (None here);
    without, the secret is returned for the admin to pass on, shown once.
    """
    if not user.is_active_account:
        raise Invalid(_("This account is disabled. Enable it first."))
    if purpose is TokenPurpose.INVITE and user.password_hash:
        raise Invalid(_("%(name)s has already accepted the invitation.", name=user.name))
    if by_mail:
        token, secret = tokens.reserve(session, user, purpose, actor.email), None
    else:
        token, secret = tokens.issue(session, user, purpose, actor.email)
    action = "user.invitation_issued" if purpose is TokenPurpose.INVITE else "user.reset_issued"
    record(
        session,
        actor.email,
        action,
        "user",
        user.id,
        None,
        {"delivery": "mail" if by_mail else "link", "expires_at": token.expires_at.isoformat()},
    )
    return token, secret
