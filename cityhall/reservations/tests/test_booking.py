"""Booking a time: free units confirm at once, paid ones are held while the
resident pays and confirmed on payment (or sent for approval), buffers keep
bookings apart, holds run out, and the per-person limit holds."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from cityhall.cases.models import Case, CaseEvent
from cityhall.payments.models import Invoice, InvoiceStatus, Payment
from cityhall.payments.selectors import invoice_token
from cityhall.reservations import decisions, lifecycle, services
from cityhall.reservations.errors import BookingError, BookingInvalid, SlotTaken
from cityhall.reservations.models import Occurrence

from .conftest import at, day_ahead, details

pytestmark = pytest.mark.django_db


def pay(client, booking):
    """Pays the booking's invoice through the sandbox checkout, as a resident does."""
    from cityhall.payments import services_payments

    client.force_login(booking.user)
    token = invoice_token(booking.invoice)
    response = client.post(reverse("payments:checkout", args=[token]))
    assert response.status_code == 302, response.content
    checkout = response["Location"].split("127.0.0.1:8000")[-1]
    client.post(
        checkout,
        {"card_number": "4242 4242 4242 4242", "expiry": "12/39", "cvc": "123", "name": "Ana"},
    )
    payment = Payment.objects.filter(invoice=booking.invoice).latest("id")
    services_payments.refresh_payment(payment)
    booking.invoice.refresh_from_db()
    assert booking.invoice.status == InvoiceStatus.PAID
    return payment


def test_a_free_unit_is_confirmed_at_once(free_unit, resident, book):
    day = day_ahead()
    booking = book(free_unit, resident, at(day, 10), at(day, 12))
    case = booking.case
    assert case.status == "confirmed"
    assert case.submitted_at and case.decided_at and case.applicant == resident
    assert case.reference.startswith("BK-")
    assert booking.invoice is None and booking.hold_expires_at is None
    (occurrence,) = booking.occurrences.all()
    assert occurrence.active and occurrence.start == at(day, 10)
    tasks = DBTaskResult.objects.values_list("task_path", flat=True)
    assert "cityhall.reservations.tasks.send_confirmation" in tasks


def test_a_paid_unit_is_held_for_15_minutes_with_an_invoice(paid_unit, resident, book):
    day = day_ahead()
    before = timezone.now()
    booking = book(paid_unit, resident, at(day, 10), at(day, 13))
    assert booking.case.status == "held"
    assert booking.case.submitted_at is None  # a hold is not a finished transaction
    assert (
        timedelta(minutes=14) < booking.hold_expires_at - before <= timedelta(minutes=15, seconds=5)
    )
    invoice = booking.invoice
    assert invoice.status == InvoiceStatus.OPEN and invoice.case == booking.case
    # 3 hours x $25.00 and the $100.00 deposit
    assert [line.amount_cents for line in invoice.lines.all()] == [7500, 10000]
    assert invoice.total_cents == 17500
    assert (booking.price_cents, booking.deposit_cents) == (7500, 10000)
    # The availability reads see the hold on the booked time itself.
    assert booking.occurrences.get().held_until == booking.hold_expires_at


def test_non_residents_pay_the_non_resident_rate_and_the_minimum_applies(paid_unit, resident, book):
    day = day_ahead()
    booking = book(paid_unit, resident, at(day, 10), at(day, 12), resident=False)
    assert booking.price_cents == 8000  # 2 x $40.00
    other = book(paid_unit, resident, at(day, 15), at(day, 17))
    assert other.price_cents == 5000  # 2 x $25.00 = $50.00, the minimum


def test_the_paid_callback_confirms_a_held_booking(paid_unit, resident, book):
    day = day_ahead()
    booking = book(paid_unit, resident, at(day, 10), at(day, 12))
    Invoice.objects.filter(pk=booking.invoice_id).update(status=InvoiceStatus.PAID)
    booking.invoice.refresh_from_db()
    services.on_invoice_paid(booking.invoice)  # what payments calls, in its transaction
    booking.refresh_from_db()
    assert booking.case.status == "confirmed" and booking.hold_expires_at is None
    assert booking.occurrences.get().held_until is None
    # Twice is harmless.
    services.on_invoice_paid(booking.invoice)
    assert CaseEvent.objects.filter(case=booking.case, to_status="confirmed").count() == 1


def test_the_paid_callback_sends_a_booking_needing_approval_to_staff(park, resident, book):
    from .conftest import make_schedule, make_unit

    make_schedule()
    unit = make_unit(
        park, "Field 1", needs_approval=True, fee_schedule="test-shelter", rate_rule="hours"
    )
    day = day_ahead()
    booking = book(unit, resident, at(day, 10), at(day, 12))
    Invoice.objects.filter(pk=booking.invoice_id).update(status=InvoiceStatus.PAID)
    services.on_invoice_paid(booking.case)  # the case works as well as the invoice
    booking.refresh_from_db()
    assert booking.case.status == "requested"
    assert booking.case.state.awaiting_staff


def test_paying_through_the_sandbox_confirms_the_booking(client, paid_unit, resident, book):
    """Payments calls on_invoice_paid in the transaction that records the payment."""
    day = day_ahead()
    booking = book(paid_unit, resident, at(day, 10), at(day, 12))
    pay(client, booking)
    booking.refresh_from_db()
    assert booking.case.status == "confirmed" and booking.hold_expires_at is None
    event = CaseEvent.objects.get(case=booking.case, to_status="confirmed")
    assert event.payload["invoice"] == booking.invoice.number
    assert not services.reconcile(booking)  # nothing left for the safety net
    page = client.get(reverse("reservations:booking", args=[booking.case.reference]))
    assert page.status_code == 200


