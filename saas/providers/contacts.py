"""A provider's contact (服务商联系人): the one account that logs in for the provider.

The contact holds the provider role and no other, and is named on every contract row of the
provider, so a change or a removal holds across the provider's history at once (the login
reads its provider units from the rows naming the user, saas/auth/accounts.py). The replaced
or removed contact's logins end. A new contact is invited like any other account
(saas/accounts/users.py ``invite``), which counts the plan's seats; an existing account is
linked only when it holds the provider role alone and has no employee record.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from saas.accounts import users
from saas.auth.permissions import Actor
from saas.auth.sessions import end_sessions
from saas.models.audit import record
from saas.models.people import Employee
from saas.models.provider import ProviderContract
from saas.models.user import Role, User
from saas.providers.service import (
    NAME_LIMIT,
    contact_id_of,
    contracts_of,
    locked_provider,
    text_field,
)
from saas.validation import EMAIL_PATTERN, Invalid, Problems
from tenants.registry import Tenant
from tenants.resolver import TenantRecord

EMAIL_LIMIT = 254


def contact_of(session: Session, contracts: Sequence[ProviderContract]) -> User | None:
    contact_id = contact_id_of(contracts)
    return session.get(User, contact_id) if contact_id is not None else None


@dataclass(frozen=True)
class ContactInput:
    email: str = ""
    name: str = ""
    locale: str | None = None


def _checked_contact(data: ContactInput) -> tuple[str, str | None]:
    problems = Problems()
    email = (data.email or "").strip().lower()
    if not email:
        problems.add("email", _l("Enter an e-mail address."))
    elif len(email) > EMAIL_LIMIT or not EMAIL_PATTERN.fullmatch(email):
        problems.add("email", _l("Enter an e-mail address like name@example.com."))
    name = problems.check(text_field, data.name, NAME_LIMIT, "name")
    problems.raise_any()
    return email, name


def _refuse_staff_account(session: Session, user: User) -> None:
    """A provider's contact is outside the organisation: only the provider role."""
    staff = user.role_names - {Role.PROVIDER.value}
    employee = session.scalar(select(Employee.id).where(Employee.user_id == user.id))
    if staff or employee is not None:
        raise Invalid(
            _l(
                "This e-mail address belongs to a staff account. A provider's contact holds "
                "the provider role only: use another address."
            ),
            "email",
        )
    if not user.is_active_account:
        raise Invalid(
            _l("This account is disabled. Enable it on the Accounts page first."), "email"
        )


def _name_contact(
    session: Session, actor: Actor, provider_id: int, user: User | None
) -> User | None:
    """Name ``user`` (or nobody) the contact on every contract row of the provider; the
    replaced contact's logins end. Returns the replaced contact."""
    contracts = contracts_of(session, provider_id)
    old = contact_of(session, contracts)
    for contract in contracts:
        contract.contact_user_id = user.id if user is not None else None
    session.flush()
    if old is not None and (user is None or old.id != user.id):
        end_sessions(session, old)
    record(
        session,
        actor.email,
        "provider.contact_set" if user is not None else "provider.contact_removed",
        "provider",
        provider_id,
        {"contact": old.email if old is not None else None},
        {"contact": user.email if user is not None else None},
    )
    return old


def set_contact(
    session: Session,
    actor: Actor,
    tenant: Tenant | TenantRecord,
    provider_id: int,
    data: ContactInput,
) -> tuple[User, bool] | None:
    """Make the account with this e-mail the provider's contact, inviting a new account (the
    provider role only) when there is none: (the account, whether it was invited). None when
    the provider is not found in reach."""
    actor.require("providers.manage")
    if locked_provider(session, actor, provider_id, contracts=False) is None:
        return None
    email, name = _checked_contact(data)
    contracts = contracts_of(session, provider_id)
    if not contracts:
        raise Invalid(_l("Record the provider's contract first."), "email")
    user = session.scalar(select(User).where(func.lower(User.email) == email))
    invited = user is None
    if user is None:
        if not name:
            raise Invalid(_l("Enter the contact's name."), "name")
        invitation = users.Invitation(email, name, [Role.PROVIDER.value], None, data.locale)
        user = users.invite(session, actor, tenant, invitation)
    else:
        _refuse_staff_account(session, user)
    if contact_id_of(contracts) == user.id:
        raise Invalid(_l("%(name)s is already the contact.", name=user.name), "email")
    _name_contact(session, actor, provider_id, user)
    return user, invited


def remove_contact(
    session: Session, actor: Actor, provider_id: int, contact_id: int | None
) -> User | None:
    """The provider has no contact any more; their logins end. ``contact_id`` is the contact
    the form showed, so a stale page cannot remove someone else. None when the provider is
    not found in reach."""
    actor.require("providers.manage")
    if locked_provider(session, actor, provider_id, contracts=False) is None:
        return None
    current = contact_id_of(contracts_of(session, provider_id))
    if current is None:
        raise Invalid(_l("The provider has no contact."), "contact")
    if contact_id != current:
        raise Invalid(_l("The contact has changed since the page was shown: reload it."), "contact")
    return _name_contact(session, actor, provider_id, None)
