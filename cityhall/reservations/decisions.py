"""Facility managers' decisions: approve or deny a requested booking (a denial
refunds any payment, or cancels the unpaid invoice), keep a deposit, and
block a unit for maintenance or a city event. Cancelling and changing by
staff are in changes.py (by_staff=True)."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cityhall.cases import services as cases
from cityhall.cases.errors import IllegalTransition, NotAllowed
from cityhall.cases.models import EventKind
from cityhall.core.roles import FACILITY_MANAGER

from . import clock, pricing
from .changes import _lock
from .errors import BookingError
from .lifecycle import free_occurrences, in_english
from .models import Block, Booking, Occurrence, Unit
from .workflow import CONFIRMED, REQUESTED


def _manager(actor) -> None:
    if actor is None or not actor.has_role(FACILITY_MANAGER):
        raise NotAllowed("decide")


@transaction.atomic
def approve_booking(*, booking: Booking, manager) -> None:
    _manager(manager)
    _lock(booking)
    if booking.case.status != REQUESTED:
        raise IllegalTransition(booking.case.status, "approve")
    if not booking.occurrences.filter(active=True, start__gt=clock.now()).exists():
        raise BookingError(_("The time of this booking has passed: it can only be denied."))
    cases.transition_case(case=booking.case, transition="approve", actor=manager)


@transaction.atomic
def deny_booking(*, booking: Booking, manager, reason: str) -> int:
    """Denies with a reason the resident reads; refunds everything paid. Returns the refund."""
    from .waitlist import offer_freed

    _manager(manager)
    reason = (reason or "").strip()
    if not reason:
        raise BookingError(_("Give the reason: the resident reads it."), "reason")
    _lock(booking)
    if booking.case.status != REQUESTED:
        raise IllegalTransition(booking.case.status, "deny")
    now = clock.now()
    refund = 0
    if pricing.is_paid(booking.invoice):
        # The dates still held (one cancelled before was refunded then), and the deposit.
        held = booking.occurrences.filter(active=True)
        refund = sum(o.price_cents for o in held) + booking.deposit_cents
    freed = free_occurrences(booking, now=now, reason=reason)
    refunded = pricing.release_money(
        booking=booking,
        refund_cents=refund,
        reason=in_english(gettext_lazy("Booking not approved.")) + f" {reason}",
        actor=manager,
    )
    cases.transition_case(
        case=booking.case,
        transition="deny",
        actor=manager,
        reason=reason,
        payload={"refund_cents": refunded},
    )
    offer_freed(unit=booking.unit, ranges=freed, now=now)
    return refunded


@transaction.atomic
def keep_deposit(*, booking: Booking, manager, reason: str) -> None:
    """The deposit is not returned after the booking (damage, cleaning)."""
    _manager(manager)
    reason = (reason or "").strip()
    if not reason:
        raise BookingError(_("Give the reason: the resident reads it."), "reason")
    _lock(booking)
    if booking.case.status != CONFIRMED or not booking.deposit_cents:
        raise BookingError(_("Only the deposit of a confirmed booking can be kept."))
    if booking.deposit_settled_at is not None:
        raise BookingError(_("This deposit has already been settled."))
    Booking.objects.filter(pk=booking.pk).update(deposit_kept_reason=reason)
    booking.deposit_kept_reason = reason
    cases.add_event(
        case=booking.case,
        kind=EventKind.NOTE,
        actor=manager,
        reason=reason,
        payload={"deposit": "kept", "deposit_cents": booking.deposit_cents},
        public=True,
    )


@transaction.atomic
def block_unit(
    *, unit: Unit, start: datetime, end: datetime, reason: str, manager
) -> tuple[Block, list[Booking]]:
    """Takes the unit out of use. Returns the block and the active bookings it
    overlaps (staff decide whether to cancel them)."""
    _manager(manager)
    reason = (reason or "").strip()
    if not reason:
        raise BookingError(_("Say why, for example “Roof repair”."), "reason")
    if end <= start:
        raise BookingError(_("The end must be after the start."), "end")
    Unit.objects.select_for_update().filter(pk=unit.pk).first()
    block = Block.objects.create(unit=unit, start=start, end=end, reason=reason, created_by=manager)
    overlapping = (
        Occurrence.objects.filter(unit=unit, active=True, start__lt=end, end__gt=start)
        .select_related("booking__case")
        .order_by("start")
    )
    return block, list({o.booking_id: o.booking for o in overlapping}.values())


@transaction.atomic
def remove_block(*, block: Block, manager) -> None:
    _manager(manager)
    Block.objects.filter(pk=block.pk).delete()
