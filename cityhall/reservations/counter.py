"""Bookings made by staff for a caller: at the parks office counter, or on the
phone (assisted digital). The same rules, calendar, prices and never-double-
booked checks as a resident's own booking (services.create_booking); what
differs:

- the booking is the caller's: their name, email and phone are the case's
  contact, and the case's channel says `counter` or `phone`, so take-up by
  channel is measured (insights) and the clerk who took it is recorded;
- it belongs to no account. Accounts' email addresses are not verified, so
  tying the booking to whichever account claims the caller's address could
  show it to someone else; the caller follows it from the emails (their
  status link, the facility's phone number for changes). The per-person limit
  counts the caller's bookings by email and phone number instead;
- a paid booking is held for a day (or until the booking closes, if sooner)
  while the caller pays from the emailed link, so a phone booking of a paid
  space needs an email; at the counter the clerk can open the same payment
  page with the caller, and a caller there without an email gets the usual
  15 minutes to do so.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from cityhall.cases.errors import NotAllowed
from cityhall.cases.models import Channel
from cityhall.core.roles import FACILITY_MANAGER
from cityhall.notifications.services import notify

from . import clock
from .errors import BookingInvalid
from .models import Booking, Unit
from .selectors import email_context
from .services import HOLD, Caller, Details, book_slot, day_hold
from .workflow import HELD

CHANNELS = (Channel.COUNTER, Channel.PHONE)


def can_book_for_callers(user) -> bool:
    """Facility managers, as for every other booking page of theirs (views_staff)."""
    return bool(
        user and user.is_authenticated and (user.is_superuser or user.has_role(FACILITY_MANAGER))
    )


@transaction.atomic
def book_for_caller(
    *,
    actor,
    unit: Unit,
    start: datetime,
    end: datetime,
    details: Details,
    caller: Caller,
    channel: str,
) -> Booking:
    """Books one time for `caller`, taken by `actor` (a facility manager).
    Raises what book_slot raises (BookingInvalid, SlotTaken with alternatives)."""
    if not can_book_for_callers(actor):
        raise NotAllowed("book for a caller")
    if channel not in CHANNELS:
        raise ValueError(f"a caller books at the counter or by phone, not {channel!r}")
    if not caller.name.strip():
        raise ValueError("a caller has a name")  # the form asks for it
    now = clock.now()
    if caller.email:
        hold_until = day_hold(unit, start, now)
    elif unit.is_free:
        hold_until = None  # nothing to pay: confirmed (or requested) at once
    elif channel == Channel.PHONE:
        raise BookingInvalid(
            {
                "caller_email": [
                    _(
                        "This space has a fee: give the caller's email for the payment link, "
                        "or book it with them at the counter."
                    )
                ]
            }
        )
    else:
        hold_until = now + HOLD  # at the counter, paying now with the clerk
    booking = book_slot(
        user=None,
        unit=unit,
        start=start,
        end=end,
        details=details,
        language=caller.language,
        channel=channel,
        caller=caller,
        recorded_by=actor,
        hold_until=hold_until,
    )
    if booking.case.status == HELD and caller.email:
        # A resident paying online is on the page with the Pay button; a caller
        # is told by email what to pay, by when, and where. (Confirmed and
        # requested bookings are emailed by the workflow, as anyone's.)
        notify(
            to=booking.case.contact_email,
            kind="booking_held",
            language=caller.language,
            case=booking.case,
            context=email_context(booking),
        )
    return booking
