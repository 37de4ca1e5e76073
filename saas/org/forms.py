"""Forms of the org tree. They check shape (lengths, a known kind); the rules of the tree
(unique codes, no cycles, who may do what) live in saas.org.units and come back as errors
on the same fields."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from saas.models.org import UnitKind
from saas.org.units import CATEGORY_MAX, CODE_MAX, KIND_LABELS, NAME_MAX

TOP_LEVEL = "top"
PERSON_MAX = 100  # an employee's name; their number is shorter


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class RenameForm(FlaskForm):
    name = StringField(
        _l("Name"),
        filters=[_strip],
        validators=[DataRequired(_l("Enter a name.")), Length(max=NAME_MAX)],
        render_kw={"maxlength": NAME_MAX},
    )


class UnitForm(RenameForm):
    code = StringField(
        _l("Code"),
        filters=[_strip],
        validators=[Optional(), Length(max=CODE_MAX)],
        render_kw={"maxlength": CODE_MAX, "autocapitalize": "characters"},
    )
    kind = SelectField(
        _l("Kind"),
        default=UnitKind.DEPARTMENT.value,
        choices=[SelectChoice(kind.value, label) for kind, label in KIND_LABELS.items()],
    )
    category = StringField(
        _l("Category"),
        filters=[_strip],
        validators=[Optional(), Length(max=CATEGORY_MAX)],
        render_kw={"maxlength": CATEGORY_MAX, "list": "org-categories"},
    )
    # A name or an employee number: picked from the suggestions or typed in full.
    manager = StringField(
        _l("Unit manager"),
        filters=[_strip],
        validators=[Optional(), Length(max=PERSON_MAX)],
        render_kw={"maxlength": PERSON_MAX},
    )


class MoveForm(FlaskForm):
    # Choices are the allowed targets; anything else is answered by the service's own check,
    # so a cycle gets its real explanation rather than "not a valid choice".
    parent = SelectField(
        _l("New place"),
        validate_choice=False,
        validators=[DataRequired(_l("Choose where the unit goes."))],
    )


class ConfirmForm(FlaskForm):
    """Archive and restore: nothing to fill in beyond the CSRF token."""
