"""What the worker does to bookings as time passes: releases holds that were
not paid (or taken up) in time, and completes bookings that have taken place
(returning their deposit). Each step is its own transaction and safe to run
twice; locks are taken invoice first, then unit, then case (the order
payments uses), so a payment arriving at the same moment waits, or wins.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import translation
from django.utils.translation import gettext_lazy

from cityhall.cases import services as cases
from cityhall.cases.models import Case
from cityhall.cases.workflow import SYSTEM

from . import clock, pricing
from .models import Booking, Occurrence, Unit, WaitlistEntry, WaitlistStatus
from .workflow import CONFIRMED, HELD

logger = logging.getLogger(__name__)

COMPLETE_AFTER = timedelta(days=1)  # time to report damage before a deposit goes back


def free_occurrences(booking: Booking, *, now: datetime, reason: str = "", only=None):
    """Deactivates the booking's active times (or `only` these); returns the freed
    ranges that are still to come, buffers included, for the waitlist."""
    active = booking.occurrences.filter(active=True)
    if only is not None:
        active = active.filter(pk__in=[o.pk for o in only])
    freed = [(o.blocked_from, o.blocked_until) for o in active if o.end > now]
    active.update(active=False, cancelled_at=now, cancel_reason=reason[:500])
    return freed


def in_english(text) -> str:
    """Reasons stored for finance staff are kept in English, whoever caused them."""
    with translation.override("en"):
        return str(text)


def release_expired_holds(*, now: datetime | None = None) -> int:
    now = now or clock.now()
    due = list(
        Booking.objects.filter(case__status=HELD, hold_expires_at__lte=now).values_list(
            "pk", flat=True
        )[:500]
    )
    released = 0
    for pk in due:
        try:
            released += release_hold(pk, now=now)
        except Exception:  # one bad row must not stop the others
            logger.exception("could not release the hold of booking %s", pk)
    lapse_past_waitlist(now=now)
    return released


@transaction.atomic
def release_hold(booking_id: int, *, now: datetime) -> int:
    from .services import settle_payment
    from .waitlist import offer_freed

    booking = Booking.objects.select_related("case", "unit__facility").get(pk=booking_id)
    invoice = pricing.lock_invoice(booking)
    if pricing.is_settled(invoice):
        settle_payment(booking=booking)  # paid (or waived) in time: the callback was missed
        return 0
    Unit.objects.select_for_update().filter(pk=booking.unit_id).first()
    case = Case.objects.select_for_update().get(pk=booking.case_id)
    booking.refresh_from_db(fields=["hold_expires_at"])
    if case.status != HELD or booking.hold_expires_at is None or booking.hold_expires_at > now:
        return 0
    freed = free_occurrences(booking, now=now, reason="hold expired")
    pricing.release_money(
        booking=booking, refund_cents=0, reason=in_english(gettext_lazy("The hold ran out unpaid."))
    )
    cases.transition_case(case=booking.case, transition="expire", acting_as=SYSTEM)
    if booking.waitlist_entry_id:
        WaitlistEntry.objects.filter(pk=booking.waitlist_entry_id).update(
            status=WaitlistStatus.LAPSED
        )
    offer_freed(unit=booking.unit, ranges=freed, now=now)
    return 1


def lapse_past_waitlist(*, now: datetime) -> int:
    return WaitlistEntry.objects.filter(status=WaitlistStatus.WAITING, start__lte=now).update(
        status=WaitlistStatus.LAPSED
    )


def complete_past_bookings(*, now: datetime | None = None) -> int:
    now = now or clock.now()
    cutoff = now - COMPLETE_AFTER
    upcoming = Occurrence.objects.filter(booking=OuterRef("pk"), active=True, end__gt=cutoff)
    any_time = Occurrence.objects.filter(booking=OuterRef("pk"), active=True)
    due = list(
        Booking.objects.filter(case__status=CONFIRMED)
        .filter(Exists(any_time))
        .exclude(Exists(upcoming))
        .values_list("pk", flat=True)[:500]
    )
    done = 0
    for pk in due:
        try:
            done += complete_booking(pk, now=now)
        except Exception:
            logger.exception("could not complete booking %s", pk)
    return done


@transaction.atomic
def complete_booking(booking_id: int, *, now: datetime) -> int:
    booking = Booking.objects.select_related("case", "unit").get(pk=booking_id)
    pricing.lock_invoice(booking)
    case = Case.objects.select_for_update().get(pk=booking.case_id)
    if case.status != CONFIRMED:
        return 0
    payload = {}
    if booking.deposit_cents and booking.deposit_settled_at is None:
        if not booking.deposit_kept_reason:
            payload["deposit_refund_cents"] = pricing.release_money(
                booking=booking,
                refund_cents=booking.deposit_cents,
                reason=in_english(gettext_lazy("Deposit returned after the booking.")),
            )
        Booking.objects.filter(pk=booking.pk).update(deposit_settled_at=now)
    cases.transition_case(
        case=booking.case, transition="complete", acting_as=SYSTEM, payload=payload
    )
    return 1
