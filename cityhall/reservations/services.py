"""Making bookings: one time or a weekly series, held while the resident pays,
confirmed (or sent for approval) when the invoice is paid; free units leave
the hold at once.

Never double-booked: every booking locks its unit's row, then checks the
rules and the times already taken, then writes, all in one transaction.
Two people asking for the same time queue on the lock; the second sees the
first's booking and is told the time was just taken. On SQLite the IMMEDIATE
transactions serialize the same steps; on PostgreSQL an exclusion
constraint refuses an overlap even if a code path forgot the lock.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cityhall.cases import services as cases
from cityhall.cases.errors import NotAllowed
from cityhall.cases.models import Case, Channel, EventKind
from cityhall.cases.workflow import APPLICANT, SYSTEM

from . import calendars, clock, pricing, rules
from .errors import NON_FIELD, BookingError, BookingInvalid, SlotTaken
from .models import Booking, Occurrence, Unit
from .timeutil import fmt_date, utc
from .workflow import HELD, OCCUPYING, SERVICE_CODE

logger = logging.getLogger(__name__)

HOLD = timedelta(minutes=settings.CITYHALL_BOOKING_HOLD_MINUTES)
MAX_SERIES = 26
PURPOSE_MAX = 300


@dataclass(frozen=True)
class Details:
    attendees: int
    purpose: str
    resident: bool = True


@dataclass(frozen=True)
class Caller:
    """Someone booking through staff, at the counter or on the phone (counter.py)."""

    name: str
    email: str = ""
    phone: str = ""
    language: str = "en"


DAY_HOLD = timedelta(hours=24)


def day_hold(unit: Unit, start: datetime, now: datetime) -> datetime:
    """How long a time is kept for someone who was not at the screen when it was
    taken (offered from the waitlist, booked for a caller): a day to decide or
    pay, never past the time online booking closes for that start, never less
    than a resident's own hold."""
    last_call = start - timedelta(hours=unit.closes_hours_before)
    return min(now + DAY_HOLD, max(now + HOLD, last_call))


def _details_errors(details: Details) -> dict[str, list[str]]:
    purpose = (details.purpose or "").strip()
    if not purpose:
        return {"purpose": [_("Say what the booking is for, for example “Birthday picnic”.")]}
    if len(purpose) > PURPOSE_MAX:
        return {
            "purpose": [
                _("Keep the purpose to %(max)d characters or fewer.") % {"max": PURPOSE_MAX}
            ]
        }
    return {}


def book_slot(
    *,
    user,
    unit: Unit,
    start: datetime,
    end: datetime,
    details: Details,
    language: str = "en",
    channel: str = Channel.ONLINE,
    **options,
) -> Booking:
    """Books one time. Raises BookingInvalid ({field: [messages]}) when a rule is
    not met, SlotTaken (with alternatives) when someone else has the time.
    `options`: create_booking's (a caller's booking: counter.py)."""
    try:
        return create_booking(
            user=user,
            unit=unit,
            times=[(start, end)],
            details=details,
            language=language,
            channel=channel,
            **options,
        )
    except SlotTaken as taken:
        from .availability import alternatives

        taken.alternatives = alternatives(
            unit=unit, start=start, end=end, attendees=details.attendees, now=clock.now()
        )
        raise


def book_series(
    *,
    user,
    unit: Unit,
    times: list[tuple[datetime, datetime]],
    details: Details,
    pattern: dict,
    language: str = "en",
) -> Booking:
    """Books a weekly series as one booking (one case, one invoice)."""
    if not times:
        raise BookingError(_("None of these dates can be booked."), "weeks")
    if len(times) > MAX_SERIES:
        raise BookingError(
            _("A series can have at most %(max)d dates.") % {"max": MAX_SERIES}, "weeks"
        )
    return create_booking(
        user=user,
        unit=unit,
        times=sorted(times),
        details=details,
        language=language,
        series={**pattern, "count": len(times)},
    )


