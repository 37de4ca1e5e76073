"""The audit log page: /t/<slug>/audit/, tenant admins only, read-only (GET is all there is)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import Blueprint, g, request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.fields import SelectChoice
from wtforms.validators import Length, Optional, ValidationError

from saas.audit import labels
from saas.audit.queries import AuditQuery, Facets, facets, search
from saas.auth.guard import requires
from saas.validation import page_number
from saas.web.fragments import page_or_fragment
from saas.web.tenancy import TENANT_PREFIX, tenant_session

bp = Blueprint("audit", __name__, url_prefix=TENANT_PREFIX + "/audit")


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
        self.record_type.choices = [SelectChoice("", _l("All record types"))] + [
            SelectChoice(code, labels.record_type_label(code))
            for code in _values(found.record_types, self.record_type.data)
        ]
        self.action.choices = [SelectChoice("", _l("All actions"))] + [
            SelectChoice(code, labels.action_label(code))
            for code in _values(found.actions, self.action.data)
        ]


def _values(values: list[str], current: str | None) -> list[str]:
    return values if not current or current in values else [*values, current]


def _query(form: FilterForm) -> AuditQuery:
    return AuditQuery(
        actor=form.actor.data or None,
        record_type=form.record_type.data or None,
        record_id=form.record_id.data or None,
        action=form.action.data or None,
        date_from=form.date_from.data,
        date_to=form.date_to.data,
        page=page_number(request.args.get("page")),
    )


@bp.get("/")
@requires("audit.view")
def index():
    session = tenant_session()
    form = FilterForm(request.args)
    form.offer(facets(session))
    valid = form.validate()
    page = search(session, _query(form), ZoneInfo(g.tenant.time_zone)) if valid else None
    context = {"form": form, "page": page, "labels": labels, "filtered": _filtered()}
    body = page_or_fragment("audit/index.html", "audit/_results.html", **context)
    return body, 200 if valid else 400


def _filtered() -> bool:
    keys = ("actor", "record_type", "record_id", "action", "date_from", "date_to")
    return any(request.args.get(key) for key in keys)
