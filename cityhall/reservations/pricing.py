"""Prices through the payments fee schedules, and the money a cancellation moves.

A unit without a fee schedule is free. Otherwise each booked time is one
item of the schedule's rate rule (hours or days, resident or non-resident
rate, the rule's minimum), plus one deposit item for the booking. Invoices
are built from the same items, so what the resident was shown is what they
are billed. Money only moves through payments' public functions: an open
invoice is voided; a paid one is refunded (in the worker, at the provider).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from cityhall.payments.errors import FeeError
from cityhall.payments.fees import FeeItem, estimate_fee, schedule_in_effect

from .errors import BookingError
from .models import RateUnit, Unit
from .timeutil import local


@dataclass(frozen=True)
class Quote:
    rentals: tuple[int, ...]  # cents, one per booked time
    deposit_cents: int
    items: tuple[FeeItem, ...]

    @property
    def rental_cents(self) -> int:
        return sum(self.rentals)

    @property
    def total_cents(self) -> int:
        return self.rental_cents + self.deposit_cents


def quantity(unit: Unit, start: datetime, end: datetime) -> Decimal:
    """Hours (two decimals) of real elapsed time, or days (each started day) on
    the city's wall clock: midnight to midnight is one day of rental even on
    the nights the clocks change (23 or 25 hours of real time)."""
    if unit.rate_unit == RateUnit.DAY:
        wall_length = local(end).replace(tzinfo=None) - local(start).replace(tzinfo=None)
        return Decimal(max(math.ceil(wall_length / timedelta(days=1)), 1))
    length = end - start
    hours = Decimal(int(length.total_seconds())) / Decimal(3600)
    return hours.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def fee_items(unit: Unit, times: list[tuple[datetime, datetime]]) -> list[FeeItem]:
    items = [FeeItem(unit.rate_rule, quantity=quantity(unit, a, b)) for a, b in times]
    if unit.deposit_rule:
        items.append(FeeItem(unit.deposit_rule))
    return items


def quote(
    *, unit: Unit, times: list[tuple[datetime, datetime]], resident: bool, on: date | None = None
) -> Quote:
    if unit.is_free:
        return Quote(rentals=tuple(0 for _t in times), deposit_cents=0, items=())
    items = fee_items(unit, times)
    try:
        estimate = estimate_fee(
            schedule=unit.fee_schedule,
            items=items,
            resident=resident,
            on=on or timezone.localdate(),
        )
    except FeeError as error:
        raise BookingError(
            _("The prices of this space are not set up yet. Call the city to book it.")
        ) from error
    lines = estimate.lines
    rentals = tuple(line.amount_cents for line in lines[: len(times)])
    deposit = lines[len(times)].amount_cents if unit.deposit_rule else 0
    return Quote(rentals=rentals, deposit_cents=deposit, items=tuple(items))


@dataclass(frozen=True)
class RateCard:
    resident_cents: int
    non_resident_cents: int
    minimum_cents: int | None
    per_day: bool
    deposit_cents: int


def rate_card(unit: Unit, on: date | None = None) -> RateCard | None:
    """What the unit costs, for the pages (None: free, or prices not set up)."""
    if unit.is_free:
        return None
    version = schedule_in_effect(unit.fee_schedule, on or timezone.localdate())
    if version is None:
        return None
    rules = {rule.code: rule for rule in version.rules.all()}
    rate, deposit = rules.get(unit.rate_rule), rules.get(unit.deposit_rule)
    if rate is None:
        return None
    return RateCard(
        resident_cents=rate.resident_cents,
        non_resident_cents=rate.non_resident_cents
        if rate.non_resident_cents is not None
        else rate.resident_cents,
        minimum_cents=rate.minimum_cents,
        per_day=unit.rate_unit == RateUnit.DAY,
        deposit_cents=deposit.resident_cents if deposit else 0,
    )


def rate_cards(units) -> dict[int, RateCard | None]:
    """{unit id: its rate card}, reading each fee schedule once however many units use it."""
    cards, by_schedule = {}, {}
    for unit in units:
        key = (unit.fee_schedule, unit.rate_rule, unit.deposit_rule, unit.rate_unit)
        if key not in by_schedule:
            by_schedule[key] = rate_card(unit)
        cards[unit.pk] = by_schedule[key]
    return cards


def share(cents: int, percent: int) -> int:
    return int((Decimal(cents) * percent / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


# ---- money on cancellation --------------------------------------------------


def lock_invoice(booking):
    """Locks the booking's invoice first (the order payments uses: invoice, then
    the case), so a payment being applied and a cancellation wait for each other."""
    from cityhall.payments.models import Invoice

    if booking.invoice_id is None:
        return None
    invoice = Invoice.objects.select_for_update().get(pk=booking.invoice_id)
    booking.invoice = invoice
    return invoice


def is_paid(invoice) -> bool:
    from cityhall.payments.models import InvoiceStatus

    return invoice is not None and invoice.status in {
        InvoiceStatus.PAID,
        InvoiceStatus.PARTIALLY_REFUNDED,
    }


def is_settled(invoice) -> bool:
    """Paid, or waived by finance staff: either way the booking goes ahead."""
    from cityhall.payments.models import InvoiceStatus

    return is_paid(invoice) or (invoice is not None and invoice.status == InvoiceStatus.WAIVED)


def is_open(invoice) -> bool:
    from cityhall.payments.models import InvoiceStatus

    return invoice is not None and invoice.status == InvoiceStatus.OPEN


def release_money(*, booking, refund_cents: int, reason: str, actor=None) -> int:
    """Voids the open invoice, or refunds `refund_cents` of a paid one (capped at
    what is left on the payment). Returns the amount being refunded."""
    from cityhall.payments.selectors import successful_payment
    from cityhall.payments.services import void_invoice
    from cityhall.payments.services_refunds import reserve_refund
    from cityhall.payments.tasks import send_refund

    invoice = booking.invoice
    if invoice is None:
        return 0
    if is_open(invoice):
        void_invoice(invoice=invoice, reason=reason, actor=actor, system=True)
        return 0
    if not is_paid(invoice) or refund_cents <= 0:
        return 0
    payment = successful_payment(invoice)
    if payment is None:
        return 0
    amount = min(refund_cents, payment.refundable_cents)
    if amount <= 0:
        return 0
    refund = reserve_refund(
        payment=payment, amount_cents=amount, reason=reason, actor=actor, automatic=True
    )
    send_refund.enqueue(refund.pk)  # a row in this transaction: queued exactly when reserved
    return amount
