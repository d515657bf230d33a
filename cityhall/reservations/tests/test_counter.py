"""Bookings taken by a facility manager for a caller at the counter or on the
phone (counter.py, views_counter.py): the same rules and calendar, the
caller's contact on the case, the channel recorded, emails that work without
an account, a day to pay."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from cityhall.cases.errors import NotAllowed
from cityhall.notifications.models import Notification
from cityhall.reservations import counter
from cityhall.reservations.errors import SlotTaken
from cityhall.reservations.models import Booking
from cityhall.reservations.services import Caller
from cityhall.reservations.tasks import send_confirmation
from cityhall.reservations.timeutil import iso

from .conftest import at, day_ahead, details

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(make_user):
    return make_user(
        "manager@staff.example.org", roles=["facility_manager"], full_name="Morgan Manager"
    )


def take(manager, unit, start, end, caller=None, channel="phone", **kwargs):
    return counter.book_for_caller(
        actor=manager,
        unit=unit,
        start=start,
        end=end,
        details=details(**kwargs),
        caller=caller or Caller(name="Rosa Díaz", phone="+12135550147", language="es"),
        channel=channel,
    )


def test_a_free_time_for_a_caller_without_an_account_is_confirmed_and_printed(
    free_unit, manager, settings
):
    day = day_ahead()
    booking = take(manager, free_unit, at(day, 10), at(day, 12))
    case = booking.case
    assert case.status == "confirmed"
    assert booking.user is None
    assert (case.channel, case.contact_name, case.contact_phone) == (
        "phone",
        "Rosa Díaz",
        "+12135550147",
    )
    assert case.contact_email == "" and case.recorded_by == manager and case.language == "es"

    # The confirmation PDF is issued; there is no one to email it to.
    assert send_confirmation.call(booking.pk) == "issued, no email"
    assert case.documents.filter(kind="booking_confirmation").count() == 1
    assert not Notification.objects.exists() and not mail.outbox


def test_a_paid_time_is_held_for_a_day_and_the_caller_gets_the_payment_link(
    paid_unit, manager, resident
):
    day = day_ahead(5)
    before = timezone.now()
    booking = take(
        manager,
        paid_unit,
        at(day, 10),
        at(day, 12),
        caller=Caller(name="Ana García", email=resident.email.upper(), language="en"),
        channel="counter",
    )
    assert booking.case.status == "held"
    assert booking.user == resident  # their account: it shows in their bookings
    held_for = booking.hold_expires_at - before
    assert timedelta(hours=23, minutes=59) < held_for <= timedelta(hours=24, seconds=5)
    email = Notification.objects.get(kind="booking_held")
    assert email.to_email == resident.email.lower()
    assert "/pay/" in email.body_text and "$150.00" in email.body_text
    assert booking.case.reference in email.body_text
    assert "/reservations/bookings/" in email.body_text  # an account: the booking page


def test_a_hold_never_runs_past_the_time_online_booking_closes(paid_unit, manager, clock_at):
    now = clock_at(timezone.now())
    start = now + timedelta(hours=paid_unit.closes_hours_before + 5)
    start = start.replace(minute=0, second=0, microsecond=0)
    last_call = start - timedelta(hours=paid_unit.closes_hours_before)
    assert counter.hold_for_caller(paid_unit, start, now) == last_call
    soon = now + timedelta(hours=paid_unit.closes_hours_before, minutes=5)
    # Closer than that: the 15 minutes anyone gets.
    assert counter.hold_for_caller(paid_unit, soon, now) == now + timedelta(minutes=15)


def test_emails_to_a_caller_without_an_account_give_the_phone_not_a_sign_in_link(
    paid_unit, manager
):
    day = day_ahead(5)
    take(
        manager,
        paid_unit,
        at(day, 10),
        at(day, 12),
        caller=Caller(name="Luis Pérez", email="luis@example.org", language="es"),
    )
    email = Notification.objects.get(kind="booking_held")
    assert email.language == "es" and "/es/pay/" in email.body_text
    assert "/reservations/bookings/" not in email.body_text + email.body_html
    assert "(555) 010-0150" in email.body_text  # the facility's phone, to change or cancel


def test_only_facility_managers_book_for_callers(free_unit, resident, make_user):
    day = day_ahead()
    clerk = make_user("clerk@finance.example.org", roles=["finance_clerk"])
    for who in (resident, clerk):
        with pytest.raises(NotAllowed):
            take(who, free_unit, at(day, 10), at(day, 12))
    assert not Booking.objects.exists()


def test_the_same_rules_and_the_same_never_double_booked(free_unit, manager, resident, book):
    day = day_ahead()
    book(free_unit, resident, at(day, 10), at(day, 12))
    with pytest.raises(SlotTaken) as taken:
        take(manager, free_unit, at(day, 11), at(day, 13))
    assert taken.value.alternatives
    with pytest.raises(ValueError):
        take(manager, free_unit, at(day, 14), at(day, 15), channel="online")
    assert Booking.objects.count() == 1


# ---- the pages ----------------------------------------------------------------


def caller_url(unit, start):
    return reverse("reservations:staff-book-for-caller", args=[unit.pk]) + f"?start={iso(start)}"


def form(start, end, /, **changes):
    data = {
        "start": iso(start),
        "end": iso(end),
        "caller_name": "Rosa Díaz 🌵",
        "caller_email": "",
        "caller_phone": "(213) 555-0147",
        "caller_language": "es",
        "channel": "phone",
        "attendees": "12",
        "purpose": "Cumpleaños",
        "resident": "yes",
        "terms": "on",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_managers_see_for_a_caller_beside_free_times_and_others_do_not(
    client, staff_client, free_unit, resident
):
    day = day_ahead()
    unit_url = reverse("reservations:unit", args=[free_unit.pk]) + f"?date={day.isoformat()}"
    booking_url = caller_url(free_unit, at(day, 10))
    assert 'data-testid="caller-slot"' not in client.get(unit_url).content.decode()
    assert client.get(booking_url).status_code == 302  # to sign in
    client.force_login(resident)
    assert 'data-testid="caller-slot"' not in client.get(unit_url).content.decode()
    assert client.get(booking_url).status_code in (302, 403)  # not staff
    manager_client, _manager = staff_client("facility_manager")  # the same client, now staff
    page = manager_client.get(unit_url).content.decode()
    assert 'data-testid="caller-slot"' in page and "For a caller" in page
    assert manager_client.get(booking_url).status_code == 200


def test_the_form_books_and_the_booking_page_serves_the_caller(staff_client, paid_unit):
    client, manager = staff_client("facility_manager")
    day = day_ahead(5)
    start, end = at(day, 10), at(day, 12)
    page = client.get(caller_url(paid_unit, start))
    assert page.status_code == 200 and "Book for a caller" in page.content.decode()
    response = client.post(caller_url(paid_unit, start), form(start, end))
    booking = Booking.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("reservations:staff-booking", args=[booking.case.reference])
    assert booking.case.contact_name == "Rosa Díaz 🌵"  # kept exactly
    assert booking.case.contact_phone == "+12135550147"
    page = client.get(response.url).content.decode()
    assert "(213) 555-0147" in page  # the phone as the caller would say it
    assert "Taken by" in page and manager.email in page
    assert 'data-testid="caller-pay"' in page and "/es/pay/" in page
    assert "no account" in page


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"caller_name": ""}, "caller_name", "Enter the caller's name."),
        ({"caller_phone": ""}, "caller_email", "Give an email or a phone number"),
        ({"caller_phone": "555"}, "caller_phone", "Enter a phone number with its area code"),
        ({"caller_email": "rosa@"}, "caller_email", "Enter an email like"),
        ({"channel": None}, "channel", "at the counter or on the phone"),
        ({"terms": None}, "terms", "Tell the caller the rules of use first."),
        ({"attendees": "500"}, "attendees", ""),
        ({"end": "2020-01-01T10:00:00+00:00"}, "end", ""),
    ],
)
def test_bad_input_gets_a_clear_message_and_loses_nothing(
    staff_client, free_unit, changes, field, message
):
    client, _manager = staff_client("facility_manager")
    day = day_ahead()
    start, end = at(day, 10), at(day, 12)
    response = client.post(caller_url(free_unit, start), form(start, end, **changes))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    assert message in " ".join(errors[field])
    page = response.content.decode()
    assert "Rosa Díaz 🌵" in page or changes.get("caller_name") == ""
    assert "Cumpleaños" in page  # what was typed is still there
    assert not Booking.objects.exists()


def test_a_time_taken_meanwhile_offers_others_on_the_staff_form(
    staff_client, free_unit, resident, book
):
    client, _manager = staff_client("facility_manager")
    day = day_ahead()
    start, end = at(day, 10), at(day, 12)
    page = client.get(caller_url(free_unit, start))
    assert page.status_code == 200
    book(free_unit, resident, start, end)  # a resident online, a moment before
    response = client.post(caller_url(free_unit, start), form(start, end))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="taken"' in html or "This time cannot be booked" in html
    assert Booking.objects.count() == 1


def test_a_double_click_lands_on_the_booking_just_made(staff_client, free_unit):
    client, _manager = staff_client("facility_manager")
    day = day_ahead()
    start, end = at(day, 10), at(day, 12)
    first = client.post(caller_url(free_unit, start), form(start, end))
    second = client.post(caller_url(free_unit, start), form(start, end))
    assert first.status_code == second.status_code == 302
    assert first.url == second.url
    assert Booking.objects.count() == 1


def test_a_caller_without_email_is_never_sent_an_email_by_later_changes(free_unit, manager):
    from cityhall.reservations import changes

    day = day_ahead()
    booking = take(manager, free_unit, at(day, 10), at(day, 12))  # a phone number only
    changes.cancel_booking(booking=booking, actor=manager, by_staff=True, reason="Storm damage")
    booking.case.refresh_from_db()
    assert booking.case.status == "cancelled"
    assert not Notification.objects.exclude(status="permanent_failure").exists()
