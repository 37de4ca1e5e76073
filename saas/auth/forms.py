"""Login and password forms: tenant users log in with any of their identifiers, platform
admins with e-mail; both change their passwords the same way."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Regexp

from saas.validation import EMAIL_PATTERN

MIN_PASSWORD = 10


class LoginForm(FlaskForm):
    email = EmailField(
        _l("E-mail"),
        validators=[
            DataRequired(),
            Regexp(EMAIL_PATTERN, message=_l("Enter an e-mail address like name@example.com.")),
            Length(max=254),
        ],
    )
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


def password_fields() -> tuple[PasswordField, PasswordField]:
    """A new password and its repetition, as every form that sets one asks for them."""
    password = PasswordField(
        _l("New password"),
        validators=[
            DataRequired(message=_l("Choose a password.")),
            Length(
                min=MIN_PASSWORD,
                max=200,
                message=_l("Use %(min)d to %(max)d characters."),
            ),
        ],
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[
            DataRequired(message=_l("Repeat the password.")),
            EqualTo("password", message=_l("The two passwords differ.")),
        ],
    )
    return password, confirm


class ChangePasswordForm(FlaskForm):
    current = PasswordField(
        _l("Current password"),
        validators=[
            DataRequired(message=_l("Enter your current password.")),
            Length(max=200, message=_l("At most %(max)d characters.")),
        ],
    )
    password, confirm = password_fields()


class TenantLoginForm(FlaskForm):
    # One field for the e-mail, the mobile number or the employee number (saas/auth/logins.py).
    identifier = StringField(
        _l("E-mail / mobile / employee number"),
        validators=[
            DataRequired(message=_l("Enter your e-mail, mobile number or employee number.")),
            Length(max=254),
        ],
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(message=_l("Enter your password.")), Length(max=200)],
    )
