"""The series journey (every Tuesday 18:00-20:00 for 10 weeks: conflicts shown
first, one date or the whole series cancelled in one action) and the waitlist
journey (join a taken time, offered it first when it is freed), through the
pages a resident uses."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cityhall.cases.models import Case
from cityhall.notifications.models import Notification
from cityhall.payments.models import InvoiceStatus, Refund
from cityhall.reservations import changes, lifecycle, services
from cityhall.reservations.models import (
    Booking,
    HoursException,
    Occurrence,
    WaitlistEntry,
    WaitlistStatus,
)

from .conftest import at, day_ahead, details
from .test_booking import pay

pytestmark = pytest.mark.django_db

TUESDAY = 1


def series_form(first_day, **changes_):
    data = {
        "first_date": first_day.isoformat(),
        "start_time": "18:00",
        "end_time": "20:00",
        "weeks": "10",
        "attendees": "12",
        "purpose": "Chess club",
        "resident": "yes",
    }
    data.update(changes_)
    return data


def test_series_shows_conflicts_then_books_the_free_dates_as_one_booking(
    client, free_unit, resident, other_resident, book
):
    first = day_ahead(3, weekday=TUESDAY)
    # Someone has the fourth Tuesday; the park is closed on the sixth.
    book(
        free_unit,
        other_resident,
        at(first + timedelta(weeks=3), 18),
        at(first + timedelta(weeks=3), 19),
    )
    closed_day = first + timedelta(weeks=5)
    HoursException.objects.create(
        facility=free_unit.facility,
        first_day=closed_day,
        last_day=closed_day,
        reason_en="Park maintenance",
        reason_es="Mantenimiento",
    )
    client.force_login(resident)
    url = reverse("reservations:series", args=[free_unit.pk])
    page = client.post(url, series_form(first) | {"check": "1"})
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count('data-ok="yes"') == 8 and html.count('data-ok="no"') == 2
    assert "Already booked." in html
    assert "Park maintenance" in html
    assert not Booking.objects.filter(user=resident).exists()  # nothing booked by looking

    page = client.post(url, series_form(first) | {"book": "1"})
    assert page.status_code == 200 and "Agree to the rules of use" in page.content.decode()
    response = client.post(url, series_form(first) | {"book": "1", "terms": "on"})
    assert response.status_code == 302
    again = client.post(url, series_form(first) | {"book": "1", "terms": "on"})  # double click
    assert again.status_code == 302 and again["Location"] == response["Location"]
    booking = Booking.objects.get(user=resident)
    assert booking.case.status == "confirmed" and booking.is_series
    times = list(booking.occurrences.order_by("start"))
    assert len(times) == 8
    assert all(timezone.localtime(o.start).time() == time(18) for o in times)
    assert all(timezone.localtime(o.start).weekday() == TUESDAY for o in times)
    assert Case.objects.filter(applicant=resident).count() == 1  # one case for the series


def test_a_series_keeps_its_wall_clock_time_across_the_clock_change(free_unit, resident, clock_at):
    """Every Tuesday at 6 p.m. stays 6 p.m. when daylight saving time ends."""
    from datetime import date

    clock_at(timezone.make_aware(timezone.datetime(2026, 10, 1, 12)))
    free_unit.opens_days_ahead = 120
    free_unit.save()
    first = date(2026, 10, 20)  # a Tuesday; clocks go back on Sunday, November 1
    times = [
        (at(first + timedelta(weeks=w), 18), at(first + timedelta(weeks=w), 20)) for w in range(4)
    ]
    booking = services.book_series(
        user=resident, unit=free_unit, times=times, details=details(), pattern={"weeks": 4}
    )
    offsets = [
        timezone.localtime(o.start).utcoffset() for o in booking.occurrences.order_by("start")
    ]
    assert offsets == [timedelta(hours=-7)] * 2 + [timedelta(hours=-8)] * 2
    assert all(o.end - o.start == timedelta(hours=2) for o in booking.occurrences.all())


@pytest.fixture
def paid_series(client, paid_unit, resident):
    first = day_ahead(5, weekday=TUESDAY)
    times = [
        (at(first + timedelta(weeks=w), 18), at(first + timedelta(weeks=w), 20)) for w in range(10)
    ]
    booking = services.book_series(
        user=resident, unit=paid_unit, times=times, details=details(), pattern={"weeks": 10}
    )
    assert booking.invoice.total_cents == 10 * 5000 + 10000
    pay(client, booking)
    services.reconcile(booking)
    booking.refresh_from_db()
    assert booking.case.status == "confirmed"
    return booking


def test_cancel_one_date_of_a_series(client, paid_series, resident):
    client.force_login(resident)
    third = paid_series.occurrences.order_by("start")[2]
    page = client.get(
        reverse("reservations:cancel-date", args=[paid_series.case.reference, third.pk])
    )
    assert "$25.00" in page.content.decode()  # 50% of that date's $50.00
    response = client.post(
        reverse("reservations:cancel-date", args=[paid_series.case.reference, third.pk])
    )
    assert response.status_code == 302
    third.refresh_from_db()
    assert not third.active
    paid_series.case.refresh_from_db()
    assert paid_series.case.status == "confirmed"
    assert paid_series.occurrences.filter(active=True).count() == 9
    assert Refund.objects.get().amount_cents == 2500
    mail = Notification.objects.get(kind="booking_cancelled")
    assert "The other dates stay booked" in mail.body_text


def test_cancel_the_whole_series_in_one_action(client, paid_series, resident):
    client.force_login(resident)
    url = reverse("reservations:cancel", args=[paid_series.case.reference])
    page = client.get(url)
    # 50% of ten dates' $500.00, and the $100.00 deposit
    assert "$350.00" in page.content.decode()
    client.post(url)
    paid_series.refresh_from_db()
    assert paid_series.case.status == "cancelled"
    assert not paid_series.occurrences.filter(active=True).exists()
    assert Refund.objects.get().amount_cents == 35000


def test_waitlist_join_then_offered_first_when_freed(
    client, free_unit, resident, other_resident, make_user, book
):
    day = day_ahead()
    taken = book(free_unit, other_resident, at(day, 10), at(day, 12))
    client.force_login(resident)
    url = reverse("reservations:book", args=[free_unit.pk])
    start = at(day, 10).isoformat()
    page = client.get(url, {"start": start})
    assert page.status_code == 200 and "Join the waitlist" in page.content.decode()
    form = {
        "start": start,
        "end": at(day, 11).isoformat(),
        "attendees": "8",
        "purpose": "Picnic",
        "resident": "yes",
        "terms": "on",
        "join_waitlist": "1",
    }
    response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()
    entry = WaitlistEntry.objects.get(user=resident)
    assert entry.status == WaitlistStatus.WAITING
    # Joining twice is refused with a clear message.
    page = client.post(url, form)
    assert "already on the waitlist" in page.content.decode()

    later = make_user("third@example.org", roles=["resident"])
    second = WaitlistEntry.objects.create(
        unit=free_unit, user=later, start=at(day, 10), end=at(day, 11), attendees=4, purpose="x"
    )

    changes.cancel_booking(booking=taken, actor=other_resident)
    entry.refresh_from_db()
    second.refresh_from_db()
    assert entry.status == WaitlistStatus.OFFERED and second.status == WaitlistStatus.WAITING
    offer = Booking.objects.get(waitlist_entry=entry)
    assert offer.case.status == "held" and offer.hold_expires_at > timezone.now() + timedelta(
        hours=20
    )
    assert Notification.objects.filter(kind="waitlist_offer", to_email=resident.email).exists()
    # Nobody else can take it meanwhile.
    with pytest.raises(services.SlotTaken):
        book(free_unit, later, at(day, 10), at(day, 11))

    client.post(reverse("reservations:confirm", args=[offer.case.reference]))
    offer.case.refresh_from_db()
    assert offer.case.status == "confirmed"


def test_an_offer_not_taken_up_goes_to_the_next_person(
    free_unit, resident, other_resident, make_user, book, clock_at
):
    from cityhall.reservations import waitlist

    day = day_ahead()
    taken = book(free_unit, other_resident, at(day, 10), at(day, 12))
    first = waitlist.join_waitlist(
        user=resident, unit=free_unit, start=at(day, 10), end=at(day, 11), details=details()
    )
    later = make_user("third@example.org", roles=["resident"])
    second = waitlist.join_waitlist(
        user=later, unit=free_unit, start=at(day, 10), end=at(day, 11), details=details()
    )
    assert (waitlist.position(first), waitlist.position(second)) == (1, 2)
    changes.cancel_booking(booking=taken, actor=other_resident)
    clock_at(timezone.now() + timedelta(hours=25))
    lifecycle.release_expired_holds()
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == WaitlistStatus.LAPSED
    assert second.status == WaitlistStatus.OFFERED
    assert Booking.objects.get(waitlist_entry=second).case.status == "held"


def test_a_paid_offer_is_held_with_an_invoice(client, paid_unit, resident, other_resident, book):
    from cityhall.reservations import waitlist

    day = day_ahead()
    taken = book(paid_unit, other_resident, at(day, 10), at(day, 12))
    waitlist.join_waitlist(
        user=resident, unit=paid_unit, start=at(day, 10), end=at(day, 12), details=details()
    )
    changes.cancel_booking(booking=taken, actor=other_resident)
    offer = Booking.objects.get(user=resident)
    assert offer.invoice.status == InvoiceStatus.OPEN
    mail = Notification.objects.get(kind="waitlist_offer")
    assert "/pay/" in mail.body_text and "$150.00" in mail.body_text


def test_joining_the_waitlist_for_a_free_time_is_refused(free_unit, resident):
    from cityhall.reservations import waitlist

    day = day_ahead()
    with pytest.raises(services.BookingError) as error:
        waitlist.join_waitlist(
            user=resident, unit=free_unit, start=at(day, 10), end=at(day, 11), details=details()
        )
    assert "free now" in str(error.value)
    assert not Occurrence.objects.exists()


def test_taking_up_an_offer_of_a_space_staff_approve(
    client, approval_unit, resident, other_resident, book
):
    # The answer says what happened (sent for approval, not "confirmed"), and a
    # double click on "Yes, book it" is not an error.
    from cityhall.reservations import waitlist

    day = day_ahead()
    taken = book(approval_unit, other_resident, at(day, 10), at(day, 12))
    waitlist.join_waitlist(
        user=resident, unit=approval_unit, start=at(day, 10), end=at(day, 12), details=details()
    )
    changes.cancel_booking(booking=taken, actor=other_resident)
    offer = Booking.objects.get(user=resident)
    client.force_login(resident)
    url = reverse("reservations:confirm", args=[offer.case.reference])
    page = client.post(url, follow=True).content.decode()
    offer.case.refresh_from_db()
    assert offer.case.status == "requested"
    assert "your booking is confirmed" not in page and "approval" in page
    again = client.post(url, follow=True).content.decode()
    assert "usa-alert--error" not in again


def _run_out_holds_around_a_waitlist_entry(paid_unit, make_user):
    """Two holds that ran out unpaid (9-11 and 12-14) and someone waiting for
    10-12, which meets both (the unit's half-hour buffer after 10-12 reaches 12:30)."""
    from cityhall.reservations import waitlist

    day = day_ahead()
    ann, ben, cat = (
        make_user(f"{name}@example.org", roles=["resident"]) for name in ("ann", "ben", "cat")
    )
    first = services.book_slot(
        user=ben, unit=paid_unit, start=at(day, 9), end=at(day, 11), details=details()
    )
    second = services.book_slot(
        user=ann, unit=paid_unit, start=at(day, 12), end=at(day, 14), details=details()
    )
    entry = waitlist.join_waitlist(
        user=cat, unit=paid_unit, start=at(day, 10), end=at(day, 12), details=details()
    )
    past = timezone.now() - timedelta(minutes=1)
    Booking.objects.filter(pk__in=[first.pk, second.pk]).update(hold_expires_at=past)
    Occurrence.objects.filter(booking__in=[first, second]).update(held_until=past)
    return first, second, entry


def test_no_offer_is_made_over_a_hold_that_ran_out_but_may_still_be_paid(paid_unit, make_user):
    """The first hold is released; the second, run out too, may yet turn out paid
    in time (a late webhook): the waiting person is not offered a time it still
    covers, and when it is paid, one booking holds the time, on every database."""
    from cityhall.payments.models import Invoice

    first, second, entry = _run_out_holds_around_a_waitlist_entry(paid_unit, make_user)
    lifecycle.release_hold(first.pk, now=timezone.now())
    entry.refresh_from_db()
    assert entry.status == WaitlistStatus.WAITING
    Invoice.objects.filter(pk=second.invoice_id).update(
        status=InvoiceStatus.PAID, paid_at=timezone.now()
    )
    lifecycle.release_hold(second.pk, now=timezone.now())  # settles it instead
    active = Occurrence.objects.filter(unit=paid_unit, active=True)
    assert [o.booking_id for o in active] == [second.pk]
    assert Booking.objects.get(pk=second.pk).case.status == "confirmed"


def test_the_waiting_person_is_offered_the_time_when_the_last_hold_in_the_way_goes(
    paid_unit, make_user
):
    first, second, entry = _run_out_holds_around_a_waitlist_entry(paid_unit, make_user)
    lifecycle.release_hold(first.pk, now=timezone.now())
    lifecycle.release_hold(second.pk, now=timezone.now())
    entry.refresh_from_db()
    assert entry.status == WaitlistStatus.OFFERED
    assert Booking.objects.get(waitlist_entry=entry).case.status == "held"
