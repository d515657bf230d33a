"""The resident's and the staff's pages through the test client: every page in
both languages, every bad input answered next to its field, never a 500."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from cityhall.cases.models import PersonalDataView
from cityhall.cases.selectors import tracking_token
from cityhall.reservations import services
from cityhall.reservations.models import Block, Booking
from cityhall.reservations.tasks import send_confirmation

from .conftest import at, day_ahead, details

pytestmark = pytest.mark.django_db


def url(name, *args) -> str:
    with override("en"):
        return reverse(name, args=args)


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


@pytest.mark.parametrize("prefix", ["", "/es"])
def test_public_pages_render_in_both_languages(client, free_unit, paid_unit, prefix):
    day = day_ahead()
    page = html(client.get(prefix + url("reservations:start")))
    assert f'lang="{prefix.strip("/") or "en"}"' in page and "Alder Park" in page
    page = html(client.get(prefix + url("reservations:start"), {"date": day.isoformat()}))
    assert 'data-testid="result"' in page and "Shelter A" in page
    page = html(client.get(prefix + url("reservations:facility", free_unit.facility_id)))
    assert "Shelter B" in page and "openstreetmap" in page
    page = html(
        client.get(prefix + url("reservations:unit", paid_unit.pk), {"date": day.isoformat()})
    )
    assert 'data-testid="free-slot"' in page and "$25.00" in page
    page = html(
        client.get(
            prefix + url("reservations:unit", paid_unit.pk),
            {"date": day.isoformat(), "view": "week"},
        )
    )
    assert 'data-testid="week"' in page


def test_search_filters_and_bad_input(client, free_unit, paid_unit):
    day = day_ahead()
    url = reverse("reservations:start")
    page = html(client.get(url, {"date": day.isoformat(), "capacity": "50"}))
    assert f'data-unit="{paid_unit.pk}"' in page and f'data-unit="{free_unit.pk}"' not in page
    page = html(
        client.get(url, {"date": day.isoformat(), "time_from": "18:00", "time_to": "21:00"})
    )
    assert "Book from" in page  # Shelter B is free the whole evening
    yesterday = timezone.localdate() - timedelta(days=1)
    page = html(client.get(url, {"date": yesterday.isoformat()}))
    assert "Choose today or a later date." in page and 'id="error-summary"' in page
    page = html(client.get(url, {"date": "31/31/2026"}))
    assert "Enter a real date" in page
    page = html(client.get(url, {"date": (timezone.localdate() + timedelta(days=400)).isoformat()}))
    assert "at most 90 days ahead" in page
    page = html(
        client.get(url, {"date": day.isoformat(), "time_from": "18:00", "time_to": "17:00"})
    )
    assert "Choose a time after the start." in page


def test_a_closed_day_says_why(client, free_unit):
    from cityhall.reservations.models import HoursException

    day = day_ahead()
    HoursException.objects.create(
        facility=free_unit.facility, first_day=day, last_day=day, reason_en="Thanksgiving"
    )
    page = html(
        client.get(reverse("reservations:unit", args=[free_unit.pk]), {"date": day.isoformat()})
    )
    assert "is closed that day: Thanksgiving" in page


def test_an_anonymous_visitor_signs_up_and_comes_back_to_the_slot(client, free_unit, fresh_cache):
    day = day_ahead()
    book_url = (
        reverse("reservations:book", args=[free_unit.pk])
        + f"?start={at(day, 10).isoformat().replace('+', '%2B')}"
    )
    response = client.get(book_url)
    assert response.status_code == 302 and "/reservations/sign-in/" in response["Location"]
    page = html(client.get(response["Location"]))
    assert "Create an account" in page and "/accounts/sign-in/?next=" in page
    response = client.post(
        response["Location"],
        {
            "full_name": "Ana García",
            "email": "ana@example.org",
            "preferred_language": "en",
            "password": "a long enough passphrase for us",
            "next": book_url,
        },
    )
    assert response.status_code == 302 and response["Location"] == book_url
    page = html(client.get(book_url))
    assert 'data-testid="book"' in page


def test_the_sign_in_step_refuses_other_sites(client):
    response = client.get(reverse("reservations:sign-in"), {"next": "https://evil.example/"})
    assert "https://evil.example" not in response.content.decode()


def book_form(start, end, **changes):
    data = {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "attendees": "10",
        "purpose": "Birthday picnic",
        "resident": "yes",
        "terms": "on",
        "book": "1",
    }
    data.update(changes)
    return data


def test_book_a_free_unit_and_see_the_booking(client, free_unit, resident):
    client.force_login(resident)
    day = day_ahead()
    url = reverse("reservations:book", args=[free_unit.pk])
    page = html(client.get(url, {"start": at(day, 10).isoformat()}))
    assert "Book it" in page
    response = client.post(url, book_form(at(day, 10), at(day, 12)))
    assert response.status_code == 302
    booking = Booking.objects.get(user=resident)
    page = html(client.get(response["Location"]))
    assert booking.case.reference in page and 'data-state="confirmed"' in page
    ics = client.get(reverse("reservations:booking-ics", args=[booking.case.reference]))
    assert ics["Content-Type"].startswith("text/calendar")
    assert b"BEGIN:VEVENT" in ics.content and b"STATUS:CONFIRMED" in ics.content
    pdf = client.get(reverse("reservations:booking-pdf", args=[booking.case.reference]))
    assert pdf.status_code == 404  # the worker has not issued it yet
    send_confirmation.call(booking.pk)
    pdf = client.get(reverse("reservations:booking-pdf", args=[booking.case.reference]))
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")
    page = html(client.get(reverse("reservations:mine")))
    assert booking.case.reference in page
    # Somebody else's booking is not found.
    client.force_login(
        booking.user.__class__.objects.create_user("x@example.org", "pw-pw-pw-pw-pw-pw")
    )
    assert (
        client.get(reverse("reservations:booking", args=[booking.case.reference])).status_code
        == 404
    )


def test_bad_input_on_the_booking_form_is_shown_next_to_the_field(client, free_unit, resident):
    client.force_login(resident)
    day = day_ahead()
    url = reverse("reservations:book", args=[free_unit.pk])
    page = html(client.post(url, book_form(at(day, 10), at(day, 9))))
    assert 'id="id_end_error"' in page and "The end must be after the start." in page
    page = html(client.post(url, book_form(at(day, 10), at(day, 11), attendees="31")))
    assert 'id="id_attendees_error"' in page and "at most 30 people" in page
    page = html(client.post(url, book_form(at(day, 10), at(day, 11), attendees="many")))
    assert "Enter a whole number" in page
    page = html(client.post(url, book_form(at(day, 10), at(day, 11), terms="")))
    assert "Agree to the rules of use" in page
    page = html(client.post(url, book_form(at(day, 10), at(day, 11)) | {"end": "yesterday"}))
    assert "Choose when the booking ends." in page
    assert not Booking.objects.exists()


def test_a_time_outside_the_hours_says_why(client, free_unit, resident):
    client.force_login(resident)
    day = day_ahead()
    page = html(
        client.get(
            reverse("reservations:book", args=[free_unit.pk]), {"start": at(day, 6).isoformat()}
        )
    )
    assert "outside opening hours" in page


def test_a_time_just_taken_offers_alternatives_and_the_waitlist(
    client, free_unit, resident, other_resident, book
):
    client.force_login(resident)
    day = day_ahead()
    url = reverse("reservations:book", args=[free_unit.pk])
    html(client.get(url, {"start": at(day, 10).isoformat()}))
    book(free_unit, other_resident, at(day, 10), at(day, 12))  # someone is faster
    page = html(client.post(url, book_form(at(day, 10), at(day, 11))))
    assert 'data-testid="taken"' in page and "just taken" in page
    assert 'data-testid="alternatives"' in page
    assert 'name="join_waitlist"' in page


def test_a_double_click_on_book_shows_the_booking_not_just_taken(client, paid_unit, resident):
    # The second click of a double click finds the time taken by the first: by
    # this same person. It must lead to their booking (held, to pay), not tell
    # them someone else was faster while the time is held in their name.
    client.force_login(resident)
    day = day_ahead()
    url = reverse("reservations:book", args=[paid_unit.pk])
    first = client.post(url, book_form(at(day, 10), at(day, 12)))
    second = client.post(url, book_form(at(day, 10), at(day, 12)))
    booking = Booking.objects.get(user=resident)
    assert first.status_code == second.status_code == 302
    assert second["Location"] == first["Location"]
    assert booking.case.reference in second["Location"]


def test_the_per_person_limit_is_shown(client, free_unit, resident, book):
    free_unit.max_active_per_person = 1
    free_unit.save()
    day = day_ahead()
    book(free_unit, resident, at(day, 10), at(day, 11))
    client.force_login(resident)
    page = html(
        client.post(
            reverse("reservations:book", args=[free_unit.pk]), book_form(at(day, 14), at(day, 15))
        )
    )
    assert 'id="error-summary"' in page and "the most allowed" in page


def test_change_form_messages(client, free_unit, resident, book, clock_at):
    clock_at(at(date(2026, 2, 20), 12))
    all_day = free_unit.facility
    all_day.hours.update(opens="00:00", closes="00:00")
    booking = book(free_unit, resident, at(date(2026, 3, 5), 10), at(date(2026, 3, 5), 12))
    client.force_login(resident)
    url = reverse("reservations:change", args=[booking.case.reference])
    html(client.get(url))
    page = html(
        client.post(
            url,
            {"date": "2026-03-08", "start_time": "02:30", "end_time": "04:30", "attendees": "5"},
        )
    )
    assert 'id="id_start_time_error"' in page and "does not exist" in page
    page = html(
        client.post(
            url,
            {"date": "2026-11-01", "start_time": "01:30", "end_time": "03:30", "attendees": "5"},
        )
    )
    assert "happens twice" in page
    page = html(
        client.post(
            url,
            {"date": "2026-03-06", "start_time": "23:00", "end_time": "01:00", "attendees": "5"},
        )
    )
    assert 'id="id_end_time_error"' in page and "must end by midnight" in page
    page = html(
        client.post(
            url,
            {"date": "2026-03-06", "start_time": "10:00", "end_time": "12:00", "attendees": "500"},
        )
    )
    assert 'id="id_attendees_error"' in page
    form = {"start_time": "10:00", "end_time": "12:00", "attendees": "5"}
    page = html(client.post(url, form | {"date": "2026-07-01"}))
    assert 'id="id_start_time_error"' in page and "too far ahead" in page
    page = html(client.post(url, form | {"date": "2026-02-01"}))
    assert 'id="id_start_time_error"' in page and "already passed" in page
    page = html(client.post(url, form | {"date": "2026-03-06", "end_time": "10:00"}))
    assert "Book at most 4 hours" in page  # 10:00 to 10:00 is the next morning
    from cityhall.reservations.models import HoursException

    HoursException.objects.create(
        facility=free_unit.facility,
        first_day=date(2026, 3, 9),
        last_day=date(2026, 3, 9),
        reason_en="Staff training",
    )
    page = html(client.post(url, form | {"date": "2026-03-09"}))
    assert 'id="id_start_time_error"' in page and "Staff training" in page
    page = html(client.post(url, form | {"date": "not a date"}))
    assert 'id="id_date_error"' in page
    response = client.post(url, form | {"date": "2026-03-06"})
    assert response.status_code == 302


def test_status_page_shows_the_booking(client, free_unit, resident, book):
    booking = book(free_unit, resident, at(day_ahead(), 10), at(day_ahead(), 12))
    page = html(client.get(reverse("cases:track-status", args=[tracking_token(booking.case)])))
    assert "Your booking" in page and "Shelter B" in page


def test_the_home_page_lists_the_service(client):
    page = html(client.get("/"))
    assert "Reserve a park shelter, room or field" in page and reverse("reservations:start") in page


def test_the_busy_feed_has_no_personal_data(client, free_unit, resident, book, manager):
    day = day_ahead()
    book(free_unit, resident, at(day, 10), at(day, 12), purpose="Secret surprise party")
    Block.objects.create(unit=free_unit, start=at(day, 15), end=at(day, 16), reason="Roof repair")
    for url in (
        reverse("reservations:unit-feed", args=[free_unit.pk]),
        f"/api/v1/units/{free_unit.pk}/busy.ics",
    ):
        response = client.get(url)
        body = response.content.decode()
        assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
        assert body.count("BEGIN:VEVENT") == 2
        for private in ("Secret", resident.email, "Ana", "Roof repair", "BK-"):
            assert private not in body
        assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))


# ---- staff ---------------------------------------------------------------------


def test_staff_pages_are_for_facility_managers(client, staff_client, resident, free_unit):
    for name in ("staff-today", "staff-approvals", "staff-utilization", "staff-blocks"):
        client.force_login(resident)
        assert client.get(reverse(f"reservations:{name}")).status_code == 403
    police, _user = staff_client("police_reviewer")
    for name in ("staff-today", "staff-approvals"):
        assert police.get(reverse(f"reservations:{name}")).status_code == 403


def test_approvals_queue_approve_and_deny(
    staff_client, approval_unit, resident, other_resident, book
):
    client, manager = staff_client("facility_manager")
    day = day_ahead()
    first = book(approval_unit, resident, at(day, 10), at(day, 11))
    second = book(approval_unit, other_resident, at(day, 14), at(day, 15))
    page = html(client.get(reverse("reservations:staff-approvals")))
    assert first.case.reference in page and second.case.reference in page
    page = html(client.get(reverse("core:staff-home")))
    assert "Bookings to approve" in page and "Today&#x27;s bookings" in page
    page = html(client.get(reverse("reservations:staff-booking", args=[first.case.reference])))
    assert 'data-testid="approve"' in page
    assert PersonalDataView.objects.filter(case=first.case, viewer=manager).exists()
    client.post(reverse("reservations:staff-approve", args=[first.case.reference]))
    first.case.refresh_from_db()
    assert first.case.status == "confirmed" and first.case.decided_by == manager
    response = client.post(
        reverse("reservations:staff-deny", args=[second.case.reference]), {"deny-reason": ""}
    )
    assert response.status_code == 302
    second.case.refresh_from_db()
    assert second.case.status == "requested"  # a reason is needed
    client.post(
        reverse("reservations:staff-deny", args=[second.case.reference]),
        {"deny-reason": "Private event"},
    )
    second.case.refresh_from_db()
    assert second.case.status == "denied"
    # The generic case page does not bypass the service's rules.
    page = client.get(reverse("cases:staff-case", args=[first.case.reference]))
    assert page.status_code in (301, 302)


def test_todays_bookings_utilization_and_blocks(staff_client, free_unit, resident, book):
    client, _manager = staff_client("facility_manager")
    day = day_ahead()
    booking = book(free_unit, resident, at(day, 10), at(day, 12), purpose="Chess club")
    page = html(client.get(reverse("reservations:staff-today"), {"date": day.isoformat()}))
    assert booking.case.reference in page and "Chess club" in page and "Alder Park" in page
    page = html(
        client.get(
            reverse("reservations:staff-utilization"),
            {"first": day.isoformat(), "last": day.isoformat()},
        )
    )
    assert "Shelter B" in page and "15%" in page  # 2 of 13 open hours
    page = html(
        client.get(
            reverse("reservations:staff-utilization"),
            {"first": day.isoformat(), "last": "2020-01-01"},
        )
    )
    assert "on or after the first" in page
    form = {
        "unit": free_unit.pk,
        "start_date": day.isoformat(),
        "start_time": "09:00",
        "end_date": day.isoformat(),
        "end_time": "13:00",
        "reason": "Roof repair",
    }
    page = html(client.post(reverse("reservations:staff-blocks"), form))
    assert "These bookings overlap the block" in page and booking.case.reference in page
    assert Block.objects.get().reason == "Roof repair"
    page = html(client.post(reverse("reservations:staff-blocks"), form | {"end_time": "08:00"}))
    assert "The end must be after the start." in page


def test_staff_cancel_with_a_reason(staff_client, free_unit, resident, book):
    client, manager = staff_client("facility_manager")
    booking = book(free_unit, resident, at(day_ahead(), 10), at(day_ahead(), 12))
    client.post(
        reverse("reservations:staff-cancel", args=[booking.case.reference]),
        {"cancel-reason": "Flooded"},
    )
    booking.case.refresh_from_db()
    assert booking.case.status == "cancelled"
    assert booking.case.events.filter(
        to_status="cancelled", actor=manager, reason="Flooded"
    ).exists()


def test_api_and_services_agree_on_a_booking(client, free_unit, resident):
    booking = services.book_slot(
        user=resident,
        unit=free_unit,
        start=at(day_ahead(), 10),
        end=at(day_ahead(), 12),
        details=details(),
    )
    client.force_login(resident)
    response = client.get(f"/api/v1/bookings/{booking.case.reference}")
    assert response.status_code == 200 and response.json()["status"] == "confirmed"


def test_staff_move_a_booking_with_a_reason(staff_client, free_unit, resident, book):
    client, manager = staff_client("facility_manager")
    day = day_ahead()
    booking = book(free_unit, resident, at(day, 10), at(day, 12))
    url = reverse("reservations:staff-move", args=[booking.case.reference])
    form = {
        "move-date": day.isoformat(),
        "move-start_time": "15:00",
        "move-end_time": "17:00",
        "move-attendees": "10",
        "move-reason": "",
    }
    page = html(client.post(url, form))
    assert 'id="id_move-reason_error"' in page
    page = html(
        client.post(
            url, form | {"move-start_time": "20:00", "move-end_time": "22:00", "move-reason": "x"}
        )
    )
    assert "closes at" in page
    response = client.post(url, form | {"move-reason": "Maintenance in the morning"})
    assert response.status_code == 302
    occurrence = booking.occurrences.get()
    assert occurrence.start == at(day, 15)
    assert booking.case.events.filter(reason="Maintenance in the morning", actor=manager).exists()
    # A booking that can no longer be moved (cancelled meanwhile, in another tab)
    # says why instead of showing the page as if nothing was asked.
    client.post(
        reverse("reservations:staff-cancel", args=[booking.case.reference]),
        {"cancel-reason": "Storm"},
    )
    page = html(client.post(url, form | {"move-reason": "Again"}))
    assert "not active any more" in page


def test_facility_photos_are_served(client, free_unit, settings, tmp_path):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from cityhall.reservations.models import FacilityPhoto

    settings.MEDIA_ROOT = str(tmp_path)
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "green").save(buffer, "JPEG")
    photo = FacilityPhoto.objects.create(
        facility=free_unit.facility,
        image=SimpleUploadedFile("p.jpg", buffer.getvalue(), content_type="image/jpeg"),
        alt_en="The lake shelter",
        alt_es="El refugio del lago",
    )
    page = html(client.get(reverse("reservations:facility", args=[free_unit.facility_id])))
    assert 'alt="The lake shelter"' in page
    response = client.get(reverse("reservations:photo", args=[free_unit.facility_id, photo.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"


EXTREME_DAYS = ["9999-12-31", "9999-12-30", "0001-01-01"]


@pytest.mark.parametrize("day", EXTREME_DAYS)
def test_dates_at_the_ends_of_the_calendar_never_500(
    client, staff_client, free_unit, resident, book, day
):
    # Adding a day or a week to 9999-12-31 leaves Python's calendar.
    booking = book(free_unit, resident, at(day_ahead(), 10), at(day_ahead(), 12))
    reference = booking.case.reference
    times = {"start_time": "10:00", "end_time": "12:00"}
    checks = [
        (client.get, url("reservations:unit", free_unit.pk), {"date": day, "view": "week"}),
        (client.get, url("reservations:unit", free_unit.pk), {"date": day}),
        (client.get, url("reservations:start"), {"date": day}),
    ]
    for method, path, data in checks:
        assert method(path, data).status_code == 200, (path, data)
    client.force_login(resident)
    series = {"first_date": day, "weeks": 3, "attendees": 3, "purpose": "Club", "resident": "yes"}
    page = html(client.get(url("reservations:series", free_unit.pk), series | times))
    assert "Enter a real date" in page
    page = html(
        client.post(url("reservations:change", reference), {"date": day} | times | {"attendees": 3})
    )
    assert "Enter a real date" in page
    start = f"{day}T10:00:00+00:00"
    response = client.get(url("reservations:book", free_unit.pk), {"start": start})
    assert response.status_code == 302  # not a start time: back to the calendar
    staff, _manager = staff_client("facility_manager")
    assert staff.get(url("reservations:staff-today"), {"date": day}).status_code == 200
    page = html(staff.get(url("reservations:staff-utilization"), {"first": day, "last": day}))
    assert "Enter a real date" in page
    moved = staff.post(
        url("reservations:staff-move", reference),
        {"move-date": day, "move-start_time": "10:00", "move-end_time": "12:00"}
        | {"move-attendees": 3, "move-reason": "Festival"},
    )
    assert "Enter a real date" in html(moved)


def test_the_staff_booking_page_links_the_invoice_only_for_those_who_may_open_it(
    staff_client, paid_unit, resident, book
):
    booking = book(paid_unit, resident, at(day_ahead(), 10), at(day_ahead(), 12))
    invoice_url = reverse("payments:staff-invoice", args=[booking.invoice.number])
    page_url = reverse("reservations:staff-booking", args=[booking.case.reference])
    manager, _user = staff_client("facility_manager")
    page = html(manager.get(page_url))
    assert booking.invoice.number in page
    assert invoice_url not in page  # finance pages answer a facility manager 403
    assert manager.get(invoice_url).status_code == 403
    both, _user = staff_client("facility_manager", "finance_clerk", email="both@staff.example.org")
    assert invoice_url in html(both.get(page_url))


def test_staff_facility_photos_are_checked_and_reencoded_as_jpeg(free_unit):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image
    from PIL.PngImagePlugin import PngInfo

    from cityhall.reservations.admin import FacilityPhotoForm

    svg = SimpleUploadedFile(
        "shelter.svg",
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        "image/svg+xml",
    )
    form = FacilityPhotoForm({"alt_en": "Shelter", "position": 0}, {"image": svg})
    assert not form.is_valid() and "image" in form.errors
    gif_bytes = io.BytesIO()
    Image.new("RGB", (4, 4)).save(gif_bytes, format="GIF", comment=b"<script>alert(1)</script>")
    gif = SimpleUploadedFile("shelter.gif", gif_bytes.getvalue(), "image/gif")
    form = FacilityPhotoForm({"alt_en": "Shelter", "position": 0}, {"image": gif})
    assert not form.is_valid() and "is not a photo" in str(form.errors["image"])

    info = PngInfo()
    info.add_text("Comment", "<script>alert(1)</script>")
    out = io.BytesIO()
    Image.new("RGB", (30, 20), "green").save(out, format="PNG", pnginfo=info)
    png = SimpleUploadedFile("shelter.png", out.getvalue(), "image/png")
    form = FacilityPhotoForm({"alt_en": "Shelter", "position": 0}, {"image": png})
    assert form.is_valid(), form.errors
    photo = form.save(commit=False)
    photo.facility = free_unit.facility
    photo.save()
    stored = photo.image.read()
    assert stored.startswith(b"\xff\xd8\xff") and b"<script" not in stored


def test_a_hold_past_its_time_is_shown_released_not_held(
    client, paid_unit, resident, book, clock_at
):
    """The page used to say "holding this time until" a time already past, until
    the worker's next round released it."""
    day = day_ahead()
    booking = book(paid_unit, resident, at(day, 10), at(day, 12))
    client.force_login(resident)
    page_url = reverse("reservations:booking", args=[booking.case.reference])
    assert "We are holding this time for you until" in html(client.get(page_url))
    clock_at(timezone.now() + timedelta(minutes=16))
    page = html(client.get(page_url))
    assert "We are holding this time for you until" not in page
    assert 'data-state="expired"' in page
    booking.refresh_from_db()
    assert booking.case.status == "expired"
    assert not booking.occurrences.filter(active=True).exists()  # free for others
    # Its one time is shown struck through once, not as "0 dates (below)".
    assert "0 dates" not in page and 'data-testid="dates"' not in page
    assert page.count("<s>") == 1 and "cancelled" in page
    assert "Nothing was charged" in page and 'data-testid="book-again"' in page
