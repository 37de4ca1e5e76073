"""The audit log's filters, the same for a tenant's log and the platform's."""

from __future__ import annotations

from flask import request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.fields import SelectChoice
from wtforms.validators import Length, Optional, ValidationError

from saas.audit import labels
from saas.audit.queries import AuditQuery, Facets
from saas.validation import page_number

FILTERS = ("actor", "record_type", "record_id", "action", "date_from", "date_to")


class FilterForm(FlaskForm):
    """Filters from the query string; reading the log changes nothing, so no CSRF token."""

    class Meta:
        csrf = False

    actor = SelectField(_l("Person"), validate_choice=False)
    record_type = SelectField(_l("Record type"), validate_choice=False)
    record_id = StringField(
        _l("Record id"),
        validators=[Optional(), Length(max=64, message=_l("At most %(max)d characters."))],
        filters=[lambda value: value.strip() if value else value],
    )
    action = SelectField(_l("Action"), validate_choice=False)
    date_from = DateField(_l("From"), validators=[Optional()], format="%Y-%m-%d")
    date_to = DateField(_l("To"), validators=[Optional()], format="%Y-%m-%d")

    def validate_date_to(self, field) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("The end date is before the start date."))

    def offer(self, found: Facets) -> None:
        """Fill the choices from what the log holds, keeping a value the URL asked for."""
        self.actor.choices = [SelectChoice("", _l("Everyone"))] + [
            SelectChoice(actor) for actor in _values(found.actors, self.actor.data)
        ]
        self.record_type.choices = _in_words(
            _l("All record types"),
            _values(found.record_types, self.record_type.data),
            labels.record_type_label,
        )
        self.action.choices = _in_words(
            _l("All actions"), _values(found.actions, self.action.data), labels.action_label
        )

    def query(self) -> AuditQuery:
        return AuditQuery(
            actor=self.actor.data or None,
            record_type=self.record_type.data or None,
            record_id=self.record_id.data or None,
            action=self.action.data or None,
            date_from=self.date_from.data,
            date_to=self.date_to.data,
            page=page_number(request.args.get("page")),
        )


def _in_words(everything, codes: list[str], label) -> list[SelectChoice]:
    """Codes as choices in the reader's words, in the order of those words."""
    named = sorted((SelectChoice(code, label(code)) for code in codes), key=lambda c: c.label)
    return [SelectChoice("", everything), *named]


def _values(values: list[str], current: str | None) -> list[str]:
    return values if not current or current in values else [*values, current]


def filtered() -> bool:
    return any(request.args.get(key) for key in FILTERS)
