"""How the audit log words what the accounts area records (see saas/audit/vocabulary.py)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from saas.accounts.forms import ROLE_LABELS
from saas.audit.vocabulary import MOMENT, Record, Words, names_by_id
from saas.models.user import User

WORDS = Words(
    actions={
        "user.invited": _l("Invited"),
        "user.invitation_issued": _l("Invitation link issued"),
        "user.invitation_accepted": _l("Invitation accepted"),
        "user.reset_issued": _l("Password reset link issued"),
        "user.password_reset": _l("Password reset"),
        "user.password_changed": _l("Password changed"),
        "user.logged_out_everywhere": _l("Logged out on every device"),
        "user.roles_changed": _l("Roles changed"),
        "user.disabled": _l("Disabled"),
        "user.enabled": _l("Enabled"),
        "employee.account_linked": _l("Linked to an account"),
        "account_sheet.created": _l("Set-up sheet printed"),
    },
    records={
        "user": Record(
            _l("Account"),
            fields={
                "roles": _l("Roles"),
                "employee": _l("Employee number"),
                "delivery": _l("Delivery"),
                "expires_at": _l("Expires"),
            },
            values={
                "roles": ROLE_LABELS,
                "status": {
                    "active": _l("active"),
                    "invited": _l("invited"),
                    "disabled": _l("disabled"),
                },
                "delivery": {"mail": _l("by mail"), "link": _l("link shown to the administrator")},
            },
            formats={"expires_at": MOMENT},
            names=lambda session, ids: names_by_id(session, User.id, User.name, ids),
        ),
        "account_sheet": Record(
            _l("Set-up sheet"),
            fields={"people": _l("People on it"), "expires_at": _l("Links expire")},
            formats={"expires_at": MOMENT},
        ),
    },
)