@transaction.atomic
def create_booking(
    *,
    user,
    unit: Unit,
    times: list[tuple[datetime, datetime]],
    details: Details,
    language: str = "en",
    channel: str = Channel.ONLINE,
    series: dict | None = None,
    waitlist_entry=None,
    hold_until: datetime | None = None,
    release_stale: bool = True,
    caller: Caller | None = None,
    recorded_by=None,
) -> Booking:
    """`caller`: booked by staff (`recorded_by`) for this person, whose account
    (`user`) may be None; see counter.py.

    `release_stale=False`: the caller already holds the unit's lock (an offer
    to the waitlist, made inside the transaction that freed the time).
    Releasing another booking's hold would then lock its invoice after the
    unit, the reverse of the order every booking write takes (invoice, unit,
    case), and deadlock against that hold's own release. So a hold that ran
    out but is not released counts as taken here (it may still turn out paid
    in time; SQLite has no exclusion constraint to refuse the overlap), and
    its own release offers the time again."""
    if caller is None and (user is None or not user.is_authenticated):
        raise BookingError(_("Sign in to book."))
    times = [(utc(a), utc(b)) for a, b in times]
    now = clock.now()
    first, last = min(a for a, _b in times), max(b for _a, b in times)
    if release_stale:
        _release_stale_holds(unit=unit, first=first, last=last, now=now)
    unit = Unit.objects.select_for_update().select_related("facility").get(pk=unit.pk)
    calendar = calendars.load_one(
        unit, first - timedelta(days=1), last + timedelta(days=1), now=now
    )

    errors = _details_errors(details)
    for start, end in times:
        found = rules.problems(
            calendar,
            start,
            end,
            now=now,
            resident=details.resident,
            attendees=details.attendees,
        )
        for field, messages in found.items():
            if len(times) > 1:
                messages = [f"{fmt_date(start)}: {m}" for m in messages]
            for message in messages:
                if message not in errors.get(field, []):
                    errors.setdefault(field, []).append(message)
    if errors:
        raise BookingInvalid(errors)
    if caller is not None:
        _check_caller_limit(caller=caller, unit=unit, now=now)
    else:
        _check_limit(user=user, unit=unit, now=now)
    for index, (start, end) in enumerate(times):
        if calendar.collides(start, end) or overlapping(
            unit, start, end, now=now, run_out_holds_free=release_stale
        ):
            raise SlotTaken()
        if index and start - unit.buffer_before < times[index - 1][1] + unit.buffer_after:
            raise BookingError(_("The dates of a series cannot overlap."), "weeks")

    quote = pricing.quote(unit=unit, times=times, resident=details.resident)
    case = cases.open_case(
        service=SERVICE_CODE,
        channel=channel,
        contact_name=caller.name if caller else (user.full_name or user.email),
        contact_email=caller.email if caller else user.email,
        contact_phone=caller.phone if caller else "",
        language=language,
        applicant=user,
        recorded_by=recorded_by,
    )
    booking = Booking.objects.create(
        case=case,
        unit=unit,
        user=user,
        attendees=details.attendees,
        purpose=details.purpose.strip(),
        resident=details.resident,
        series=series or {},
        price_cents=quote.rental_cents,
        deposit_cents=quote.deposit_cents,
        waitlist_entry=waitlist_entry,
    )
    occurrences = [
        Occurrence(
            booking=booking,
            unit=unit,
            start=start,
            end=end,
            blocked_from=start - unit.buffer_before,
            blocked_until=end + unit.buffer_after,
            price_cents=rent,
        )
        for (start, end), rent in zip(times, quote.rentals, strict=True)
    ]
    try:
        with transaction.atomic():
            Occurrence.objects.bulk_create(occurrences)
    except IntegrityError as error:  # PostgreSQL's exclusion constraint: the last word
        raise SlotTaken() from error

    if quote.total_cents:
        from cityhall.payments.services import create_invoice

        booking.invoice = create_invoice(
            case=case,
            schedule=unit.fee_schedule,
            items=quote.items,
            resident=details.resident,
            notify_payer=False,
        )
        _hold(booking, hold_until or now + HOLD)
        booking.save(update_fields=["invoice"])
    elif waitlist_entry is not None:
        _hold(booking, hold_until or now + HOLD)  # the resident says yes first
    else:
        _leave_hold(booking, acting_as=APPLICANT, actor=user)
    return booking


