"""A person's mobile number and e-mail address: how they are written, checked and stored.

Mobile numbers are mainland China mobile numbers. People write them in many ways (138 0013
8000, 138-0013-8000, +86 13800138000, 0086…, full-width digits); Google's libphonenumber
(``phonenumbers``) reads them all and knows which ranges are mobile ranges, so Kaohe stores
just the 11 digits and can find a person by whatever way they type their number at login.
E-mail addresses are stored in lower case. Pure functions: the services and the importer
turn a ``BadContact`` into a message of their own.
"""

from __future__ import annotations

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType

from saas.validation import EMAIL_PATTERN

MOBILE_LENGTH = 20  # Employee.mobile; the stored form is 11 digits
EMAIL_LENGTH = 254  # Employee.email and User.email
_INPUT_LIMIT = 40  # longer than any way of writing a mobile number
_CHINA = 86


class BadContact(ValueError):
    """Not a mainland mobile number, or not an e-mail address."""


def normalise_mobile(text: str) -> str:
    """The 11 digits of a mainland mobile number however it was written; raises BadContact."""
    text = text.strip()
    if not text or len(text) > _INPUT_LIMIT:
        raise BadContact(text)
    try:
        number = phonenumbers.parse(text, "CN")
    except NumberParseException:
        raise BadContact(text) from None
    if (
        number.country_code != _CHINA
        or number.extension
        or not phonenumbers.is_valid_number(number)
        or phonenumbers.number_type(number) != PhoneNumberType.MOBILE
    ):
        raise BadContact(text)
    return str(number.national_number)


def mobile_or_none(text: str) -> str | None:
    """The stored form of ``text`` if it is a mainland mobile number, else None (login)."""
    try:
        return normalise_mobile(text)
    except BadContact:
        return None


def normalise_email(text: str) -> str:
    """An e-mail address in lower case, without surrounding spaces; raises BadContact."""
    text = text.strip().lower()
    if len(text) > EMAIL_LENGTH or not EMAIL_PATTERN.fullmatch(text):
        raise BadContact(text)
    return text


def display_mobile(digits: str | None) -> str:
    """138 0013 8000: the stored digits grouped as people read them."""
    if not digits:
        return ""
    number = phonenumbers.parse(digits, "CN")
    return phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