def test_the_safety_net_confirms_a_paid_hold_the_callback_missed(paid_unit, resident, book):
    day = day_ahead()
    booking = book(paid_unit, resident, at(day, 10), at(day, 12))
    Invoice.objects.filter(pk=booking.invoice_id).update(status=InvoiceStatus.PAID)
    assert services.reconcile(booking)
    booking.refresh_from_db()
    assert booking.case.status == "confirmed"


def test_a_free_unit_needing_approval_is_requested_then_approved(
    approval_unit, resident, manager, book
):
    day = day_ahead()
    booking = book(approval_unit, resident, at(day, 10), at(day, 12))
    assert booking.case.status == "requested"
    decisions.approve_booking(booking=booking, manager=manager)
    booking.case.refresh_from_db()
    assert booking.case.status == "confirmed" and booking.case.decided_by == manager


def test_a_request_whose_time_has_passed_cannot_be_approved_only_denied(
    approval_unit, resident, manager, book, clock_at
):
    day = day_ahead()
    booking = book(approval_unit, resident, at(day, 10), at(day, 12))
    clock_at(at(day, 13))  # nobody decided in time
    with pytest.raises(BookingError):
        decisions.approve_booking(booking=booking, manager=manager)
    booking.case.refresh_from_db()
    assert booking.case.status == "requested"
    decisions.deny_booking(booking=booking, manager=manager, reason="Not decided in time")
    booking.case.refresh_from_db()
    assert booking.case.status == "denied"


def test_buffers_keep_bookings_apart(paid_unit, resident, other_resident, book):
    day = day_ahead()
    book(paid_unit, resident, at(day, 10), at(day, 12))  # 30 minutes kept free after
    with pytest.raises(SlotTaken) as taken:
        book(paid_unit, other_resident, at(day, 12), at(day, 14))
    assert "just taken" in str(taken.value)
    assert taken.value.alternatives  # free times nearby
    assert all(a.start >= at(day, 12, 30) or a.end <= at(day, 10) for a in taken.value.alternatives)
    later = book(paid_unit, other_resident, at(day, 13), at(day, 15))
    assert later.case.status == "held"


def test_holds_that_run_out_are_released_and_the_invoice_cancelled(
    paid_unit, resident, other_resident, book, clock_at
):
    day = day_ahead()
    booking = book(paid_unit, resident, at(day, 10), at(day, 12))
    clock_at(timezone.now() + timedelta(minutes=16))
    assert lifecycle.release_expired_holds() == 1
    booking.refresh_from_db()
    assert booking.case.status == "expired"
    assert booking.invoice.status == InvoiceStatus.VOID
    assert not Occurrence.objects.filter(booking=booking, active=True).exists()
    assert lifecycle.release_expired_holds() == 0  # safe to run twice
    again = book(paid_unit, other_resident, at(day, 10), at(day, 12))
    assert again.case.status == "held"


def test_a_hold_that_ran_out_is_released_by_the_next_booking(
    paid_unit, resident, other_resident, book, clock_at
):
    day = day_ahead()
    first = book(paid_unit, resident, at(day, 10), at(day, 12))
    clock_at(timezone.now() + timedelta(minutes=20))
    second = book(paid_unit, other_resident, at(day, 10), at(day, 12))
    first.refresh_from_db()
    assert first.case.status == "expired" and second.case.status == "held"


def test_a_hold_paid_just_in_time_is_confirmed_not_released(
    client, paid_unit, resident, book, clock_at
):
    day = day_ahead()
    booking = book(paid_unit, resident, at(day, 10), at(day, 12))
    pay(client, booking)
    clock_at(timezone.now() + timedelta(minutes=16))
    lifecycle.release_expired_holds()
    booking.refresh_from_db()
    assert booking.case.status == "confirmed"
    assert booking.occurrences.get().active


def test_the_per_person_limit(free_unit, resident, other_resident, book):
    free_unit.max_active_per_person = 2
    free_unit.save()
    day = day_ahead()
    book(free_unit, resident, at(day, 9), at(day, 10))
    book(free_unit, resident, at(day, 11), at(day, 12))
    with pytest.raises(BookingInvalid) as error:
        book(free_unit, resident, at(day, 14), at(day, 15))
    assert "__all__" in error.value.errors
    assert "2 active bookings" in error.value.errors["__all__"][0]
    assert book(free_unit, other_resident, at(day, 14), at(day, 15))  # others are not limited


def test_a_booking_needs_a_purpose_and_an_account(free_unit, resident):
    day = day_ahead()
    with pytest.raises(BookingInvalid) as error:
        services.book_slot(
            user=resident,
            unit=free_unit,
            start=at(day, 10),
            end=at(day, 11),
            details=details(purpose="   "),
        )
    assert "purpose" in error.value.errors
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(services.BookingError):
        services.book_slot(
            user=AnonymousUser(),
            unit=free_unit,
            start=at(day, 10),
            end=at(day, 11),
            details=details(),
        )
    assert not Case.objects.exists()


def test_a_long_booking_made_under_older_rules_still_blocks(
    paid_unit, resident, other_resident, book
):
    """Shorter rules later do not free the time a longer booking already holds."""
    from datetime import timedelta as td

    paid_unit.max_duration = td(hours=12)
    paid_unit.save()
    day = day_ahead()
    book(paid_unit, resident, at(day, 8), at(day, 20))
    paid_unit.max_duration = td(hours=2)
    paid_unit.save()
    with pytest.raises(SlotTaken):
        book(paid_unit, other_resident, at(day, 18), at(day, 20))
    assert services.overlapping(paid_unit, at(day, 19), at(day, 20), now=timezone.now())
