"""Login forms: tenant users log in with any of their identifiers, platform admins with e-mail."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Length, Regexp

from saas.validation import EMAIL_PATTERN


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
