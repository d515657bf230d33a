"""/api/v1/facilities, /api/v1/units, /api/v1/bookings: find free times and book them.

Reading is public. Booking needs a resident: a bearer token (`cityhall
api-token EMAIL`) or a signed-in session (with its CSRF token). Bookings
accept `Idempotency-Key`: the same key and body give the same booking (200
on a replay), never a second one. A time somebody else has is 409
`slot_taken`, with `alternatives` next to the usual error fields; a rule not
met is 422 with a message per field.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils.translation import override
from ninja import Query, Router
from ninja.security import django_auth

from cityhall.api import ApiDomainError, error_body, idempotent, token_auth, with_errors
from cityhall.cases.errors import CaseError
from cityhall.core.roles import FACILITY_MANAGER

from . import availability, changes, clock, pricing, services
from .errors import NON_FIELD, BookingError, BookingInvalid, SlotTaken
from .models import Facility, HoursException
from .schemas import (
    AvailabilityOut,
    BookingIn,
    BookingOut,
    CancelIn,
    CancelledOut,
    FacilityDetailOut,
    FacilityOut,
)
from .selectors import absolute, booking_by_reference, busy_feed, occurrences_of
from .timeutil import FIRST_DAY, LAST_DAY, is_sane_day, iso, local_date, parse_iso, start_of_day

router = Router(tags=["reservations"])
resident_auth = [token_auth, django_auth]


def _invalid(fields: dict) -> ApiDomainError:
    return ApiDomainError(422, "validation_error", "Some fields are missing or invalid.", fields)


def _unit_summary(unit) -> dict:
    return {
        "id": unit.pk,
        "name": unit.name,
        "kind": unit.kind,
        "capacity": unit.capacity,
        "needs_approval": unit.needs_approval,
        "free": unit.is_free,
    }


def _coordinate(value):
    return float(value) if value is not None else None


@router.get(
    "/facilities", response=with_errors(list[FacilityOut]), summary="Facilities and their units"
)
def list_facilities(request):
    facilities = (
        Facility.objects.filter(active=True).prefetch_related("amenities", "units").order_by("name")
    )
    return [
        {
            "id": f.pk,
            "name": f.name,
            "kind": f.kind,
            "address": f.address,
            "latitude": _coordinate(f.latitude),
            "longitude": _coordinate(f.longitude),
            "amenities": [a.code for a in f.amenities.all()],
            "units": [_unit_summary(u) for u in f.units.all() if u.active],
        }
        for f in facilities
    ]


def _minutes(length) -> int:
    return int(length.total_seconds() // 60)


@router.get(
    "/facilities/{facility_id}", response=with_errors(FacilityDetailOut), summary="One facility"
)
def get_facility(request, facility_id: int):
    facility = (
        Facility.objects.filter(active=True, pk=facility_id)
        .prefetch_related("amenities", "photos", "hours")
        .first()
    )
    if facility is None:
        raise ApiDomainError(404, "not_found", "Not found.")
    today = local_date(clock.now())
    units = list(
        availability.bookable_units().filter(facility=facility).prefetch_related("amenities")
    )
    cards = pricing.rate_cards(units)
    with override("en"):
        return {
            "id": facility.pk,
            "name": facility.name,
            "kind": facility.kind,
            "address": facility.address,
            "latitude": _coordinate(facility.latitude),
            "longitude": _coordinate(facility.longitude),
            "description": facility.description(),
            "accessibility": facility.accessibility(),
            "phone": facility.phone,
            "email": facility.email,
            "amenities": [a.code for a in facility.amenities.all()],
            "photos": [
                {"url": absolute("reservations:photo", "en", facility.pk, p.pk), "alt": p.alt_en}
                for p in facility.photos.all()
            ],
            "time_zone": settings.TIME_ZONE,
            "hours": [
                {
                    "weekday": h.weekday,
                    "opens": h.opens.strftime("%H:%M"),
                    "closes": h.closes.strftime("%H:%M"),
                }
                for h in facility.hours.all()
            ],
            "closures": [
                {
                    "first_day": e.first_day.isoformat(),
                    "last_day": e.last_day.isoformat(),
                    "closed": e.closed,
                    "opens": e.opens.strftime("%H:%M") if e.opens else None,
                    "closes": e.closes.strftime("%H:%M") if e.closes else None,
                    "reason": e.reason_en,
                }
                for e in HoursException.objects.filter(facility=facility, last_day__gte=today)
            ],
            "units": [_unit_detail(u, cards[u.pk]) for u in units],
        }


def _unit_detail(unit, card) -> dict:
    return {
        **_unit_summary(unit),
        "description": unit.description_en,
        "accessibility": unit.accessibility_en,
        "amenities": [a.code for a in unit.amenities.all()],
        "min_duration_minutes": _minutes(unit.min_duration),
        "max_duration_minutes": _minutes(unit.max_duration),
        "start_interval_minutes": unit.start_interval_minutes,
        "buffer_before_minutes": _minutes(unit.buffer_before),
        "buffer_after_minutes": _minutes(unit.buffer_after),
        "opens_days_ahead": unit.opens_days_ahead,
        "closes_hours_before": unit.closes_hours_before,
        "residents_first_days": unit.residents_first_days,
        "max_active_per_person": unit.max_active_per_person,
        "allow_overnight": unit.allow_overnight,
        "cancel_hours_before": unit.cancel_hours_before,
        "refund_percent": unit.refund_percent,
        "rate": None
        if card is None
        else {
            "per": "day" if card.per_day else "hour",
            "resident_cents": card.resident_cents,
            "non_resident_cents": card.non_resident_cents,
            "minimum_cents": card.minimum_cents,
            "deposit_cents": card.deposit_cents,
        },
        "busy_ics": settings.CITY_SITE_URL + f"/api/v1/units/{unit.pk}/busy.ics",
    }


def _bookable(unit_id: int, *, field: str | None = None):
    unit = availability.bookable_units().filter(pk=unit_id).first()
    if unit is None:
        if field:
            raise _invalid({field: ["No space that can be booked online has this id."]})
        raise ApiDomainError(404, "not_found", "Not found.")
    return unit


def _moment(text: str, field: str, fields: dict, *, end: bool = False):
    value = parse_iso(text)
    if value is not None:
        return value
    try:
        day = date.fromisoformat((text or "").strip())
    except ValueError:
        day = None
    if day is None or not is_sane_day(day):
        fields[field] = [
            "Use ISO 8601 with an offset (2026-12-01T18:00:00-08:00) or a date (2026-12-01), "
            f"between {FIRST_DAY} and {LAST_DAY}."
        ]
        return None
    return start_of_day(day + timedelta(days=1) if end else day)


@router.get(
    "/units/{unit_id}/availability",
    response=with_errors(AvailabilityOut),
    summary="Free start times of a unit between two times",
)
def unit_availability(
    request,
    unit_id: int,
    start: str = Query(..., description="ISO 8601 datetime with offset, or a date"),
    end: str = Query(..., description="ISO 8601 datetime with offset, or a date (included)"),
    resident: bool = Query(True, description="the resident booking window"),
):
    unit = _bookable(unit_id)
    fields: dict = {}
    first = _moment(start, "start", fields)
    last = _moment(end, "end", fields, end=True)
    if first and last:
        if last <= first:
            fields["end"] = ["The end must be after the start."]
        elif last - first > timedelta(days=availability.MAX_DAYS):
            fields["end"] = [f"Ask for {availability.MAX_DAYS} days at most."]
    if fields:
        raise _invalid(fields)
    slots = availability.slots_between(unit, first, last, now=clock.now(), resident=resident)
    return {
        "unit": unit.pk,
        "start": iso(first),
        "end": iso(last),
        "time_zone": settings.TIME_ZONE,
        "slots": [
            {"start": iso(s.start), "end": iso(s.end), "max_end": iso(s.max_end)} for s in slots
        ],
    }


@router.get(
    "/units/{unit_id}/busy.ics", response=with_errors(), summary="A unit's busy times (iCalendar)"
)
def unit_busy(request, unit_id: int):
    unit = _bookable(unit_id)
    with override("en"):
        content = busy_feed(unit, now=clock.now())
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="unit-{unit.pk}-busy.ics"'
    return response


def _booking_out(booking) -> dict:
    case = booking.case
    times = occurrences_of(booking)
    active = [o for o in times if o.active] or times
    invoice = booking.invoice
    pay = None
    if invoice is not None and invoice.is_payable:
        from cityhall.payments.selectors import pay_url

        pay = pay_url(invoice, case.language)
    return {
        "reference": case.reference,
        "status": case.status,
        "unit": booking.unit_id,
        "start": iso(active[0].start),
        "end": iso(active[-1].end),
        "times": [
            {"id": o.pk, "start": iso(o.start), "end": iso(o.end), "active": o.active}
            for o in times
        ],
        "attendees": booking.attendees,
        "purpose": booking.purpose,
        "hold_expires_at": iso(booking.hold_expires_at) if booking.hold_expires_at else None,
        "price_cents": booking.price_cents,
        "deposit_cents": booking.deposit_cents,
        "total_cents": booking.price_cents + booking.deposit_cents,
        "pay_url": pay,
        "booking_url": absolute("reservations:booking", case.language, case.reference),
    }


def _taken_response(error: SlotTaken) -> JsonResponse:
    body = error_body("slot_taken", str(error))
    body["error"]["alternatives"] = [
        {
            "unit": a.unit.pk,
            "unit_name": a.unit.name,
            "facility": a.unit.facility.name,
            "start": iso(a.start),
            "end": iso(a.end),
        }
        for a in error.alternatives
    ]
    return JsonResponse(body, status=409)


@router.post(
    "/bookings",
    response=with_errors({201: BookingOut, 200: BookingOut}),
    auth=resident_auth,
    summary="Book a time (held while paying, requested, or confirmed)",
)
def create_booking(request, payload: BookingIn):
    """201 with `status` held (pay at `pay_url` within 15 minutes), requested (staff
    approve) or confirmed (free). 409 `slot_taken` when someone else has the time,
    with `alternatives`. Send `Idempotency-Key` to make retries safe."""
    user = request.auth
    unit = _bookable(payload.unit, field="unit")

    def write() -> tuple[int, dict]:
        with override("en"):
            try:
                booking = services.book_slot(
                    user=user,
                    unit=unit,
                    start=payload.start,
                    end=payload.end,
                    details=services.Details(payload.attendees, payload.purpose, payload.resident),
                    language=getattr(user, "preferred_language", "en") or "en",
                )
            except BookingInvalid as error:
                raise _invalid(error.errors) from error
            except SlotTaken:
                raise
            except BookingError as error:
                raise _invalid({error.field or NON_FIELD: [str(error)]}) from error
        booking = booking_by_reference(booking.case.reference)
        return 201, _booking_out(booking)

    try:
        return idempotent(request, f"reservations.booking:{user.pk}", write)
    except SlotTaken as error:
        return _taken_response(error)


def _cancel_body(request) -> CancelIn:
    import json

    from django.core.exceptions import SuspiciousOperation
    from django.http.multipartparser import MultiPartParserError
    from pydantic import ValidationError as PydanticError

    if request.content_type != "application/json" or not request.body.strip():
        try:
            return CancelIn(reason=request.POST.get("reason", "")[:2000])
        except (MultiPartParserError, SuspiciousOperation) as error:
            # A multipart body without a boundary, and the like (it was a 500).
            raise ApiDomainError(400, "bad_request", "Cannot parse request body") from error
    try:
        return CancelIn.model_validate(json.loads(request.body))
    except (ValueError, PydanticError) as error:
        raise _invalid({"reason": ['Send JSON like {"reason": "..."}.']}) from error


def _acts_as_manager(user) -> bool:
    """A facility manager through a bearer token (issued to staff by an operator),
    or through a session that has passed the second factor, as staff pages
    require. Only a session's user carries `is_verified` (django-otp's middleware)."""
    if not user.has_role(FACILITY_MANAGER):
        return False
    is_verified = getattr(user, "is_verified", None)
    return is_verified is None or is_verified()


def _own(request, reference):
    booking = booking_by_reference(reference)
    user = request.auth
    if booking is None or not (booking.user_id == user.pk or _acts_as_manager(user)):
        raise ApiDomainError(404, "not_found", "Not found.")
    return booking


@router.get(
    "/bookings/{reference}",
    response=with_errors(BookingOut),
    auth=resident_auth,
    summary="One booking",
)
def get_booking(request, reference: str):
    booking = _own(request, reference)
    services.reconcile(booking)
    return _booking_out(booking_by_reference(reference))


@router.post(
    "/bookings/{reference}/cancel",
    response=with_errors(CancelledOut),
    auth=resident_auth,
    summary="Cancel a booking (the refund its rules give)",
    openapi_extra={
        "requestBody": {
            "required": False,
            "content": {"application/json": {"schema": CancelIn.model_json_schema()}},
        }
    },
)
def cancel_booking(request, reference: str):
    """The resident who booked: within the unit's rules, with the refund its policy gives.
    A facility manager: at any time, with a `reason` (body `{"reason": "..."}`), and a
    full refund. The body is optional for residents."""
    payload = _cancel_body(request)
    booking = _own(request, reference)
    user = request.auth
    by_staff = booking.user_id != user.pk
    with override("en"):
        try:
            refund = changes.cancel_booking(
                booking=booking,
                actor=user,
                by_staff=by_staff,
                reason=payload.reason,
            )
        except BookingError as error:
            if error.field:
                raise _invalid({error.field: [str(error)]}) from error
            raise ApiDomainError(409, "not_cancellable", str(error)) from error
        except CaseError as error:
            raise ApiDomainError(409, "not_cancellable", str(error)) from error
    return {**_booking_out(booking_by_reference(reference)), "refund_cents": refund}
