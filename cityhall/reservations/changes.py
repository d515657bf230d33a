"""Cancelling and changing bookings: by the resident within the unit's rules,
with the refund its policy gives; by staff at any time, with a reason and a
full refund. Freed times are offered to the waitlist in the same transaction.

Resident rules: a booking (a series: its next date; one date of a series:
that date) can be cancelled or changed online until `cancel_hours_before`
hours before it starts. A confirmed booking cancelled in time gets
`refund_percent` of the rental back, and the deposit; one not yet approved
gets everything back. Dates already past are not refunded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from cityhall.cases import services as cases
from cityhall.cases.errors import NotAllowed
from cityhall.cases.models import Case, EventKind
from cityhall.cases.workflow import APPLICANT
from cityhall.core.roles import FACILITY_MANAGER

from . import calendars, clock, pricing, rules
from .errors import BookingError, BookingInvalid, SlotTaken
from .lifecycle import free_occurrences, in_english
from .models import Booking, Occurrence, Unit
from .timeutil import fmt_duration, fmt_range, utc
from .workflow import CONFIRMED, HELD, OCCUPYING


@dataclass(frozen=True)
class Terms:
    allowed: bool
    refund_cents: int
    deadline: datetime | None
    why_not: str = ""


def _deadline(unit: Unit, start: datetime) -> datetime:
    return start - timedelta(hours=unit.cancel_hours_before)


def _too_late(unit: Unit) -> str:
    return ngettext(
        "Bookings can be cancelled or changed online until %(hours)d hour before they start. "
        "Call %(phone)s.",
        "Bookings can be cancelled or changed online until %(hours)d hours before they start. "
        "Call %(phone)s.",
        unit.cancel_hours_before,
    ) % {"hours": unit.cancel_hours_before, "phone": unit.facility.phone or _("the city")}


def _deposit_left(booking: Booking) -> int:
    return 0 if booking.deposit_settled_at else booking.deposit_cents


def cancellation_terms(
    booking: Booking, *, now: datetime | None = None, occurrence: Occurrence | None = None
) -> Terms:
    """What the resident may do and get back, cancelling the booking (or one date)."""
    now = now or clock.now()
    unit, status = booking.unit, booking.case.status
    if status not in OCCUPYING:
        return Terms(False, 0, None, _("This booking is not active any more."))
    upcoming = [o for o in booking.occurrences.all() if o.active and o.start > now]
    if occurrence is not None:
        upcoming = [o for o in upcoming if o.pk == occurrence.pk]
    if not upcoming:
        return Terms(False, 0, None, _("This booking has already started or taken place."))
    deadline = _deadline(unit, upcoming[0].start)
    if status == HELD and occurrence is not None:
        return Terms(False, 0, deadline, _("Confirm the series first, then cancel single dates."))
    if now > deadline and status == CONFIRMED:
        return Terms(False, 0, deadline, _too_late(unit))
    rental = sum(o.price_cents for o in upcoming)
    if not pricing.is_paid(booking.invoice):
        refund = 0
    elif status == CONFIRMED:
        refund = pricing.share(rental, unit.refund_percent)
    else:
        refund = rental  # not approved yet: everything back
    whole = occurrence is None or len([o for o in booking.occurrences.all() if o.active]) == 1
    if whole and pricing.is_paid(booking.invoice):
        refund += _deposit_left(booking)
    return Terms(True, refund, deadline)


def _staff_refund(booking: Booking, upcoming: list[Occurrence], whole: bool) -> int:
    if not pricing.is_paid(booking.invoice):
        return 0
    return sum(o.price_cents for o in upcoming) + (_deposit_left(booking) if whole else 0)


def _lock(booking: Booking) -> Case:
    """Invoice, unit, case: the lock order every booking write uses."""
    pricing.lock_invoice(booking)
    Unit.objects.select_for_update().filter(pk=booking.unit_id).first()
    case = Case.objects.select_for_update().get(pk=booking.case_id)
    booking.case.status = case.status
    return case


def _staff(actor) -> None:
    if actor is None or not actor.has_role(FACILITY_MANAGER):
        raise NotAllowed("cancel_by_staff")


@transaction.atomic
def cancel_booking(*, booking: Booking, actor, by_staff: bool = False, reason: str = "") -> int:
    """Cancels the whole booking (every date of a series). Returns the refund in cents."""
    from .waitlist import offer_freed

    now = clock.now()
    _lock(booking)
    reason = (reason or "").strip()
    if by_staff:
        _staff(actor)
        if not reason:
            raise BookingError(_("Give the reason: the resident reads it."), "reason")
        if booking.case.status not in OCCUPYING:
            raise BookingError(_("This booking is not active any more."))
        upcoming = [o for o in booking.occurrences.filter(active=True) if o.start > now]
        if not upcoming:
            raise BookingError(_("This booking has already started or taken place."))
        refund = _staff_refund(booking, upcoming, whole=True)
    else:
        if booking.user_id != getattr(actor, "pk", None):
            raise NotAllowed("cancel")
        terms = cancellation_terms(booking, now=now)
        if not terms.allowed:
            raise BookingError(terms.why_not)
        refund = terms.refund_cents
    freed = free_occurrences(booking, now=now, reason=reason or "cancelled")
    refunded = pricing.release_money(
        booking=booking,
        refund_cents=refund,
        reason=in_english(gettext_lazy("Booking cancelled.")) + (f" {reason}" if reason else ""),
        actor=actor,
    )
    if booking.deposit_cents and refund:
        Booking.objects.filter(pk=booking.pk).update(deposit_settled_at=now)
    cases.transition_case(
        case=booking.case,
        transition="cancel_by_staff" if by_staff else "cancel",
        actor=actor,
        acting_as=None if by_staff else APPLICANT,
        reason=reason,
        payload={"refund_cents": refunded},
    )
    offer_freed(unit=booking.unit, ranges=freed, now=now)
    return refunded


@transaction.atomic
def cancel_occurrence(
    *, booking: Booking, occurrence_id: int, actor, by_staff: bool = False, reason: str = ""
) -> int:
    """Cancels one date of a series; the last date left cancels the booking."""
    from cityhall.notifications.services import notify

    from .selectors import email_context
    from .waitlist import offer_freed

    now = clock.now()
    _lock(booking)
    occurrence = booking.occurrences.filter(pk=occurrence_id, active=True).first()
    if occurrence is None or occurrence.start <= now:
        raise BookingError(_("This date is already cancelled or has taken place."))
    if booking.case.status == HELD:
        raise BookingError(_("Confirm the series first, then cancel single dates."))
    remaining = booking.occurrences.filter(active=True, end__gt=now).exclude(pk=occurrence.pk)
    if not remaining.exists():
        return cancel_booking(booking=booking, actor=actor, by_staff=by_staff, reason=reason)
    reason = (reason or "").strip()
    if by_staff:
        _staff(actor)
        if not reason:
            raise BookingError(_("Give the reason: the resident reads it."), "reason")
        if booking.case.status not in OCCUPYING:
            raise BookingError(_("This booking is not active any more."))
        refund = _staff_refund(booking, [occurrence], whole=False)
    else:
        if booking.user_id != getattr(actor, "pk", None):
            raise NotAllowed("cancel")
        terms = cancellation_terms(booking, now=now, occurrence=occurrence)
        if not terms.allowed:
            raise BookingError(terms.why_not)
        refund = terms.refund_cents
    freed = free_occurrences(booking, now=now, reason=reason or "cancelled", only=[occurrence])
    refunded = pricing.release_money(
        booking=booking,
        refund_cents=refund,
        reason=in_english(gettext_lazy("One date of a booking cancelled.")),
        actor=actor,
    )
    Booking.objects.filter(pk=booking.pk).update(calendar_sequence=booking.calendar_sequence + 1)
    booking.calendar_sequence += 1
    cases.add_event(
        case=booking.case,
        kind=EventKind.AMENDED,
        actor=actor,
        reason=reason,
        payload={
            "cancelled": occurrence.start.isoformat(),
            "subject": in_english(gettext_lazy("One date cancelled"))
            + f": {fmt_range(occurrence.start, occurrence.end)}",
            "refund_cents": refunded,
        },
        public=True,
    )
    notify(
        to=booking.case.contact_email,
        kind="booking_cancelled",
        language=booking.case.language,
        case=booking.case,
        context=email_context(booking, refund_cents=refunded, occurrence=occurrence)
        | {"reason": reason},
    )
    offer_freed(unit=booking.unit, ranges=freed, now=now)
    return refunded


def change_booking(
    *,
    booking: Booking,
    actor,
    start: datetime,
    end: datetime,
    attendees: int | None = None,
    by_staff: bool = False,
    reason: str = "",
) -> Booking:
    """Moves a one-time booking to another time on the same unit, at the same price."""
    from .services import _release_stale_holds

    start, end = utc(start), utc(end)
    # As a new booking does: a hold that ran out on the new time is released
    # first, so it cannot be paid late and confirmed over this booking. Each
    # release is its own transaction (its invoice, then the unit): taken inside
    # the change's locks (this booking's invoice, then the unit) the order
    # would be inverted.
    _release_stale_holds(unit=booking.unit, first=start, last=end, now=clock.now())
    return _move(
        booking=booking,
        actor=actor,
        start=start,
        end=end,
        attendees=attendees,
        by_staff=by_staff,
        reason=reason,
    )


@transaction.atomic
def _move(*, booking, actor, start, end, attendees, by_staff, reason) -> Booking:
    from .services import overlapping
    from .tasks import send_change_notice
    from .waitlist import offer_freed

    now = clock.now()
    _lock(booking)
    if booking.is_series:
        raise BookingError(_("Dates of a series cannot be moved. Cancel a date and book another."))
    if booking.case.status == HELD:
        raise BookingError(_("Confirm the booking first, then change it."))
    if booking.case.status not in OCCUPYING:
        raise BookingError(_("This booking is not active any more."))
    occurrence = booking.occurrences.get()
    if by_staff:
        _staff(actor)
        if not (reason or "").strip():
            raise BookingError(_("Give the reason: the resident reads it."), "reason")
    else:
        if booking.user_id != getattr(actor, "pk", None):
            raise NotAllowed("change")
        if occurrence.start <= now or now > _deadline(booking.unit, occurrence.start):
            raise BookingError(_too_late(booking.unit))
    unit = booking.unit
    calendar = calendars.load_one(
        unit,
        start - timedelta(days=1),
        end + timedelta(days=1),
        now=now,
        exclude_booking=booking.pk,
    )
    attendees = booking.attendees if attendees is None else attendees
    errors = rules.problems(
        calendar, start, end, now=now, resident=booking.resident, attendees=attendees
    )
    if errors:
        raise BookingInvalid(errors)
    if pricing.quote(unit=unit, times=[(start, end)], resident=booking.resident).rentals[0] != (
        occurrence.price_cents
    ):
        raise BookingInvalid(
            {
                "end": [
                    _(
                        "A change must keep the same price: keep the length at %(length)s, or "
                        "cancel and book again."
                    )
                    % {"length": fmt_duration(occurrence.end - occurrence.start)}
                ]
            }
        )
    if calendar.collides(start, end) or overlapping(
        unit, start, end, now=now, exclude_booking=booking.pk
    ):
        raise SlotTaken()
    before = (occurrence.start, occurrence.end)
    freed = [(occurrence.blocked_from, occurrence.blocked_until)]
    try:
        with transaction.atomic():
            Occurrence.objects.filter(pk=occurrence.pk).update(
                start=start,
                end=end,
                blocked_from=start - unit.buffer_before,
                blocked_until=end + unit.buffer_after,
            )
    except IntegrityError as error:
        raise SlotTaken() from error
    booking.attendees = attendees
    booking.calendar_sequence += 1
    Booking.objects.filter(pk=booking.pk).update(
        attendees=attendees, calendar_sequence=booking.calendar_sequence
    )
    cases.add_event(
        case=booking.case,
        kind=EventKind.AMENDED,
        actor=actor,
        reason=(reason or "").strip(),
        payload={
            "subject": f"{fmt_range(*before)} → {fmt_range(start, end)}",
            "start": start.isoformat(),
            "end": end.isoformat(),
        },
        public=True,
    )
    if booking.case.status == CONFIRMED:
        send_change_notice.enqueue(booking.pk, booking.calendar_sequence)
    offer_freed(unit=unit, ranges=[r for r in freed if r[1] > now], now=now)
    return booking
