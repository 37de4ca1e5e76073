"""The onboarding form: the same rules as `kaohe tenant create`."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    EmailField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Regexp

from saas.platform.onboarding import REASON_MAX
from saas.validation import EMAIL_PATTERN
from saas.web.i18n import LANGUAGES
from tenants.slugs import InvalidSlug, validate_slug

MAX_SEATS = 100_000


class TenantForm(FlaskForm):
    slug = StringField(_l("Slug (used in URLs)"), validators=[DataRequired(), Length(max=40)])
    name = StringField(_l("Organisation name"), validators=[DataRequired(), Length(max=200)])
    admin_email = EmailField(
        _l("First administrator's e-mail"),
        validators=[
            DataRequired(),
            Regexp(EMAIL_PATTERN, message=_l("Enter an e-mail address like name@example.com.")),
            Length(max=254),
        ],
    )
    locale = SelectField(
        _l("Default language"),
        choices=[SelectChoice(code, label) for code, label in LANGUAGES.items()],
    )
    time_zone = StringField(
        _l("Time zone"), default="Asia/Shanghai", validators=[DataRequired(), Length(max=64)]
    )
    seat_limit = IntegerField(
        _l("Seat limit"),
        default=50,
        # Not DataRequired: it takes 0 for a missing value and would say "required".
        validators=[
            InputRequired(message=_l("Enter how many accounts the organisation may have.")),
            NumberRange(
                min=1,
                max=MAX_SEATS,
                message=_l(
                    "From %(min)d to %(max)d: every organisation needs a seat for its first "
                    "administrator."
                ),
            ),
        ],
    )

    def validate_slug(self, field) -> None:
        try:
            validate_slug(field.data or "")
        except InvalidSlug:
            raise ValidationError(
                _l(
                    "3 to 40 characters: lower-case letters a–z, digits 0–9 and hyphens, "
                    "starting and ending with a letter or digit; some words are reserved."
                )
            ) from None

    def validate_time_zone(self, field) -> None:
        from zoneinfo import available_timezones

        if field.data not in available_timezones():
            raise ValidationError(_l("Unknown time zone, e.g. Asia/Shanghai."))


class SuspendForm(FlaskForm):
    reason = TextAreaField(
        _l("Why is it suspended?"),
        validators=[
            DataRequired(message=_l("Say why: the reason is kept in the platform's audit log.")),
            Length(max=REASON_MAX, message=_l("At most %(max)d characters.")),
        ],
    )
