"""Reads shaped for pages, emails, calendar files and staff lists."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Min, Prefetch
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cityhall.core.money import format_cents

from . import calendars, ics
from .models import Booking, Facility, Occurrence, Unit, WaitlistEntry, WaitlistStatus
from .timeutil import fmt_moment, fmt_range, fmt_time, local_date, start_of_day
from .workflow import COMPLETED, CONFIRMED, OCCUPYING, REQUESTED, SERVICE_CODE


def booking_by_reference(reference: str) -> Booking | None:
    return (
        Booking.objects.select_related("case", "unit__facility", "invoice", "user")
        .prefetch_related(Prefetch("occurrences", queryset=Occurrence.objects.order_by("start")))
        .filter(case__reference=(reference or "").strip().upper())
        .first()
    )


def occurrences_of(booking: Booking) -> list[Occurrence]:
    return sorted(booking.occurrences.all(), key=lambda o: o.start)


def active_times(booking: Booking) -> list[Occurrence]:
    return [o for o in occurrences_of(booking) if o.active]


def absolute(name: str, language: str, *args) -> str:
    with translation.override(language):
        return settings.CITY_SITE_URL + reverse(name, args=args)


def page_for(booking: Booking) -> str:
    """Where the person follows their booking: its page when it has an account,
    else the case's status page by its signed link (a caller booked by staff)."""
    from cityhall.cases.selectors import status_url

    case = booking.case
    if booking.user_id:
        return absolute("reservations:booking", case.language, case.reference)
    return status_url(case)


def email_context(booking: Booking, *, refund_cents=None, occurrence=None) -> dict:
    """Variables for the booking emails, written in the case's language."""
    case = booking.case
    language = case.language
    with translation.override(language):
        times = active_times(booking) or occurrences_of(booking)
        context = {
            "booking": booking,
            "unit": booking.unit,
            "facility": booking.unit.facility,
            "times": [fmt_range(o.start, o.end) for o in times],
            # A caller booked through staff may have no account to see it in.
            "booking_url": (
                absolute("reservations:booking", language, case.reference)
                if booking.user_id
                else ""
            ),
            "refund": format_cents(refund_cents) if refund_cents else "",
            "occurrence_when": fmt_range(occurrence.start, occurrence.end) if occurrence else "",
            "hold_until": "",
            "pay_url": "",
            "total": "",
        }
        if booking.hold_expires_at:
            context["hold_until"] = fmt_moment(booking.hold_expires_at)
        if booking.invoice_id and booking.invoice.is_payable:
            from cityhall.payments.selectors import pay_url

            context["pay_url"] = pay_url(booking.invoice, language)
            context["total"] = format_cents(booking.invoice.total_cents)
    return context


# ---- calendar files ---------------------------------------------------------


def booking_calendar(booking: Booking) -> bytes:
    case = booking.case
    unit, facility = booking.unit, booking.unit.facility
    with translation.override(case.language):
        url = page_for(booking)
        confirmed = case.status == CONFIRMED
        events = [
            ics.Event(
                uid=f"booking-{case.public_id.hex}-{o.pk}@{ics.host()}",
                start=o.start,
                end=o.end,
                summary=f"{unit.name}, {facility.name}",
                location=facility.address,
                description=_("Booking %(reference)s: %(url)s")
                % {"reference": case.reference, "url": url},
                url=url,
                sequence=booking.calendar_sequence,
                status=("CONFIRMED" if confirmed else "TENTATIVE")
                if o.active and case.status in OCCUPYING
                else "CANCELLED",
            )
            for o in occurrences_of(booking)
        ]
        return ics.calendar(events, name=f"{unit.name}, {facility.name}")


FEED_PAST = timedelta(days=30)
FEED_AHEAD = timedelta(days=400)


def busy_feed(unit: Unit, *, now: datetime) -> bytes:
    """The unit's taken times (buffers included) and blocks: no names, no purposes."""
    events = []
    taken = (
        Occurrence.objects.filter(
            unit=unit,
            active=True,
            blocked_from__lt=now + FEED_AHEAD,
            blocked_from__gte=now - FEED_PAST - unit.max_duration,
            blocked_until__gt=now - FEED_PAST,
        )
        .exclude(held_until__lte=now)
        .order_by("blocked_from")
        .values_list("pk", "blocked_from", "blocked_until")
    )
    for pk, start, end in taken:
        events.append(
            ics.Event(uid=f"busy-{pk}@{ics.host()}", start=start, end=end, summary=_("Booked"))
        )
    for pk, start, end in unit.blocks.filter(
        end__gt=now - FEED_PAST, start__lt=now + FEED_AHEAD
    ).values_list("pk", "start", "end"):
        events.append(
            ics.Event(
                uid=f"block-{pk}@{ics.host()}", start=start, end=end, summary=_("Not available")
            )
        )
    events.sort(key=lambda e: e.start)
    return ics.calendar(events, name=f"{unit.name}, {unit.facility.name}")


# ---- the resident's bookings --------------------------------------------------


def bookings_of(user):
    return (
        Booking.objects.filter(user=user)
        .select_related("case", "unit__facility", "invoice")
        .prefetch_related(Prefetch("occurrences", queryset=Occurrence.objects.order_by("start")))
        .annotate(first_start=Min("occurrences__start"))
        .order_by("-first_start")
    )


