"""Cancelling, changing, denying: the refund each gives, the invoice cancelled
with an unpaid booking, the deadline for residents, staff at any time."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from cityhall.cases.models import CaseEvent, EventKind
from cityhall.notifications.models import Notification
from cityhall.payments.models import InvoiceStatus, Refund, RefundStatus
from cityhall.reservations import changes, decisions, services
from cityhall.reservations.errors import BookingError, BookingInvalid, SlotTaken
from cityhall.reservations.tasks import send_change_notice

from .conftest import at, day_ahead, make_schedule, make_unit
from .test_booking import pay

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid_booking(client, paid_unit, resident, book):
    day = day_ahead(10)
    booking = book(paid_unit, resident, at(day, 10), at(day, 12))  # $50 rental, $100 deposit
    pay(client, booking)
    services.reconcile(booking)
    booking.refresh_from_db()
    assert booking.case.status == "confirmed"
    return booking


def test_cancelling_in_time_refunds_the_policy_share_and_the_deposit(paid_booking, resident):
    terms = changes.cancellation_terms(paid_booking)
    assert terms.allowed and terms.refund_cents == 2500 + 10000  # 50% of $50, and the deposit
    refund = changes.cancel_booking(booking=paid_booking, actor=resident)
    assert refund == 12500
    paid_booking.refresh_from_db()
    assert paid_booking.case.status == "cancelled"
    assert not paid_booking.occurrences.filter(active=True).exists()
    (reserved,) = Refund.objects.all()
    assert reserved.amount_cents == 12500 and reserved.status == RefundStatus.PENDING
    from cityhall.payments.tasks import send_refund

    send_refund.call(reserved.pk)  # what the worker does: the provider refunds, the payer is told
    reserved.refresh_from_db()
    assert reserved.status == RefundStatus.SUCCEEDED
    paid_booking.invoice.refresh_from_db()
    assert paid_booking.invoice.status == InvoiceStatus.PARTIALLY_REFUNDED
    kinds = set(Notification.objects.values_list("kind", flat=True))
    assert {"booking_cancelled", "payment_refunded"} <= kinds


def test_residents_cannot_cancel_after_the_deadline_but_staff_can(
    paid_booking, resident, manager, clock_at
):
    start = paid_booking.occurrences.get().start
    clock_at(start - timedelta(hours=47))  # the unit allows cancelling until 48 hours before
    terms = changes.cancellation_terms(paid_booking)
    assert not terms.allowed and "48 hours" in terms.why_not
    with pytest.raises(BookingError):
        changes.cancel_booking(booking=paid_booking, actor=resident)
    with pytest.raises(BookingError):  # staff give a reason
        changes.cancel_booking(booking=paid_booking, actor=manager, by_staff=True, reason=" ")
    refund = changes.cancel_booking(
        booking=paid_booking, actor=manager, by_staff=True, reason="Storm damage to the roof"
    )
    assert refund == 15000  # staff cancel: everything back
    event = CaseEvent.objects.get(case=paid_booking.case, to_status="cancelled")
    assert event.actor == manager and event.reason == "Storm damage to the roof"


def test_someone_else_cannot_cancel(paid_booking, other_resident):
    from cityhall.cases.errors import NotAllowed

    with pytest.raises(NotAllowed):
        changes.cancel_booking(booking=paid_booking, actor=other_resident)
    with pytest.raises(NotAllowed):
        changes.cancel_booking(
            booking=paid_booking, actor=other_resident, by_staff=True, reason="x"
        )
    paid_booking.case.refresh_from_db()
    assert paid_booking.case.status == "confirmed"
    assert not Refund.objects.exists()


def test_cancelling_a_hold_cancels_the_invoice(paid_unit, resident, book):
    day = day_ahead()
    booking = book(paid_unit, resident, at(day, 10), at(day, 12))
    assert changes.cancel_booking(booking=booking, actor=resident) == 0
    booking.invoice.refresh_from_db()
    assert booking.invoice.status == InvoiceStatus.VOID
    assert not Refund.objects.exists()


def test_denial_refunds_everything_paid(client, park, resident, manager, book):
    make_schedule()
    unit = make_unit(
        park,
        "Field 1",
        needs_approval=True,
        fee_schedule="test-shelter",
        rate_rule="hours",
        deposit_rule="deposit",
    )
    day = day_ahead()
    booking = book(unit, resident, at(day, 10), at(day, 12))
    pay(client, booking)
    services.reconcile(booking)
    booking.refresh_from_db()
    assert booking.case.status == "requested"
    with pytest.raises(BookingError):
        decisions.deny_booking(booking=booking, manager=manager, reason="")
    refund = decisions.deny_booking(
        booking=booking, manager=manager, reason="The field is closed for reseeding."
    )
    assert refund == 15000
    booking.refresh_from_db()
    assert booking.case.status == "denied"
    assert not booking.occurrences.filter(active=True).exists()
    denied = Notification.objects.get(kind="booking_denied")
    assert "reseeding" in denied.body_text and "$150.00" in denied.body_text


def test_denying_an_unpaid_request_cancels_nothing_but_the_time(
    approval_unit, resident, manager, book
):
    day = day_ahead()
    booking = book(approval_unit, resident, at(day, 10), at(day, 12))
    assert decisions.deny_booking(booking=booking, manager=manager, reason="Private event") == 0
    booking.refresh_from_db()
    assert booking.case.status == "denied"


def test_a_booking_can_be_moved_to_a_time_of_the_same_price(
    free_unit, resident, other_resident, book
):
    day = day_ahead()
    booking = book(free_unit, resident, at(day, 10), at(day, 12))
    book(free_unit, other_resident, at(day, 14), at(day, 16))
    with pytest.raises(SlotTaken):
        changes.change_booking(booking=booking, actor=resident, start=at(day, 15), end=at(day, 17))
    with pytest.raises(BookingInvalid) as error:
        changes.change_booking(booking=booking, actor=resident, start=at(day, 20), end=at(day, 22))
    assert "end" in error.value.errors  # closes at 9 p.m.
    changes.change_booking(booking=booking, actor=resident, start=at(day, 17), end=at(day, 19))
    occurrence = booking.occurrences.get()
    assert (occurrence.start, occurrence.end) == (at(day, 17), at(day, 19))
    assert booking.calendar_sequence == 1
    assert CaseEvent.objects.filter(case=booking.case, kind=EventKind.AMENDED).exists()
    # The old time is free again.
    assert book(free_unit, other_resident, at(day, 10), at(day, 12))


def test_a_paid_booking_keeps_its_price_when_moved(paid_booking, resident):
    day = timezone.localdate(paid_booking.occurrences.get().start)
    with pytest.raises(BookingInvalid) as error:
        changes.change_booking(
            booking=paid_booking, actor=resident, start=at(day, 14), end=at(day, 17)
        )
    assert "same price" in error.value.errors["end"][0]
    changes.change_booking(booking=paid_booking, actor=resident, start=at(day, 14), end=at(day, 16))
    send_change_notice.call(paid_booking.pk, 1)
    assert send_change_notice.call(paid_booking.pk, 1) == "superseded or already sent"
    notice = Notification.objects.get(kind="booking_changed")
    names = [a.filename for a in notice.attachments.all()]
    assert any(n.endswith(".ics") for n in names) and any(n.endswith(".pdf") for n in names)


def test_staff_cannot_cancel_a_booking_that_has_taken_place(paid_booking, manager, clock_at):
    # Between its end and the worker completing it (a day later), a booking is
    # still "confirmed": cancelling it then would return the deposit the
    # manager may want to keep, and tell the resident it was cancelled.
    clock_at(paid_booking.occurrences.get().end + timedelta(hours=2))
    with pytest.raises(BookingError):
        changes.cancel_booking(
            booking=paid_booking, actor=manager, by_staff=True, reason="Too late"
        )
    paid_booking.case.refresh_from_db()
    assert paid_booking.case.status == "confirmed"
    assert not Refund.objects.exists()


def test_a_change_takes_a_time_whose_hold_ran_out_only_after_releasing_it(
    client, free_unit, paid_unit, resident, other_resident, book, clock_at
):
    # A hold that ran out but was not released yet (the worker runs every
    # minute) must be released before its time is given to someone else:
    # otherwise paying it late confirms it over the other booking.
    day = day_ahead()
    held = book(paid_unit, other_resident, at(day, 14), at(day, 16))
    mine = book(paid_unit, resident, at(day, 10), at(day, 12))
    pay(client, mine)
    services.reconcile(mine)
    clock_at(held.hold_expires_at + timedelta(minutes=1))
    changes.change_booking(booking=mine, actor=resident, start=at(day, 14), end=at(day, 16))
    held.refresh_from_db()
    assert held.case.status == "expired"
    assert not held.occurrences.filter(active=True).exists()
    assert held.invoice.status == InvoiceStatus.VOID


def test_denial_does_not_refund_dates_already_cancelled_again(
    client, park, resident, manager, settings
):
    # A request of three dates, paid with a $2.00 online fee; the resident
    # cancels one date (refunded at once); denying then refunds the other two
    # and the deposit, not the cancelled date a second time.
    settings.CITYHALL_CONVENIENCE_FEE_CENTS = 200
    make_schedule()
    unit = make_unit(
        park,
        "Hall",
        needs_approval=True,
        fee_schedule="test-shelter",
        rate_rule="hours",
        deposit_rule="deposit",
    )
    first = day_ahead(7)
    times = [
        (at(first + timedelta(weeks=w), 10), at(first + timedelta(weeks=w), 12)) for w in range(3)
    ]
    booking = services.book_series(
        user=resident,
        unit=unit,
        times=times,
        details=services.Details(10, "Club", True),
        pattern={"weeks": 3},
    )
    payment = pay(client, booking)
    services.reconcile(booking)
    booking.refresh_from_db()
    assert booking.case.status == "requested"
    assert payment.amount_cents == 3 * 5000 + 10000 + 200
    second = booking.occurrences.order_by("start")[1]
    assert (
        changes.cancel_occurrence(booking=booking, occurrence_id=second.pk, actor=resident) == 5000
    )
    refund = decisions.deny_booking(booking=booking, manager=manager, reason="Hall closed")
    assert refund == 2 * 5000 + 10000
    assert sum(Refund.objects.values_list("amount_cents", flat=True)) == 3 * 5000 + 10000
