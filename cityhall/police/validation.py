"""Rules for what a resident enters, shared by the HTML forms and the API.

Each function returns the clean value or raises ValidationError with a message
fit to show next to the field.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from cityhall.core.money import InvalidAmount, parse_dollars

MAX_ITEMS = 50
MAX_ITEM_VALUE_CENTS = 100_000_000  # $1,000,000: anything above is a typo or belongs at a station
MAX_QUANTITY = 999
OLDEST_INCIDENT = timedelta(days=365 * 3)
PHONE_REGION = "US"


def clean_phone(raw: str, *, required: bool = False) -> str:
    """Any common format → E.164 (+12135550147); blank allowed unless required."""
    raw = (raw or "").strip()
    if not raw:
        if required:
            raise ValidationError(_("Enter a phone number."))
        return ""
    try:
        number = phonenumbers.parse(raw, PHONE_REGION)
    except phonenumbers.NumberParseException as error:
        raise ValidationError(
            _("Enter a phone number like (213) 555-0147, with the area code.")
        ) from error
    if not phonenumbers.is_possible_number(number) or not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _(
                "This phone number has too few or too many digits. Check it and include the area code."
            )
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display_phone(e164: str) -> str:
    if not e164:
        return ""
    number = phonenumbers.parse(e164, PHONE_REGION)
    fmt = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if phonenumbers.region_code_for_number(number) == PHONE_REGION
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, fmt)


def clean_period(
    start: datetime, end: datetime | None, *, now: datetime | None = None
) -> tuple[datetime, datetime | None]:
    """When it happened: never in the future, an end not before the start, not years ago."""
    now = now or timezone.now()
    errors = {}
    if start > now:
        errors["occurred_from"] = _(
            "This date is in the future. Enter when it happened, or your best guess."
        )
    elif start < now - OLDEST_INCIDENT:
        errors["occurred_from"] = _(
            "This is more than three years ago. Call the police non-emergency number to report it."
        )
    if end is not None:
        if end > now:
            errors["occurred_to"] = _(
                "This date is in the future. Enter the last time you knew where it was."
            )
        elif end < start:
            errors["occurred_to"] = _("This must be after the first date and time.")
    if errors:
        raise ValidationError(errors)
    return start, end


def clean_value(raw) -> int:
    """Dollars as typed ('$1,299.50') or cents as an int → cents."""
    if isinstance(raw, int):
        cents = raw
    else:
        try:
            cents = parse_dollars(str(raw))
        except InvalidAmount as error:
            raise ValidationError(_("Enter an amount in dollars, like 899 or 899.99.")) from error
    if cents < 0:
        raise ValidationError(_("The value cannot be negative."))
    if cents > MAX_ITEM_VALUE_CENTS:
        raise ValidationError(
            _("This is more than $1,000,000. Check the amount, or call the police to report it.")
        )
    return cents


def clean_quantity(value: int) -> int:
    if value < 1 or value > MAX_QUANTITY:
        raise ValidationError(_("Enter how many, from 1 to %(max)d.") % {"max": MAX_QUANTITY})
    return value


def normalize_serial(serial: str) -> str:
    return "".join(ch for ch in (serial or "").upper() if ch.isalnum())


_TIME = __import__("re").compile(r"^(\d{1,2})(?::?(\d{2}))?\s*([ap])?\.?\s*m?\.?$")


def parse_time(raw: str):
    """'18:30', '6:30 pm', '6pm', '0630', '6.30 p.m.' → time; ValidationError otherwise."""
    from datetime import time

    text = (raw or "").strip().lower().replace(".", ":").replace(" ", "")
    text = {"noon": "12:00", "mediodía": "12:00", "midnight": "0:00", "medianoche": "0:00"}.get(
        text, text
    )
    text = (
        text.replace("a:m:", "am")
        .replace("p:m:", "pm")
        .replace("a:m", "am")
        .replace("p:m", "pm")
        .rstrip(":")
    )
    match = _TIME.match(text)
    if not match:
        raise ValidationError(_("Enter a time like 6:30 PM or 18:30."))
    hour, minute, half = int(match.group(1)), int(match.group(2) or 0), match.group(3)
    if half:
        if not 1 <= hour <= 12:
            raise ValidationError(_("Enter a time like 6:30 PM or 18:30."))
        hour = hour % 12 + (12 if half == "p" else 0)
    if hour > 23 or minute > 59:
        raise ValidationError(_("Enter a time like 6:30 PM or 18:30."))
    return time(hour, minute)


def missing_parts(report, *, channel: str, item_count: int) -> list[tuple[str, str]]:
    """What stops a report from being sent: [(step, message)], in page order.

    `report` may be unsaved (a report filed in one go is checked before it is
    written), so the channel and the number of items are given."""
    from cityhall.cases.models import Channel
    from cityhall.core.money import format_cents

    from .models import Kind, PoliceSettings

    missing = []
    email_needed = channel == Channel.ONLINE
    if not (report.first_name and report.last_name and (report.email or not email_needed)):
        missing.append(("about-you", _("Your name and email address")))
    if not (report.kind and report.occurred_from and report.location):
        missing.append(("incident", _("What happened, when and where")))
    if not report.narrative:
        missing.append(("narrative", _("A description of what happened")))
    if item_count < 1:
        missing.append(("items", _("At least one item")))
    elif item_count > MAX_ITEMS:
        missing.append(("items", _("At most %(max)d items") % {"max": MAX_ITEMS}))
    if report.kind == Kind.STOLEN:
        limit = PoliceSettings.current().online_value_limit_cents
        if report.total_value_cents > limit:
            missing.append(
                (
                    "items",
                    _(
                        "Thefts worth more than %(limit)s in total cannot be reported online. Call the police non-emergency "
                        "number and an officer will take your report."
                    )
                    % {"limit": format_cents(limit)},
                )
            )
    return missing
