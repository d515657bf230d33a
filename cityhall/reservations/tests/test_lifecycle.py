"""What happens as time passes and what the service registers: completion and
the deposit, a payment that arrives for a released hold, calendar files,
the demo city, the registry entries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from cityhall.cases import registry as cases_registry
from cityhall.core.registry import registry
from cityhall.payments.models import Invoice, InvoiceStatus, Refund
from cityhall.reservations import changes, decisions, ics, lifecycle, services
from cityhall.reservations.models import Booking, Facility, Unit
from cityhall.reservations.selectors import booking_calendar

from .conftest import at, day_ahead
from .test_booking import pay

pytestmark = pytest.mark.django_db


@pytest.fixture
def confirmed_paid(client, paid_unit, resident, book):
    day = day_ahead(5)
    booking = book(paid_unit, resident, at(day, 10), at(day, 12))
    pay(client, booking)
    services.reconcile(booking)
    booking.refresh_from_db()
    return booking


def test_completion_returns_the_deposit(confirmed_paid, clock_at):
    end = confirmed_paid.occurrences.get().end
    clock_at(end + timedelta(hours=2))
    assert lifecycle.complete_past_bookings() == 0  # a day to report damage first
    clock_at(end + timedelta(days=1, hours=1))
    assert lifecycle.complete_past_bookings() == 1
    confirmed_paid.refresh_from_db()
    assert confirmed_paid.case.status == "completed" and confirmed_paid.deposit_settled_at
    assert Refund.objects.get().amount_cents == 10000
    assert lifecycle.complete_past_bookings() == 0


def test_a_kept_deposit_is_not_returned(confirmed_paid, manager, clock_at):
    decisions.keep_deposit(booking=confirmed_paid, manager=manager, reason="Broken table")
    clock_at(confirmed_paid.occurrences.get().end + timedelta(days=2))
    lifecycle.complete_past_bookings()
    confirmed_paid.refresh_from_db()
    assert confirmed_paid.case.status == "completed"
    assert not Refund.objects.exists()
    assert confirmed_paid.case.events.filter(reason="Broken table", public=True).exists()


def test_a_payment_for_a_released_hold_is_refunded(paid_unit, resident, book):
    from cityhall.reservations.tasks import refund_late_payment

    booking = book(paid_unit, resident, at(day_ahead(), 10), at(day_ahead(), 12))
    changes.cancel_booking(booking=booking, actor=resident)
    # A provider that paid an invoice anyway (payments refunds money for a void
    # invoice itself; this is the booking's own safety net).
    Invoice.objects.filter(pk=booking.invoice_id).update(status=InvoiceStatus.PAID)
    services.on_invoice_paid(booking.invoice)
    booking.refresh_from_db()
    assert booking.case.status == "cancelled"
    assert any("refunding" in e.payload.get("note", "") for e in booking.case.events.all())
    assert refund_late_payment.call(booking.pk) == 0  # no money arrived: nothing to send back


def test_a_waived_invoice_confirms_the_booking(paid_unit, resident, book, clock_at):
    booking = book(paid_unit, resident, at(day_ahead(), 10), at(day_ahead(), 12))
    Invoice.objects.filter(pk=booking.invoice_id).update(status=InvoiceStatus.WAIVED)
    clock_at(timezone.now() + timedelta(minutes=20))
    lifecycle.release_expired_holds()
    booking.refresh_from_db()
    assert booking.case.status == "confirmed"


def test_the_booking_calendar_file(free_unit, resident, book):
    day = day_ahead()
    booking = book(free_unit, resident, at(day, 10), at(day, 12), purpose="Picnic; games, and fun")
    content = booking_calendar(booking).decode()
    assert content.startswith("BEGIN:VCALENDAR\r\n") and content.endswith("END:VCALENDAR\r\n")
    assert f"DTSTART:{at(day, 10).strftime('%Y%m%dT%H%M%SZ')}" in content
    assert "STATUS:CONFIRMED" in content and "SEQUENCE:0" in content
    assert "Shelter B\\, Alder Park" in content  # commas escaped
    changes.cancel_booking(booking=booking, actor=resident)
    booking.refresh_from_db()
    assert "STATUS:CANCELLED" in booking_calendar(booking).decode()


def test_long_lines_are_folded_without_splitting_characters():
    event = ics.Event(
        uid="x@example.org",
        start=timezone.now(),
        end=timezone.now() + timedelta(hours=1),
        summary="Reunión familiar " * 10,
    )
    content = ics.calendar([event])
    for line in content.split(b"\r\n"):
        assert len(line) <= 75
        line.decode()  # every piece is whole UTF-8
    unfolded = content.replace(b"\r\n ", b"").decode()
    assert ("SUMMARY:" + "Reunión familiar " * 10).strip() in unfolded


def test_demo_city_is_seeded_once(db):
    from cityhall.reservations.demo import seed

    seed()
    seed()
    assert Facility.objects.count() == 3
    assert Unit.objects.count() == 5
    assert Unit.objects.filter(fee_schedule="").exists()  # a free unit
    assert Unit.objects.filter(needs_approval=True).exists()
    assert Unit.objects.exclude(deposit_rule="").exists()
    assert all(f.hours.exists() for f in Facility.objects.all())


def test_registrations():
    service = cases_registry.get("facility_booking")
    assert service.on_invoice_paid is services.on_invoice_paid
    assert service.prefix == "BK" and service.staff_url_name == "reservations:staff-booking"
    assert registry.catalogue["facility_booking"].start_url_name == "reservations:start"
    assert "reservations.release_holds" in registry.periodic
    assert registry.periodic["reservations.release_holds"].every <= timedelta(minutes=1)
    names = {q.url_name for q in registry.queues}
    assert {"reservations:staff-approvals", "reservations:staff-today"} <= names


def test_a_booking_for_the_next_person_after_a_denial(
    approval_unit, resident, other_resident, manager, book
):
    from cityhall.reservations import waitlist

    from .conftest import details

    day = day_ahead()
    first = book(approval_unit, resident, at(day, 10), at(day, 11))
    waitlist.join_waitlist(
        user=other_resident,
        unit=approval_unit,
        start=at(day, 10),
        end=at(day, 11),
        details=details(),
    )
    decisions.deny_booking(booking=first, manager=manager, reason="Private event")
    offer = Booking.objects.get(user=other_resident)
    assert offer.case.status == "held" and offer.waitlist_entry is not None