def overlapping(
    unit: Unit,
    start: datetime,
    end: datetime,
    *,
    now: datetime,
    exclude_booking=None,
    run_out_holds_free: bool = True,
):
    """The authoritative check, made under the unit's lock: any active time of the
    unit whose taken range meets [start, end) widened by the unit's buffers
    (whatever its length: the calendars look back only as far as today's rules).
    A hold that ran out is free (`_release_stale_holds` releases it first) unless
    `run_out_holds_free` is False (see create_booking's `release_stale`)."""
    taken = Occurrence.objects.filter(
        unit=unit,
        active=True,
        blocked_from__lt=end + unit.buffer_after,
        blocked_until__gt=start - unit.buffer_before,
    )
    if run_out_holds_free:
        taken = taken.exclude(held_until__lte=now)
    if exclude_booking is not None:
        taken = taken.exclude(booking_id=exclude_booking)
    return taken.exists()


def _active_bookings(unit: Unit, now: datetime):
    """The unit's bookings that still hold a time to come."""
    upcoming = Occurrence.objects.filter(booking=OuterRef("pk"), active=True, end__gt=now)
    return (
        Booking.objects.filter(unit=unit, case__status__in=OCCUPYING)
        .filter(Exists(upcoming))
        .exclude(case__status=HELD, hold_expires_at__lte=now)
    )


def active_bookings_of(user, unit: Unit, now: datetime):
    """The person's bookings of the unit that still hold a time to come."""
    return _active_bookings(unit, now).filter(user=user)


def _check_caller_limit(*, caller: Caller, unit: Unit, now: datetime) -> None:
    """The per-person limit for a booking taken by staff: the caller's bookings
    are those made with their email or phone number, online or through staff."""
    limit = unit.max_active_per_person
    email = (caller.email or "").strip().lower()
    same = Q()
    if email:
        same |= Q(case__contact_email=email) | Q(user__email__iexact=email)
    if caller.phone:
        same |= Q(case__contact_phone=caller.phone)
    if limit is None or not same:
        return
    count = _active_bookings(unit, now).filter(same).count()
    if count >= limit:
        raise BookingInvalid(
            {
                NON_FIELD: [
                    ngettext(
                        "The caller already has %(count)d active booking of %(unit)s, the "
                        "most allowed (found by their email or phone number).",
                        "The caller already has %(count)d active bookings of %(unit)s, the "
                        "most allowed (found by their email or phone number).",
                        count,
                    )
                    % {"count": count, "unit": unit.name}
                ]
            }
        )


def _check_limit(*, user, unit: Unit, now: datetime) -> None:
    limit = unit.max_active_per_person
    if limit is None:
        return
    count = active_bookings_of(user, unit, now).count()
    if count >= limit:
        raise BookingInvalid(
            {
                NON_FIELD: [
                    ngettext(
                        "You already have %(count)d active booking of %(unit)s, the most "
                        "allowed. Cancel it, or book again after it has taken place.",
                        "You already have %(count)d active bookings of %(unit)s, the most "
                        "allowed. Cancel one, or book again after one has taken place.",
                        count,
                    )
                    % {"count": count, "unit": unit.name}
                ]
            }
        )


def _release_stale_holds(*, unit: Unit, first: datetime, last: datetime, now: datetime) -> None:
    """Holds on these times that ran out are released before the check (the
    worker would release them within a minute; the next person need not wait)."""
    from .lifecycle import release_hold

    margin = unit.max_duration + unit.buffer_before + unit.buffer_after
    stale = Booking.objects.filter(
        unit=unit,
        case__status=HELD,
        hold_expires_at__lte=now,
        occurrences__active=True,
        occurrences__blocked_from__lt=last + margin,
        occurrences__blocked_until__gt=first - margin,
    ).values_list("pk", flat=True)
    for pk in sorted(set(stale)):
        release_hold(pk, now=now)


