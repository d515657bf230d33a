"""The resident's and the facility manager's journeys in headless Chromium, in
English and Spanish, with axe-core (WCAG 2.2 AA rules) on every page on the way.

Buttons and links are found by test ids and names, not by their words, so
the journeys do not depend on the Spanish catalogue being up to date."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.core import mail
from django.core.management import call_command
from django_otp.plugins.otp_totp.models import TOTPDevice
from pypdf import PdfReader

from cityhall.notifications.models import Notification
from cityhall.reservations.models import Booking
from cityhall.reservations.timeutil import iso
from cityhall.testing import assert_accessible, current_totp, pay_in_sandbox

from .conftest import at, day_ahead, make_facility, make_schedule, make_unit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _site(settings, live_server):
    # Payment pages send the payer back to the city's own address: this server.
    settings.CITY_SITE_URL = live_server.url


@pytest.fixture
def places(db):
    from cityhall.reservations.models import UnitKind

    park = make_facility()
    make_schedule()
    free = make_unit(park, "Shelter B")
    paid = make_unit(
        park,
        "Shelter A",
        capacity=60,
        min_duration=timedelta(hours=2),
        max_duration=timedelta(hours=6),
        start_interval_minutes=60,
        fee_schedule="test-shelter",
        rate_rule="hours",
    )
    room = make_unit(park, "Room 1", kind=UnitKind.ROOM, needs_approval=True)
    return {"free": free, "paid": paid, "room": room}


def run_worker():
    call_command(
        "db_worker", batch=True, reload=False, startup_delay=False, verbosity=0, queue_name="*"
    )


def prefix_of(language):
    return "/es" if language == "es" else ""


def sign_in_resident(page, make_user, language, email="ana@example.org"):
    """From the sign-in step: the existing account's sign-in, back to the slot."""
    make_user(email, roles=["resident"], password=PASSWORD, full_name="Ana García")
    page.get_by_test_id("sign-in").click()
    page.wait_for_url(re.compile("/accounts/sign-in/"))
    page.fill("[name=username]", email)
    page.fill("[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()


def fill_booking(page, purpose="Birthday picnic"):
    page.fill("[name=attendees]", "12")
    page.fill("[name=purpose]", purpose)
    page.locator("label[for=id_resident_0]").click()
    page.locator("label[for=id_terms]").click()
    page.get_by_test_id("book").click()


def choose_slot(page, language, unit, day, hour):
    page.goto(page.base + prefix_of(language) + f"/reservations/?date={day.isoformat()}")
    assert page.locator("html").get_attribute("lang") == language
    assert_accessible(page, f"{language}-search")
    page.goto(
        page.base + prefix_of(language) + f"/reservations/units/{unit.pk}/?date={day.isoformat()}"
    )
    assert_accessible(page, f"{language}-unit-day")
    start = quote(iso(at(day, hour)), safe="/")
    page.locator(f"a[data-testid=free-slot][href*='{start}']").click()


@pytest.mark.parametrize("language", ["en", "es"])
def test_resident_books_a_free_shelter_and_gets_the_email(page, places, make_user, language):
    day = day_ahead(5)
    choose_slot(page, language, places["free"], day, 10)
    page.wait_for_url(re.compile("/reservations/sign-in/"))
    assert_accessible(page, f"{language}-sign-in-step")
    sign_in_resident(page, make_user, language)
    page.wait_for_url(re.compile("/book/"))
    assert_accessible(page, f"{language}-book")
    # Sent without anything: clear messages next to the fields, nothing lost.
    page.fill("[name=purpose]", "Birthday picnic")
    page.get_by_test_id("book").click()
    page.locator("#error-summary").wait_for()
    assert page.input_value("[name=purpose]") == "Birthday picnic"
    assert_accessible(page, f"{language}-book-errors")
    fill_booking(page)
    page.wait_for_url(re.compile("/reservations/bookings/"))
    assert page.get_by_test_id("status").get_attribute("data-state") == "confirmed"
    assert_accessible(page, f"{language}-confirmed")
    reference = page.get_by_test_id("reference").inner_text().strip()
    booking = Booking.objects.get(case__reference=reference)
    assert booking.case.language == language

    mail.outbox.clear()
    run_worker()
    [email] = [m for m in mail.outbox if m.to == ["ana@example.org"]]
    files = {name: (content, mimetype) for name, content, mimetype in email.attachments}
    ics, ics_type = files[f"booking-{reference}.ics"]
    assert ics_type == "text/calendar"
    ics = ics.decode() if isinstance(ics, bytes) else ics
    assert "BEGIN:VEVENT" in ics and "Shelter B" in ics
    pdf, pdf_type = files[f"booking-{reference}.pdf"]
    assert pdf_type == "application/pdf"
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages)
    terms = "Déjelo limpio" if language == "es" else "Leave it clean"
    for expected in (reference, "Shelter B", "Ana García", "Birthday picnic", terms):
        assert expected in text, expected

    page.reload()
    assert_accessible(page, f"{language}-confirmed-with-pdf")
    page.get_by_test_id("cancel").click()
    page.wait_for_url(re.compile("/cancel/"))
    assert_accessible(page, f"{language}-cancel")
    page.goto(page.base + prefix_of(language) + f"/reservations/bookings/{reference}/change/")
    page.fill("[name=date]", "2026-03-08")
    page.select_option("[name=start_time]", "02:30")
    page.select_option("[name=end_time]", "04:30")
    page.locator("main form button[type=submit]").click()
    page.locator("#error-summary").wait_for()
    assert_accessible(page, f"{language}-change-errors")
    page.goto(page.base + prefix_of(language) + "/reservations/my-bookings/")
    assert reference in page.inner_text("main")
    assert_accessible(page, f"{language}-mine")


