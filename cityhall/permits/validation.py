"""Small input rules for contacts."""

from __future__ import annotations

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

REGION = "US"


def clean_phone(raw: str) -> str:
    """A phone number as typed ((213) 555-0147, 213.555.0147, +1 …) in E.164; blank stays blank."""
    text = (raw or "").strip()
    if not text:
        return ""
    try:
        parsed = phonenumbers.parse(text, REGION)
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
        phonenumbers.parse(e164, REGION), phonenumbers.PhoneNumberFormat.NATIONAL
    )
