"""Forms of the people area. They check the shape of the input; the services check the rules
(unique numbers, scope, manager cycles) and their messages are put back on these fields."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, EmailField, IntegerField, SelectField, StringField, TelField
from wtforms.fields import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from saas.models.people import EmployeeStatus
from saas.people.employees import STATUS_LABELS
from saas.validation import record_id


def optional_int(value: Any) -> int | None:
    """Coerce a select's value: "" (the placeholder) is None, anything else an int."""
    if value in (None, ""):
        return None
    # Garbage becomes an id no option has, so the user reads "Not a valid choice".
    found = record_id(value)
    return -1 if found is None else found


def choices(placeholder: Any, options: list[tuple[int, str]]) -> list[SelectChoice]:
    """A select's options after an empty placeholder (which coerces to None)."""
    return [SelectChoice("", placeholder)] + [SelectChoice(v, label) for v, label in options]


class EmployeeForm(FlaskForm):
    number = StringField(
        _l("Employee number"),
        validators=[InputRequired(_l("Enter the employee number.")), Length(max=40)],
    )
    name = StringField(
        _l("Full name"), validators=[InputRequired(_l("Enter the name.")), Length(max=100)]
    )
    unit_id = SelectField(_l("Unit"), coerce=optional_int)
    position = StringField(_l("Position"), validators=[Optional(), Length(max=100)])
    position_level_id = SelectField(_l("Position level"), coerce=optional_int)
    employment_form = StringField(_l("Employment form"), validators=[Optional(), Length(max=40)])
    manager = StringField(_l("Manager (employee number)"), validators=[Optional(), Length(max=40)])
    hire_date = DateField(_l("Hire date"), validators=[Optional()])
    status = SelectField(
        _l("Status"),
        choices=[SelectChoice(status.value, label) for status, label in STATUS_LABELS.items()],
        default=EmployeeStatus.ACTIVE.value,
    )
    # Checked and normalised by the service (saas/people/contacts.py), which knows what is taken.
    mobile = TelField(_l("Mobile number"), validators=[Optional(), Length(max=40)])
    email = EmailField(_l("E-mail"), validators=[Optional(), Length(max=254)])

    # Where a service's field name differs from the form's.
    SERVICE_FIELDS = {"manager_id": "manager"}

    def set_choices(self, units: list[tuple[int, str]], levels: list[tuple[int, str]]) -> None:
        self.unit_id.choices = choices(_l("Choose a unit"), units)
        self.position_level_id.choices = choices(_l("No level"), levels)

    def add_errors(self, errors: dict[str, list[Any]]) -> None:
        for name, messages in errors.items():
            target = getattr(self, self.SERVICE_FIELDS.get(name, name), None) or self.number
            target.errors = [*target.errors, *messages]


class LevelForm(FlaskForm):
    name = StringField(_l("Name"), validators=[InputRequired(_l("Enter a name.")), Length(max=60)])
    rank = IntegerField(
        _l("Rank"),
        validators=[
            InputRequired(_l("Enter a whole number from 1 to %(max)d.", max=999)),
            NumberRange(min=1, max=999, message=_l("Enter a whole number from 1 to 999.")),
        ],
    )


class LevelRuleForm(FlaskForm):
    position_level_id = SelectField(_l("Position level"), coerce=optional_int)
    note = StringField(_l("Note (optional)"), validators=[Optional(), Length(max=200)])


class ValueRuleForm(FlaskForm):
    value = StringField(
        _l("Value"), validators=[InputRequired(_l("Enter a value.")), Length(max=60)]
    )
    note = StringField(_l("Note (optional)"), validators=[Optional(), Length(max=200)])