@pytest.mark.parametrize("language", ["en", "es"])
def test_resident_books_pays_and_is_confirmed(page, places, make_user, language):
    day = day_ahead(6)
    choose_slot(page, language, places["paid"], day, 14)
    page.wait_for_url(re.compile("/reservations/sign-in/"))
    sign_in_resident(page, make_user, language)
    page.wait_for_url(re.compile("/book/"))
    fill_booking(page, purpose="Team picnic")
    page.wait_for_url(re.compile("/reservations/bookings/"))
    assert page.get_by_test_id("status").get_attribute("data-state") == "held"
    assert_accessible(page, f"{language}-held")
    reference = page.get_by_test_id("reference").inner_text().strip()
    page.get_by_test_id("pay").click()
    pay_in_sandbox(page)
    page.goto(page.base + prefix_of(language) + f"/reservations/bookings/{reference}/")
    assert page.get_by_test_id("status").get_attribute("data-state") == "confirmed"
    assert_accessible(page, f"{language}-paid-confirmed")
    mail.outbox.clear()
    run_worker()
    subjects = [m.subject for m in mail.outbox]
    confirmation = [
        m for m in mail.outbox if any(n.endswith(".ics") for n, _c, _t in m.attachments)
    ]
    assert confirmation, subjects


def staff_sign_in(page, make_user, language):
    manager = make_user("manager@staff.example.org", roles=["facility_manager"], password=PASSWORD)
    device = TOTPDevice.objects.create(user=manager, name="phone", confirmed=True)
    page.goto(page.base + prefix_of(language) + "/staff/reservations/approvals/")
    page.fill("[name=username]", manager.email)
    page.fill("[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile("/two-factor/"))
    page.fill("[name=code]", current_totp(device))
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile("/staff/reservations/approvals/"))
    return manager


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_request_is_approved_by_a_facility_manager(
    page, browser, live_server, places, make_user, language
):
    day = day_ahead(4)
    resident_context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    resident = resident_context.new_page()
    resident.base = live_server.url
    choose_slot(resident, language, places["room"], day, 18)
    resident.wait_for_url(re.compile("/reservations/sign-in/"))
    sign_in_resident(resident, make_user, language)
    resident.wait_for_url(re.compile("/book/"))
    fill_booking(resident, purpose="Book club")
    resident.wait_for_url(re.compile("/reservations/bookings/"))
    assert resident.get_by_test_id("status").get_attribute("data-state") == "requested"
    assert_accessible(resident, f"{language}-requested")
    reference = resident.get_by_test_id("reference").inner_text().strip()

    staff_sign_in(page, make_user, language)
    assert_accessible(page, f"{language}-approvals")
    page.get_by_role("link", name=reference).click()
    page.wait_for_url(re.compile(f"/staff/reservations/bookings/{reference}/"))
    for summary in page.locator("main details summary").all():
        summary.click()
    assert_accessible(page, f"{language}-staff-booking")
    page.get_by_test_id("approve").click()
    page.wait_for_load_state()
    assert_accessible(page, f"{language}-staff-approved")
    booking = Booking.objects.get(case__reference=reference)
    assert booking.case.status == "confirmed"
    resident.reload()
    assert resident.get_by_test_id("status").get_attribute("data-state") == "confirmed"
    resident_context.close()

    for path, name in [
        (f"/staff/reservations/?date={day.isoformat()}", "today"),
        ("/staff/reservations/utilization/", "utilization"),
        ("/staff/reservations/blocks/", "blocks"),
    ]:
        page.goto(page.base + prefix_of(language) + path)
        assert_accessible(page, f"{language}-staff-{name}")
    page.goto(page.base + f"/staff/reservations/?date={day.isoformat()}")
    assert reference in page.inner_text("main")


