"""Cleaning answers of the question types beyond the first permit set
(number, time, multiple choice, email, phone, yes-please declaration)."""

from __future__ import annotations

from datetime import time
from decimal import Decimal, InvalidOperation

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

PHONE_REGION = "US"


def clean_phone(raw: str) -> str:
    """A phone number as typed ((213) 555-0147, 213.555.0147, +1 …) in E.164; blank stays blank."""
    text = (raw or "").strip()
    if not text:
        return ""
    try:
        parsed = phonenumbers.parse(text, PHONE_REGION)
        valid = phonenumbers.is_valid_number(parsed)
    except phonenumbers.NumberParseException:
        valid = False
    if not valid:
        raise ValidationError(_("Enter a phone number with its area code, like (213) 555-0147."))
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def show_phone(e164: str) -> str:
    if not e164:
        return ""
    return phonenumbers.format_number(
        phonenumbers.parse(e164, PHONE_REGION), phonenumbers.PhoneNumberFormat.NATIONAL
    )


def _number(question, value, too_high):
    from .questions import _in_range

    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise ValidationError(_("Enter a number, like 12 or 2.5.")) from None
    if not number.is_finite() or abs(number) > Decimal("1e12"):
        raise ValidationError(_("Enter a number, like 12 or 2.5."))
    if number != number.quantize(Decimal("0.01")):
        raise ValidationError(_("Use at most two decimal places."))
    stored = int(number) if number == number.to_integral_value() else float(number)
    _in_range(question, stored, f"{stored:g}", too_high=too_high)
    return stored


def _time(question, value, too_high):
    try:
        moment = value if isinstance(value, time) else time.fromisoformat(str(value).strip())
    except ValueError:
        raise ValidationError(_("Enter a time like 14:30.")) from None
    return moment.strftime("%H:%M")


def _multichoice(question, value, too_high):
    values = [str(v) for v in (value if isinstance(value, list | tuple) else [value])]
    allowed = {code for code, _en, _es in question.choices}
    if any(v not in allowed for v in values):
        raise ValidationError(_("Choose from the options."))
    return [code for code, _en, _es in question.choices if code in values]  # in the list's order


def _email(question, value, too_high):
    text = str(value).strip().lower()
    try:
        validate_email(text)
    except ValidationError:
        raise ValidationError(_("Enter an email address like name@example.com.")) from None
    return text


def _phone(question, value, too_high):
    return clean_phone(str(value))


def _declaration(question, value, too_high):
    if str(value).lower() in ("yes", "on", "true", "1"):
        return "yes"
    raise ValidationError(_("Tick the box to confirm."))


CLEANERS = {
    "number": _number,
    "time": _time,
    "multichoice": _multichoice,
    "email": _email,
    "phone": _phone,
    "declaration": _declaration,
}