def own_booking_at(user, unit: Unit, start: datetime, end: datetime) -> Booking | None:
    """The person's active booking of exactly this time on this unit, if any."""
    return (
        Booking.objects.filter(
            user=user,
            unit=unit,
            case__status__in=OCCUPYING,
            occurrences__active=True,
            occurrences__start=start,
            occurrences__end=end,
        )
        .select_related("case")
        .first()
    )


def waitlist_of(user):
    return (
        WaitlistEntry.objects.filter(user=user, status=WaitlistStatus.WAITING)
        .select_related("unit__facility")
        .order_by("start")
    )


# ---- staff ----------------------------------------------------------------------


def approvals_queue():
    return (
        Booking.objects.filter(case__service=SERVICE_CODE, case__status=REQUESTED)
        .select_related("case", "unit__facility", "invoice")
        .prefetch_related(Prefetch("occurrences", queryset=Occurrence.objects.order_by("start")))
        .order_by("case__submitted_at", "pk")
    )


def approvals_count() -> int:
    return Booking.objects.filter(case__status=REQUESTED).count()


@dataclass
class SheetRow:
    occurrence: Occurrence
    booking: Booking


def day_sheet(day: date, *, facility: Facility | None = None):
    """{facility: {unit: [rows]}} for the bookings that take place on `day`."""
    first, last = start_of_day(day), start_of_day(day + timedelta(days=1))
    rows = (
        Occurrence.objects.filter(active=True, start__lt=last, end__gt=first)
        .select_related("booking__case", "booking__user", "unit__facility")
        .order_by("unit__facility__name", "unit__name", "start")
    )
    if facility is not None:
        rows = rows.filter(unit__facility=facility)
    sheet: OrderedDict = OrderedDict()
    for occurrence in rows:
        unit = occurrence.unit
        sheet.setdefault(unit.facility, OrderedDict()).setdefault(unit, []).append(
            SheetRow(occurrence, occurrence.booking)
        )
    return sheet


@dataclass
class Usage:
    unit: Unit
    open_hours: float
    booked_hours: float
    bookings: int

    @property
    def percent(self) -> int:
        return round(100 * self.booked_hours / self.open_hours) if self.open_hours else 0


def utilization(first_day: date, last_day: date, *, now: datetime) -> list[Usage]:
    """Per unit: hours open (less closures and blocks), hours taken by confirmed
    bookings, and how many, between two local days (both included)."""
    first, last = start_of_day(first_day), start_of_day(last_day + timedelta(days=1))
    units = list(Unit.objects.select_related("facility").order_by("facility__name", "name"))
    cals = calendars.load(units, first, last, now=now)
    booked: dict[int, list] = {}
    for unit_id, start, end in Occurrence.objects.filter(
        active=True,
        start__lt=last,
        end__gt=first,
        booking__case__status__in=[CONFIRMED, COMPLETED],
    ).values_list("unit_id", "start", "end"):
        booked.setdefault(unit_id, []).append((max(start, first), min(end, last)))
    usage = []
    for unit in units:
        calendar = cals[unit.pk]
        open_spans = [
            (max(a, first), min(b, last))
            for a, b in calendar.free_spans(first, last - timedelta(microseconds=1))
            if b > first and a < last
        ]
        hours = sum((b - a).total_seconds() for a, b in open_spans) / 3600
        taken = booked.get(unit.pk, [])
        usage.append(
            Usage(
                unit=unit,
                open_hours=round(hours, 1),
                booked_hours=round(sum((b - a).total_seconds() for a, b in taken) / 3600, 1),
                bookings=len(taken),
            )
        )
    return usage


def current_confirmation(booking: Booking):
    """The latest version of the booking's confirmation PDF, or None before it is issued."""
    from .document import DOCUMENT_KIND

    return booking.case.documents.filter(kind=DOCUMENT_KIND, superseded_by__isnull=True).first()


def first_time(booking: Booking) -> Occurrence | None:
    times = occurrences_of(booking)
    return times[0] if times else None


def time_label(start: datetime, end: datetime) -> str:
    same_day = local_date(start) == local_date(end - timedelta(microseconds=1))
    return f"{fmt_time(start)} – {fmt_time(end)}" if same_day else fmt_range(start, end)


def case_panel(case) -> dict | None:
    """The booking on the resident's status page (core.registry CasePanel)."""
    if case.service != SERVICE_CODE:
        return None
    booking = (
        Booking.objects.select_related("unit__facility")
        .prefetch_related("occurrences")
        .filter(case=case)
        .first()
    )
    if booking is None:
        return None
    times = active_times(booking) or occurrences_of(booking)
    return {"booking": booking, "times": [fmt_range(o.start, o.end) for o in times]}


def open_data_version():
    """(last change, token) of what utilization is computed from (opendata):
    bookings' states, closures and blocks, and today (the current month fills in)."""
    from django.db.models import Count, Max

    from cityhall.cases.models import Case

    from .models import Block, HoursException, OpeningHours

    cases = Case.objects.filter(service=SERVICE_CODE).aggregate(
        changed=Max("status_changed_at"), n=Count("pk")
    )
    parts = [cases["changed"], cases["n"], local_date(timezone.now())]
    for model in (Occurrence, Block, HoursException, OpeningHours, Unit):
        found = model.objects.aggregate(last=Max("pk"), n=Count("pk"))
        parts += [found["last"], found["n"]]
    return cases["changed"], "|".join(str(p) for p in parts)