@pytest.mark.parametrize("language", ["en", "es"])
def test_other_resident_pages_pass_axe(page, places, make_user, language):
    from cityhall.reservations import services
    from cityhall.reservations.models import HoursException

    from .conftest import details

    day = day_ahead(3, weekday=1)
    prefix = prefix_of(language)
    page.goto(page.base + prefix + f"/reservations/facilities/{places['free'].facility_id}/")
    assert_accessible(page, f"{language}-facility")
    page.goto(
        page.base
        + prefix
        + f"/reservations/units/{places['free'].pk}/?date={day.isoformat()}&view=week"
    )
    assert_accessible(page, f"{language}-unit-week")
    page.goto(
        page.base + prefix + f"/reservations/?date={day.isoformat()}&time_from=18:00&time_to=17:00"
    )
    assert_accessible(page, f"{language}-search-errors")
    # A taken time, with the waitlist; and the series preview with its conflicts.
    other = make_user("other@example.org", roles=["resident"])
    services.book_slot(
        user=other, unit=places["free"], start=at(day, 18), end=at(day, 20), details=details()
    )
    HoursException.objects.create(
        facility=places["free"].facility,
        first_day=day + timedelta(weeks=2),
        last_day=day + timedelta(weeks=2),
        reason_en="Maintenance",
    )
    page.goto(
        page.base + prefix + f"/reservations/units/{places['free'].pk}/?date={day.isoformat()}"
    )
    page.locator("a[data-testid=waitlist-slot]").first.click()
    page.wait_for_url(re.compile("/reservations/sign-in/"))
    sign_in_resident(page, make_user, language)
    page.wait_for_url(re.compile("/book/"))
    assert_accessible(page, f"{language}-waitlist-form")
    page.goto(page.base + prefix + f"/reservations/units/{places['free'].pk}/every-week/")
    page.fill("[name=first_date]", day.isoformat())
    page.select_option("[name=start_time]", "18:00")
    page.select_option("[name=end_time]", "20:00")
    page.fill("[name=weeks]", "4")
    page.fill("[name=attendees]", "10")
    page.fill("[name=purpose]", "Chess club")
    page.locator("label[for=id_resident_0]").click()
    page.get_by_test_id("check").click()
    page.get_by_test_id("preview").wait_for()
    assert page.locator("[data-testid=preview] tr[data-ok=no]").count() == 2
    assert_accessible(page, f"{language}-series-preview")
    page.locator("label[for=id_terms]").click()
    page.get_by_test_id("book-series").click()
    page.wait_for_url(re.compile("/reservations/bookings/"))
    assert page.get_by_test_id("dates").locator("li").count() == 2
    assert_accessible(page, f"{language}-series-booked")
    page.get_by_test_id("dates").locator("a[href*='/dates/']").first.click()
    page.wait_for_url(re.compile("/dates/"))
    assert_accessible(page, f"{language}-cancel-one-date")