def _hold(booking: Booking, until: datetime) -> None:
    Booking.objects.filter(pk=booking.pk).update(hold_expires_at=until)
    Occurrence.objects.filter(booking=booking).update(held_until=until)
    booking.hold_expires_at = until


def _leave_hold(booking: Booking, *, acting_as: str, actor=None, payload=None) -> None:
    transition = "request" if booking.unit.needs_approval else "confirm"
    Booking.objects.filter(pk=booking.pk).update(hold_expires_at=None)
    Occurrence.objects.filter(booking=booking).update(held_until=None)
    booking.hold_expires_at = None
    cases.transition_case(
        case=booking.case,
        transition=transition,
        actor=actor if acting_as == APPLICANT else None,
        acting_as=acting_as,
        payload=payload,
    )


# ---- payment ----------------------------------------------------------------


def on_invoice_paid(paid) -> None:
    """cases.registry.ServiceType.on_invoice_paid: payments calls it, in its
    transaction, when a booking's invoice is paid in full (with the invoice or
    its case)."""
    case = getattr(paid, "case", paid)
    booking = Booking.objects.select_related("case", "unit").filter(case_id=case.pk).first()
    if booking is not None:
        settle_payment(booking=booking)


@transaction.atomic
def settle_payment(*, booking: Booking) -> bool:
    """Held → confirmed (or → requested when staff approve). True if this call moved it.
    A payment for a booking already released is refunded in full."""
    case = Case.objects.select_for_update().get(pk=booking.case_id)
    booking.case.status = case.status
    if case.status == HELD:
        invoice = booking.invoice
        _leave_hold(
            booking,
            acting_as=SYSTEM,
            payload={"invoice": invoice.number if invoice else ""},
        )
        return True
    if case.status not in OCCUPYING:
        from .tasks import refund_late_payment

        cases.add_event(
            case=case,
            kind=EventKind.NOTE,
            payload={"note": "paid after the booking was released: refunding"},
        )
        refund_late_payment.enqueue(booking.pk)
        logger.warning("booking %s paid while %s: refunding", case.reference, case.status)
    return False


def reconcile(booking: Booking) -> bool:
    """A held booking whose invoice is paid is confirmed now (a safety net for a
    payment whose callback did not reach us); one whose hold has run out unpaid
    is released now, as the worker would in a minute, so the page never says
    "holding until" a time already past. True when something changed."""
    if booking.case.status != HELD:
        return False
    now = clock.now()
    if booking.hold_expires_at is not None and booking.hold_expires_at <= now:
        from .lifecycle import release_hold

        # A hold paid in time but not yet seen is settled there instead.
        release_hold(booking.pk, now=now)
        return True
    if booking.invoice_id is None:
        return False
    with transaction.atomic():
        invoice = pricing.lock_invoice(booking)
        if not pricing.is_settled(invoice):
            return False
        return settle_payment(booking=booking)


@transaction.atomic
def confirm_hold(*, booking: Booking, user) -> None:
    """The resident takes up a free time offered from the waitlist."""
    if booking.user_id != user.pk:
        raise NotAllowed("confirm")
    case = Case.objects.select_for_update().get(pk=booking.case_id)
    booking.case.status = case.status
    if case.status in OCCUPYING and case.status != HELD and not booking.invoice_id:
        return  # taken up already (the second click of a double click)
    if case.status != HELD:
        raise BookingError(_("This booking is no longer waiting for you to confirm it."))
    if booking.invoice_id:
        raise BookingError(_("Pay the invoice to confirm this booking."))
    if booking.hold_expires_at is not None and booking.hold_expires_at <= clock.now():
        raise BookingError(_("Sorry, the time we kept for you has run out."))
    _leave_hold(booking, acting_as=APPLICANT, actor=user)
