"""Forms of the accounts area: invite, roles, passwords, forgotten password."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, SelectMultipleField, StringField
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from saas.accounts.users import ROLE_ORDER
from saas.auth.forms import password_fields
from saas.models.user import Role
from saas.validation import EMAIL_PATTERN
from saas.web.i18n import LANGUAGES

ROLE_LABELS = {
    Role.TENANT_ADMIN: _l("Administrator"),
    Role.COMMITTEE: _l("Committee member"),
    Role.MANAGER: _l("Manager"),
    Role.INSPECTOR: _l("Inspector"),
    Role.EMPLOYEE: _l("Employee"),
    Role.PROVIDER: _l("Provider contact"),
}
ROLE_HINTS = {
    Role.TENANT_ADMIN: _l("Sets up the organisation, people, accounts and schemes"),
    Role.COMMITTEE: _l("Approves ratings and resolves appeals"),
    Role.MANAGER: _l("Rates the staff of the units they manage"),
    Role.INSPECTOR: _l("Runs inspections and spot checks"),
    Role.EMPLOYEE: _l("Sees their own goals and statements"),
    Role.PROVIDER: _l(
        "An outsourced provider's contact: sees only their provider's contract, grades, "
        "inspections and notices; holds no other role"
    ),
}


def _role_choices() -> list[SelectChoice]:
    return [SelectChoice(role.value, ROLE_LABELS[role]) for role in ROLE_ORDER]


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form) -> None:
        # The stock check names an unknown choice in English; say it plainly instead.
        known = {choice.value for choice in self.choices}
        if any(value not in known for value in self.data or []):
            raise ValidationError(_l("Choose only from the roles listed."))


def _at_least_one(_form, field) -> None:
    if not field.data:
        raise ValidationError(_l("Choose at least one role."))


def _email_field(label) -> EmailField:
    return EmailField(
        label,
        validators=[
            DataRequired(message=_l("Enter an e-mail address.")),
            Regexp(EMAIL_PATTERN, message=_l("Enter an e-mail address like name@example.com.")),
            Length(max=254, message=_l("At most %(max)d characters.")),
        ],
    )


class RolesForm(FlaskForm):
    roles = CheckboxesField(_l("Roles"), choices=_role_choices(), validators=[_at_least_one])


class InviteForm(FlaskForm):
    email = _email_field(_l("E-mail"))
    name = StringField(
        _l("Name"),
        validators=[
            DataRequired(message=_l("Enter the person's name.")),
            Length(max=200, message=_l("At most %(max)d characters.")),
        ],
    )
    roles = CheckboxesField(_l("Roles"), choices=_role_choices(), validators=[_at_least_one])
    employee_number = StringField(
        _l("Employee number (optional)"),
        validators=[Optional(), Length(max=40, message=_l("At most %(max)d characters."))],
        filters=[lambda value: value.strip() if value else value],
    )
    locale = SelectField(
        _l("Language"),
        choices=[SelectChoice(code, label) for code, label in LANGUAGES.items()],
    )


class WelcomeForm(FlaskForm):
    name = StringField(
        _l("Your name"),
        validators=[
            DataRequired(message=_l("Enter your name.")),
            Length(max=200, message=_l("At most %(max)d characters.")),
        ],
    )
    password, confirm = password_fields()


class ResetForm(FlaskForm):
    password, confirm = password_fields()


class ForgotForm(FlaskForm):
    email = _email_field(_l("Your e-mail address"))