@pytest.mark.parametrize("language", ["en", "es"])
def test_staff_forms_with_their_errors_pass_axe(page, places, make_user, language):
    """The block form (with errors, then with the bookings it overlaps), a
    series' cancel-one-date, the deny form, and the move form with errors."""
    from cityhall.reservations import services

    from .conftest import details

    day = day_ahead(5, weekday=2)
    prefix = prefix_of(language)
    resident = make_user("ana@example.org", roles=["resident"], full_name="Ana García")
    series = services.book_series(
        user=resident,
        unit=places["free"],
        times=[
            (at(day + timedelta(weeks=w), 18), at(day + timedelta(weeks=w), 20)) for w in (0, 1)
        ],
        details=details(),
        pattern={"weeks": 2},
    )
    once = services.book_slot(
        user=resident, unit=places["free"], start=at(day, 10), end=at(day, 12), details=details()
    )
    request = services.book_slot(
        user=resident, unit=places["room"], start=at(day, 10), end=at(day, 12), details=details()
    )
    staff_sign_in(page, make_user, language)

    page.goto(page.base + prefix + "/staff/reservations/blocks/")
    page.fill("[name=reason]", "Roof repair")
    page.locator("main form.usa-form button[type=submit]").click()
    page.locator("#error-summary").wait_for()
    assert page.input_value("[name=reason]") == "Roof repair"
    assert_accessible(page, f"{language}-staff-block-errors")
    page.select_option("[name=unit]", str(places["free"].pk))
    page.fill("[name=start_date]", day.isoformat())
    page.select_option("[name=start_time]", "09:00")
    page.fill("[name=end_date]", day.isoformat())
    page.select_option("[name=end_time]", "11:00")
    page.locator("main form.usa-form button[type=submit]").click()
    page.locator(".usa-alert--warning").wait_for()  # the booking it overlaps
    assert once.case.reference in page.inner_text("main")
    assert_accessible(page, f"{language}-staff-block-overlaps")

    page.goto(page.base + prefix + f"/staff/reservations/bookings/{series.case.reference}/")
    for summary in page.locator("main details summary").all():
        summary.click()
    assert_accessible(page, f"{language}-staff-series")
    # Each date's form has its own field: its label names that field, not the first one.
    reasons = page.locator("form[action*='/dates/'] textarea")
    ids = {reasons.nth(i).get_attribute("id") for i in range(reasons.count())}
    assert len(ids) == reasons.count() == 2
    reasons.first.fill("   ")  # blank to the server
    page.locator("form[action*='/dates/'] button[type=submit]").first.click()
    page.locator(".usa-alert--error").wait_for()
    assert_accessible(page, f"{language}-staff-cancel-date-error")
    page.locator("form[action*='/dates/']").first.locator("xpath=..").locator("summary").click()
    page.locator("form[action*='/dates/'] textarea").first.fill("Court resurfacing")
    page.locator("form[action*='/dates/'] button[type=submit]").first.click()
    page.locator(".usa-alert--success").wait_for()
    assert_accessible(page, f"{language}-staff-date-cancelled")

    page.goto(page.base + prefix + f"/staff/reservations/bookings/{request.case.reference}/")
    page.locator("form[action$='/deny/']").locator("xpath=..").locator("summary").click()
    page.fill("[name=deny-reason]", "   ")
    page.locator("form[action$='/deny/'] button[type=submit]").click()
    page.locator(".usa-alert--error").wait_for()
    assert_accessible(page, f"{language}-staff-deny-error")

    page.goto(page.base + prefix + f"/staff/reservations/bookings/{once.case.reference}/")
    page.locator("form[action$='/move/']").locator("xpath=..").locator("summary").click()
    page.select_option("[name=move-start_time]", "20:00")
    page.select_option("[name=move-end_time]", "22:00")
    page.locator("form[action$='/move/'] button[type=submit]").click()
    page.locator("#error-summary").wait_for()
    assert_accessible(page, f"{language}-staff-move-errors")


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_waitlist_offer_is_taken_up(page, places, make_user, language):
    from cityhall.reservations import changes, services, waitlist

    from .conftest import details

    day = day_ahead(4)
    first = make_user("first@example.org", roles=["resident"])
    booking = services.book_slot(
        user=first, unit=places["free"], start=at(day, 18), end=at(day, 20), details=details()
    )
    waiting = make_user("ana@example.org", roles=["resident"], password=PASSWORD)
    waitlist.join_waitlist(
        user=waiting,
        unit=places["free"],
        start=at(day, 18),
        end=at(day, 20),
        details=details(),
        language=language,
    )
    changes.cancel_booking(booking=booking, actor=first)  # offered to the waitlist: held
    offer = Booking.objects.get(user=waiting)
    assert offer.case.status == "held"
    page.goto(page.base + prefix_of(language) + "/accounts/sign-in/")
    page.fill("[name=username]", waiting.email)
    page.fill("[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    page.goto(page.base + prefix_of(language) + f"/reservations/bookings/{offer.case.reference}/")
    assert page.get_by_test_id("status").get_attribute("data-state") == "held"
    assert_accessible(page, f"{language}-waitlist-offer")
    page.get_by_test_id("confirm").click()
    page.locator(".usa-alert--success").wait_for()
    assert page.get_by_test_id("status").get_attribute("data-state") == "confirmed"
    assert_accessible(page, f"{language}-waitlist-offer-taken")


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_manager_books_a_paid_shelter_for_a_caller_on_the_phone(
    page, places, make_user, language
):
    """Assisted digital: the same calendar, a form for the caller (their errors
    first), then the booking page with the payment page to open with them."""
    day = day_ahead(6)
    staff_sign_in(page, make_user, language)
    prefix = prefix_of(language)
    unit = places["paid"]
    page.goto(page.base + prefix + f"/reservations/units/{unit.pk}/?date={day.isoformat()}")
    start = quote(iso(at(day, 14)), safe="/")
    page.locator(f"a[data-testid=caller-slot][href*='{start}']").click()
    page.wait_for_url(re.compile("/book-for-caller/"))
    assert_accessible(page, f"{language}-caller-form")
    page.get_by_test_id("book").click()  # nothing filled in
    page.wait_for_load_state()
    assert page.locator("#error-summary").is_visible()
    assert_accessible(page, f"{language}-caller-form-errors")
    page.fill("[name=caller_name]", "Rosa Díaz")
    page.fill("[name=caller_phone]", "213.555.0147")
    page.fill("[name=caller_email]", "rosa@example.org")
    page.locator("label[for=id_caller_language_1]").click()  # Spanish
    page.locator("label[for=id_channel_1]").click()  # by phone
    page.fill("[name=attendees]", "20")
    page.fill("[name=purpose]", "Reunión familiar")
    page.locator("label[for=id_resident_0]").click()
    page.locator("label[for=id_terms]").click()
    page.get_by_test_id("book").click()
    page.wait_for_url(re.compile("/staff/reservations/bookings/"))
    assert page.get_by_test_id("caller-pay").is_visible()
    assert_accessible(page, f"{language}-caller-booked")
    booking = Booking.objects.get()
    assert (booking.case.channel, booking.case.contact_phone) == ("phone", "+12135550147")
    assert booking.case.status == "held" and booking.user is None
    held = Notification.objects.get(kind="booking_held")  # the payment link, in Spanish
    assert held.to_email == "rosa@example.org" and held.language == "es"
