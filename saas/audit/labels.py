"""Words for what the audit log stores as codes: actions, record types, fields, values.

Codes without a word here are shown as they are, so an area that adds a new action is
readable in the log before it adds a label.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l

from saas.accounts.forms import ROLE_LABELS

ACTIONS = {
    "tenant.created": _l("Organisation created"),
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
}
# "<record>.<verb>" actions of other areas read well with their verb alone.
# Distinct wording keeps these apart from the same words elsewhere ("Created" is a date column).
VERBS = {
    "created": _l("Record created"),
    "updated": _l("Record changed"),
    "deleted": _l("Record deleted"),
    "renamed": _l("Renamed"),
    "moved": _l("Moved"),
    "archived": _l("Archived"),
    "restored": _l("Restored"),
    "imported": _l("Imported"),
}
RECORD_TYPES = {
    "user": _l("Account"),
    "employee": _l("Employee"),
    "org_unit": _l("Unit"),
    "position_level": _l("Position level"),
    "eligibility_rule": _l("Eligibility rule"),
    "import_batch": _l("Import"),
    "statement": _l("Statement"),
    "tenant": _l("Organisation"),
}
FIELDS = {
    "email": _l("E-mail"),
    "name": _l("Name"),
    "number": _l("Employee number"),
    "code": _l("Code"),
    "unit": _l("Unit"),
    "parent": _l("Parent unit"),
    "kind": _l("Kind"),
    "category": _l("Category"),
    "position": _l("Position"),
    "position_level": _l("Position level"),
    "employment_form": _l("Employment form"),
    "manager": _l("Reports to"),  # an employee's manager; the role "Manager" is another word
    "hire_date": _l("Hire date"),
    "roles": _l("Roles"),
    "status": _l("Status"),
    "employee": _l("Employee"),
    "account": _l("Account"),
    "delivery": _l("Delivery"),
    "expires_at": _l("Expires"),
}
STATUSES = {
    "active": _l("active"),
    "invited": _l("invited"),
    "disabled": _l("disabled"),
}
DELIVERIES = {"mail": _l("by mail"), "link": _l("link shown to the administrator")}


def action_label(action: str) -> str:
    if action in ACTIONS:
        return str(ACTIONS[action])
    verb = action.rpartition(".")[2]
    return str(VERBS[verb]) if verb in VERBS else action


def record_type_label(record_type: str) -> str:
    return str(RECORD_TYPES.get(record_type, record_type))


def field_label(field: str) -> str:
    return str(FIELDS.get(field, field))


def _one(field: str, value: Any) -> str:
    if field == "roles" and value in ROLE_LABELS:
        return str(ROLE_LABELS[value])
    if field == "status" and value in STATUSES:
        return str(STATUSES[value])
    if field == "delivery" and value in DELIVERIES:
        return str(DELIVERIES[value])
    if isinstance(value, bool):
        return str(_l("yes") if value else _l("no"))
    if field.endswith("_at") and isinstance(value, str):
        return _moment(value)
    return str(value)


def _moment(value: str) -> str:
    """An ISO timestamp in the tenant's time zone; anything else as it is."""
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return value
    return format_datetime(moment, "short") if moment.tzinfo else value


def value_text(field: str, value: Any) -> str:
    """A stored value as a reader sees it; empty for nothing at all."""
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(_one(field, item) for item in value)
    if isinstance(value, dict):
        return ", ".join(f"{key}: {_one(key, item)}" for key, item in value.items())
    return _one(field, value)
