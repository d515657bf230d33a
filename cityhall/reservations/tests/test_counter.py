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
from cityhall.reservations.errors import BookingInvalid, SlotTaken
from cityhall.reservations.models import Booking
from cityhall.reservations.services import Caller, day_hold
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
    # Not tied to the account that claims that address (addresses are not verified).
    assert booking.user is None
    held_for = booking.hold_expires_at - before
    assert timedelta(hours=23, minutes=59) < held_for <= timedelta(hours=24, seconds=5)
    email = Notification.objects.get(kind="booking_held")
    assert email.to_email == resident.email.lower()
    assert "/pay/" in email.body_text and "$150.00" in email.body_text
    assert booking.case.reference in email.body_text
    # No sign-in page and, while held, no status page yet: the phone for changes.
    assert "/reservations/bookings/" not in email.body_text and "/track/" not in email.body_text
    assert "(555) 010-0150" in email.body_text


def test_a_hold_never_runs_past_the_time_online_booking_closes(paid_unit, manager, clock_at):
    now = clock_at(timezone.now())
    start = now + timedelta(hours=paid_unit.closes_hours_before + 5)
    start = start.replace(minute=0, second=0, microsecond=0)
    last_call = start - timedelta(hours=paid_unit.closes_hours_before)
    assert day_hold(paid_unit, start, now) == last_call
    soon = now + timedelta(hours=paid_unit.closes_hours_before, minutes=5)
    # Closer than that: the 15 minutes anyone gets.
    assert day_hold(paid_unit, soon, now) == now + timedelta(minutes=15)


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
    response = client.post(
        caller_url(paid_unit, start), form(start, end, caller_email="rosa@example.org")
    )
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
    assert response.context["taken"] is not None
    html = response.content.decode()
    assert 'data-testid="taken"' in html and 'data-testid="alternatives"' in html
    assert reverse("reservations:staff-book-for-caller", args=[free_unit.pk]) in html
    assert Booking.objects.count() == 1


def test_a_double_click_lands_on_the_booking_just_made(staff_client, free_unit):
    client, _manager = staff_client("facility_manager")
    day = day_ahead()
    start, end = at(day, 10), at(day, 12)
    token = client.get(caller_url(free_unit, start)).context["form"].initial["submission"]
    first = client.post(caller_url(free_unit, start), form(start, end, submission=token))
    second = client.post(caller_url(free_unit, start), form(start, end, submission=token))
    assert first.status_code == second.status_code == 302
    assert first.url == second.url
    assert Booking.objects.count() == 1
    # The same form sent again with something changed is not a second booking either.
    changed = client.post(
        caller_url(free_unit, start), form(start, end, submission=token, purpose="Other")
    )
    assert changed.status_code == 302 and changed.url == first.url
    page = client.get(changed.url).content.decode()
    assert "This form was already used for booking" in page
    assert Booking.objects.count() == 1


def test_a_second_caller_for_the_same_time_is_told_it_is_taken(staff_client, free_unit):
    """Not sent to the first caller's booking: each form has its own token."""
    client, _manager = staff_client("facility_manager")
    day = day_ahead()
    start = at(day, 10)
    url = caller_url(free_unit, start)
    tokens = [client.get(url).context["form"].initial["submission"] for _ in range(2)]
    assert tokens[0] != tokens[1]
    client.post(url, form(start, at(day, 12), submission=tokens[0]))
    second = client.post(
        url,
        form(
            start,
            at(day, 11),
            submission=tokens[1],
            caller_name="Beto Dos",
            caller_phone="(213) 555-0199",
        ),
    )
    assert second.status_code == 200 and second.context["taken"] is not None
    assert Booking.objects.count() == 1


def test_the_per_person_limit_counts_the_callers_bookings_by_email_and_phone(
    manager, resident, make_user, book, park
):
    from .conftest import make_unit

    unit = make_unit(park, "Shelter C", max_active_per_person=1)
    day = day_ahead()
    book(unit, resident, at(day, 9), at(day, 10))  # online, with their account
    with pytest.raises(BookingInvalid) as limit:
        take(
            manager,
            unit,
            at(day, 12),
            at(day, 13),
            caller=Caller(name="Ana", email=resident.email.upper()),
        )
    assert "The caller already has 1 active booking" in str(limit.value.errors)
    take(manager, unit, at(day, 14), at(day, 15))  # Rosa, by her phone number
    with pytest.raises(BookingInvalid):
        take(
            manager,
            unit,
            at(day, 16),
            at(day, 17),
            caller=Caller(name="Rosa D.", phone="+12135550147"),
        )
    assert Booking.objects.count() == 2


def test_a_paid_space_by_phone_needs_an_email_and_at_the_counter_15_minutes(paid_unit, manager):
    day = day_ahead(5)
    with pytest.raises(BookingInvalid) as no_email:
        take(manager, paid_unit, at(day, 10), at(day, 12))  # phone, no email
    assert "caller_email" in no_email.value.errors
    before = timezone.now()
    booking = take(manager, paid_unit, at(day, 10), at(day, 12), channel="counter")
    assert booking.case.status == "held"
    assert booking.hold_expires_at - before <= timedelta(minutes=15, seconds=5)
    assert not Notification.objects.filter(kind="booking_held").exists()


def test_a_caller_without_email_is_never_sent_an_email_by_later_changes(free_unit, manager):
    from cityhall.reservations import changes

    day = day_ahead()
    booking = take(manager, free_unit, at(day, 10), at(day, 12))  # a phone number only
    changes.cancel_booking(booking=booking, actor=manager, by_staff=True, reason="Storm damage")
    booking.case.refresh_from_db()
    assert booking.case.status == "cancelled"
    assert not Notification.objects.exclude(status="permanent_failure").exists()


def test_a_callers_calendar_file_and_status_page_lead_to_what_they_can_open(
    client, free_unit, manager
):
    from cityhall.cases.selectors import tracking_token
    from cityhall.reservations.selectors import booking_calendar

    day = day_ahead()
    booking = take(manager, free_unit, at(day, 10), at(day, 12))
    calendar = booking_calendar(booking).decode()
    assert "/track/" in calendar and "/reservations/bookings/" not in calendar
    token = tracking_token(booking.case)
    page = client.get(reverse("cases:track-status", kwargs={"token": token}))
    html = page.content.decode()
    assert page.status_code == 200 and "Shelter B" in html
    assert "(sign in)" not in html and "(555) 010-0150" in html


def test_staff_see_a_run_out_hold_released_not_a_payment_link(
    staff_client, paid_unit, manager, clock_at
):
    day = day_ahead(5)
    booking = take(
        manager,
        paid_unit,
        at(day, 10),
        at(day, 12),
        caller=Caller(name="Luis", email="luis@example.org"),
    )
    client, _ = staff_client("facility_manager", email="other-manager@staff.example.org")
    url = reverse("reservations:staff-booking", args=[booking.case.reference])
    assert 'data-testid="caller-pay"' in client.get(url).content.decode()
    clock_at(timezone.now() + timedelta(hours=25))
    page = client.get(url).content.decode()
    assert 'data-testid="caller-pay"' not in page
    booking.case.refresh_from_db()
    assert booking.case.status == "expired"


def test_timeline_outcomes_of_this_work_are_in_spanish_too():
    from django.utils import translation

    from cityhall.cases.templatetags.cases_tags import outcome

    with translation.override("es"):
        assert outcome("no email address") == "no enviado: sin correo electrónico"
        assert outcome("nothing taken") == "completado sin cobrar nada"
