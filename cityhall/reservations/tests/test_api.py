"""/api/v1/facilities, /units, /bookings: the contract other parts rely on, and
a 4xx with a message per field for every kind of bad input (never a 500)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.utils import timezone

from cityhall.accounts.services import issue_api_token
from cityhall.reservations.models import Booking, HoursException

from .conftest import at, day_ahead, make_facility, make_unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def token(resident):
    return issue_api_token(user=resident).raw


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def post(client, token, body, **headers):
    return client.post(
        "/api/v1/bookings",
        data=json.dumps(body),
        content_type="application/json",
        headers=bearer(token) | headers,
    )


def body(unit, start, end, **changes):
    data = {
        "unit": unit.pk,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "attendees": 10,
        "purpose": "Team picnic",
    }
    data.update(changes)
    return data


def test_facilities_list_and_detail(client, free_unit, paid_unit):
    facilities = client.get("/api/v1/facilities").json()
    (park,) = facilities
    assert {u["id"] for u in park["units"]} == {free_unit.pk, paid_unit.pk}
    detail = client.get(f"/api/v1/facilities/{park['id']}").json()
    assert detail["time_zone"] == "America/Los_Angeles"
    units = {u["id"]: u for u in detail["units"]}
    assert units[paid_unit.pk]["rate"]["resident_cents"] == 2500
    assert units[paid_unit.pk]["rate"]["deposit_cents"] == 10000
    assert units[free_unit.pk]["rate"] is None and units[free_unit.pk]["free"]
    assert len(detail["hours"]) == 7
    assert client.get("/api/v1/facilities/99999").status_code == 404


def test_facility_detail_reads_prices_once_not_once_per_unit(client, paid_unit):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        with CaptureQueriesContext(connection) as run:
            assert client.get(f"/api/v1/facilities/{paid_unit.facility_id}").status_code == 200
        return len(run.captured_queries)

    one = queries()
    for name in ("Shelter C", "Shelter D", "Shelter E"):
        make_unit(
            paid_unit.facility,
            name,
            fee_schedule=paid_unit.fee_schedule,
            rate_rule="hours",
            deposit_rule="deposit",
        )
    assert queries() == one


def test_availability_returns_slots_with_iso_times(client, paid_unit):
    day = day_ahead()
    response = client.get(
        f"/api/v1/units/{paid_unit.pk}/availability",
        {"start": at(day, 0).isoformat(), "end": at(day + timedelta(days=1), 0).isoformat()},
    )
    assert response.status_code == 200, response.content
    slots = response.json()["slots"]
    assert len(slots) == 12  # 8:00 to 19:00, each two hours at least, closing at 21:00
    first = slots[0]
    start, end = datetime.fromisoformat(first["start"]), datetime.fromisoformat(first["end"])
    assert start == at(day, 8) and end - start == timedelta(hours=2)
    assert first["start"].endswith(("-08:00", "-07:00"))
    by_date = client.get(
        f"/api/v1/units/{paid_unit.pk}/availability",
        {"start": day.isoformat(), "end": day.isoformat()},
    ).json()["slots"]
    assert by_date == slots


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"start": "tomorrow", "end": "2026-12-01"}, "start"),
        ({"start": "2026-12-02", "end": "2026-12-01T00:00:00-08:00"}, "end"),
        ({"start": "2027-01-01", "end": "2027-03-01"}, "end"),
        ({"start": "9999-12-30", "end": "9999-12-31"}, "start"),
        ({"start": "0001-01-01", "end": "0001-01-02"}, "start"),
        ({"start": "9999-12-31T10:00:00+00:00", "end": "9999-12-31T12:00:00+00:00"}, "start"),
    ],
)
def test_availability_bad_input(client, free_unit, params, field):
    response = client.get(f"/api/v1/units/{free_unit.pk}/availability", params)
    assert response.status_code == 422
    assert field in response.json()["error"]["fields"]


def test_availability_of_an_unknown_unit(client):
    assert (
        client.get("/api/v1/units/424242/availability?start=2026-12-01&end=2026-12-02").status_code
        == 404
    )


def test_booking_needs_a_resident(client, free_unit):
    day = day_ahead()
    response = client.post(
        "/api/v1/bookings",
        data=json.dumps(body(free_unit, at(day, 10), at(day, 11))),
        content_type="application/json",
    )
    assert response.status_code == 401
    assert not Booking.objects.exists()


def test_book_free_paid_and_approval_units(client, token, free_unit, paid_unit, approval_unit):
    day = day_ahead()
    response = post(client, token, body(free_unit, at(day, 10), at(day, 11)))
    assert response.status_code == 201, response.content
    answer = response.json()
    assert answer["status"] == "confirmed" and answer["reference"].startswith("BK-")
    assert answer["pay_url"] is None

    held = post(client, token, body(paid_unit, at(day, 10), at(day, 12))).json()
    assert held["status"] == "held" and "/pay/" in held["pay_url"]
    assert held["total_cents"] == 15000 and held["hold_expires_at"]

    requested = post(client, token, body(approval_unit, at(day, 10), at(day, 11))).json()
    assert requested["status"] == "requested"


def test_session_residents_can_book_too(client, resident, free_unit):
    client.force_login(resident)
    day = day_ahead()
    response = client.post(
        "/api/v1/bookings",
        data=json.dumps(body(free_unit, at(day, 10), at(day, 11))),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content


def test_409_when_taken_with_alternatives(client, token, free_unit, other_resident):
    day = day_ahead()
    other = issue_api_token(user=other_resident).raw
    assert post(client, other, body(free_unit, at(day, 10), at(day, 12))).status_code == 201
    response = post(client, token, body(free_unit, at(day, 11), at(day, 12)))
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "slot_taken" and "just taken" in error["message"]
    assert error["alternatives"] and all("start" in a and "end" in a for a in error["alternatives"])
    assert Booking.objects.count() == 1


def test_idempotency_key(client, token, free_unit):
    day = day_ahead()
    headers = {"Idempotency-Key": "b7e3c1f0-3d7a-4d0e-9a41-1f6f3c2b9a10"}
    first = post(client, token, body(free_unit, at(day, 10), at(day, 11)), **headers)
    again = post(client, token, body(free_unit, at(day, 10), at(day, 11)), **headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["reference"] == again.json()["reference"]
    assert Booking.objects.count() == 1
    other = post(client, token, body(free_unit, at(day, 14), at(day, 15)), **headers)
    assert other.status_code == 422 and other.json()["error"]["code"] == "idempotency_key_reused"


def fields_of(response) -> dict:
    assert response.status_code == 422, (response.status_code, response.content)
    error = response.json()["error"]
    assert error["code"] == "validation_error" and error["message"]
    return error["fields"]


def test_bad_input_each_gets_a_422_with_the_field(client, token, free_unit):
    day = day_ahead()
    cases = [
        (body(free_unit, at(day, 12), at(day, 10)), "end", "after the start"),
        (body(free_unit, at(day, 12), at(day, 12)), "end", "after the start"),
        (body(free_unit, at(day, 6), at(day, 7)), "start", "outside opening hours"),
        (body(free_unit, at(day, 10), at(day, 11), attendees=31), "attendees", "at most 30"),
        (body(free_unit, at(day, 10), at(day, 11), attendees=0), "attendees", "at least 1"),
        (
            body(free_unit, at(day, 10), at(day, 11), purpose=""),
            "purpose",
            "what the booking is for",
        ),
        (body(free_unit, at(day, 10), at(day, 16)), "end", "at most 4 hours"),
        (
            body(free_unit, at(day + timedelta(days=120), 10), at(day + timedelta(days=120), 11)),
            "start",
            "too far ahead",
        ),
        (
            body(
                free_unit,
                at(timezone.localdate() - timedelta(days=2), 10),
                at(timezone.localdate() - timedelta(days=2), 11),
            ),
            "start",
            "already passed",
        ),
        (
            body(free_unit, at(day, 10), at(day, 11)) | {"start": f"{day}T10:00:00"},
            "start",
            "UTC offset",
        ),
        (body(free_unit, at(day, 10), at(day, 11)) | {"start": "soon"}, "start", ""),
        (body(free_unit, at(day, 10), at(day, 11)) | {"attendees": "many"}, "attendees", ""),
        (body(free_unit, at(day, 10), at(day, 11)) | {"unit": 999999}, "unit", "No space"),
    ]
    for data, field, words in cases:
        fields = fields_of(post(client, token, data))
        assert field in fields, (data, fields)
        assert words in " ".join(fields[field]), (data, fields)
    assert not Booking.objects.exists()


def test_a_closure_422(client, token, free_unit):
    day = day_ahead()
    HoursException.objects.create(
        facility=free_unit.facility, first_day=day, last_day=day, reason_en="Park maintenance"
    )
    fields = fields_of(post(client, token, body(free_unit, at(day, 10), at(day, 11))))
    assert "Park maintenance" in fields["start"][0]


def test_across_midnight_where_not_allowed_422(client, token):
    facility = make_facility("Night Market", opens=time(18), closes=time(2))
    unit = make_unit(facility, "Hall")
    day = day_ahead()
    fields = fields_of(post(client, token, body(unit, at(day, 23), at(day + timedelta(days=1), 1))))
    assert "midnight" in fields["end"][0]


def test_times_in_another_time_zone(client, token, free_unit):
    day = day_ahead()
    # 18:00 UTC is 10 or 11 a.m. in the city: booked for that instant.
    start = datetime.combine(day, time(18), tzinfo=UTC)
    answer = post(client, token, body(free_unit, start, start + timedelta(hours=1))).json()
    assert datetime.fromisoformat(answer["start"]) == start
    # 07:00 in Tokyo is the afternoon before in Los Angeles... at 2 or 3 p.m.: fine.
    # 14:00 UTC is 6 or 7 a.m. in the city: closed, and the message says the city time.
    early = datetime.combine(day, time(14), tzinfo=UTC)
    fields = fields_of(post(client, token, body(free_unit, early, early + timedelta(hours=1))))
    assert "outside opening hours" in fields["start"][0] and "a.m." in fields["start"][0]


@pytest.fixture
def all_day_unit(db):
    facility = make_facility("Lake Campground", opens=time(0), closes=time(0))
    return make_unit(
        facility,
        "Site 1",
        min_duration=timedelta(hours=1),
        max_duration=timedelta(hours=12),
        start_interval_minutes=60,
        allow_overnight=True,
        opens_days_ahead=365,
    )


def test_dst_change_days(client, token, all_day_unit, clock_at):
    # Before the change days (they are in the past by now): the clock is moved.
    clock_at(at(date(2026, 2, 20), 12))
    spring = post(
        client, token, body(all_day_unit, at(date(2026, 3, 8), 1), at(date(2026, 3, 8), 4))
    )
    assert spring.status_code == 201, spring.content
    assert spring.json()["start"] == "2026-03-08T01:00:00-08:00"
    assert spring.json()["end"] == "2026-03-08T04:00:00-07:00"
    # 2:30 a.m. that night does not exist; an offset makes it an instant (3:30 a.m. PDT).
    clock_at(at(date(2026, 10, 20), 12))
    fall = post(
        client,
        token,
        body(all_day_unit, at(date(2026, 11, 1), 1), at(date(2026, 11, 1), 3))
        | {"start": "2026-11-01T01:00:00-07:00", "end": "2026-11-01T01:00:00-08:00"},
    )
    assert fall.status_code == 201, fall.content
    assert fall.json()["start"] == "2026-11-01T01:00:00-07:00"
    assert fall.json()["end"] == "2026-11-01T01:00:00-08:00"
    # Both are one instant apart by an hour of real time; a zero-length "hour" is refused.
    fields = fields_of(
        post(
            client,
            token,
            body(all_day_unit, at(date(2026, 11, 1), 5), at(date(2026, 11, 1), 6))
            | {"start": "2026-11-01T09:00:00Z", "end": "2026-11-01T01:00:00-08:00"},
        )
    )
    assert "after the start" in fields["end"][0]


def test_dst_days_now_in_the_past(client, token, all_day_unit):
    fields = fields_of(
        post(client, token, body(all_day_unit, at(date(2026, 3, 8), 10), at(date(2026, 3, 8), 12)))
    )
    assert "already passed" in fields["start"][0]


def test_the_per_person_limit_422(client, token, free_unit):
    free_unit.max_active_per_person = 1
    free_unit.save()
    day = day_ahead()
    assert post(client, token, body(free_unit, at(day, 10), at(day, 11))).status_code == 201
    fields = fields_of(post(client, token, body(free_unit, at(day, 14), at(day, 15))))
    assert "the most allowed" in fields["__all__"][0]


def test_cancel_by_the_resident_and_by_staff(client, token, free_unit, manager, other_resident):
    day = day_ahead()
    reference = post(client, token, body(free_unit, at(day, 10), at(day, 11))).json()["reference"]
    stranger = issue_api_token(user=other_resident).raw
    assert (
        client.post(f"/api/v1/bookings/{reference}/cancel", headers=bearer(stranger)).status_code
        == 404
    )
    response = client.post(f"/api/v1/bookings/{reference}/cancel", headers=bearer(token))
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "cancelled" and response.json()["refund_cents"] == 0
    again = client.post(f"/api/v1/bookings/{reference}/cancel", headers=bearer(token))
    assert again.status_code == 409

    reference = post(client, token, body(free_unit, at(day, 14), at(day, 15))).json()["reference"]
    staff = issue_api_token(user=manager).raw
    no_reason = client.post(
        f"/api/v1/bookings/{reference}/cancel",
        data=json.dumps({"reason": ""}),
        content_type="application/json",
        headers=bearer(staff),
    )
    assert no_reason.status_code == 422 and "reason" in no_reason.json()["error"]["fields"]
    done = client.post(
        f"/api/v1/bookings/{reference}/cancel",
        data=json.dumps({"reason": "Storm"}),
        content_type="application/json",
        headers=bearer(staff),
    )
    assert done.status_code == 200 and done.json()["status"] == "cancelled"


def test_cancel_after_the_deadline_is_409(client, token, free_unit, clock_at):
    day = day_ahead()
    reference = post(client, token, body(free_unit, at(day, 10), at(day, 11))).json()["reference"]
    clock_at(at(day, 9))
    response = client.post(f"/api/v1/bookings/{reference}/cancel", headers=bearer(token))
    assert response.status_code == 409 and "48 hours" in response.json()["error"]["message"]


def test_the_openapi_document_lists_the_endpoints(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/facilities",
        "/api/v1/facilities/{facility_id}",
        "/api/v1/units/{unit_id}/availability",
        "/api/v1/units/{unit_id}/busy.ics",
        "/api/v1/bookings",
        "/api/v1/bookings/{reference}/cancel",
    ):
        assert path in paths


def test_a_session_needs_its_csrf_token(resident, free_unit):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(resident)
    day = day_ahead()
    response = browser.post(
        "/api/v1/bookings",
        data=json.dumps(body(free_unit, at(day, 10), at(day, 11))),
        content_type="application/json",
    )
    assert response.status_code in (401, 403)
    assert not Booking.objects.exists()


def test_staff_sessions_need_the_second_factor_to_act_as_staff(
    client, staff_client, token, free_unit, manager
):
    # A facility manager signed in with the password alone (no second factor)
    # must not read or cancel other people's bookings through the API.
    day = day_ahead()
    reference = post(client, token, body(free_unit, at(day, 10), at(day, 11))).json()["reference"]
    client.logout()
    client.force_login(manager)
    assert client.get(f"/api/v1/bookings/{reference}").status_code == 404
    cancel = client.post(
        f"/api/v1/bookings/{reference}/cancel",
        data=json.dumps({"reason": "Storm"}),
        content_type="application/json",
    )
    assert cancel.status_code == 404
    assert Booking.objects.get(case__reference=reference).case.status == "confirmed"
    # With the second factor passed, the same session may.
    verified, _user = staff_client("facility_manager", email="verified@staff.example.org")
    assert verified.get(f"/api/v1/bookings/{reference}").status_code == 200


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_booking_at_the_ends_of_the_calendar_is_a_422(client, token, free_unit, day):
    response = post(
        client,
        token,
        {"unit": free_unit.pk, "start": f"{day}T10:00:00+00:00", "end": f"{day}T12:00:00+00:00"}
        | {"attendees": 3, "purpose": "Picnic"},
    )
    assert response.status_code == 422, response.content
    assert "start" in response.json()["error"]["fields"]


@pytest.mark.parametrize("content_type", ["multipart/form-data", "multipart/form-data; boundary="])
def test_cancel_with_an_unparsable_form_body_is_400_not_500(client, token, free_unit, content_type):
    # Found by the schemathesis fuzz test (cityhall/tests/test_api_fuzz.py).
    day = day_ahead()
    reference = post(client, token, body(free_unit, at(day, 10), at(day, 11))).json()["reference"]
    response = client.post(
        f"/api/v1/bookings/{reference}/cancel",
        data=b"reason=late",
        content_type=content_type,
        headers=bearer(token),
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_request"
    assert Booking.objects.get(case__reference=reference).case.status != "cancelled"
