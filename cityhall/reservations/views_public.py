"""Finding a free time: the search, facility pages, each unit's day and week
calendar (links only: no JavaScript needed), photos, and the busy-times feed."""

from __future__ import annotations

from datetime import date, timedelta

from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from cityhall.core.storage import open_stored

from . import availability, clock, pricing
from .counter import can_book_for_callers
from .forms import SearchForm, first_of_week
from .models import Facility, FacilityPhoto, HoursException, Weekday
from .selectors import busy_feed
from .timeutil import is_sane_day


@require_GET
def start(request):
    form = SearchForm(request.GET or None)
    results = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        results = availability.search(
            day=data["date"],
            time_from=data["time_from"],
            time_to=data["time_to"],
            kind=data["kind"],
            place=data["place"],
            amenities=data["amenities"],
            capacity=data["capacity"],
            now=clock.now(),
        )
    facilities = list(
        Facility.objects.filter(active=True).prefetch_related("units").order_by("name")
    )
    return render(
        request,
        "reservations/start.html",
        {
            "form": form,
            "results": results,
            "cards": pricing.rate_cards([r.unit for r in results or []]),
            "facilities": facilities,
            "today": timezone.localdate(),
        },
    )


@require_GET
def facility_page(request, pk):
    facility = get_object_or_404(
        Facility.objects.filter(active=True).prefetch_related("amenities", "photos", "hours"),
        pk=pk,
    )
    units = list(
        availability.bookable_units().filter(facility=facility).prefetch_related("amenities")
    )
    today = timezone.localdate()
    hours = {}
    for span in facility.hours.all():
        hours.setdefault(span.weekday, []).append(span)
    return render(
        request,
        "reservations/facility.html",
        {
            "facility": facility,
            "units": units,
            "cards": pricing.rate_cards(units),
            "week": [(label, hours.get(value, [])) for value, label in Weekday.choices],
            "exceptions": HoursException.objects.filter(
                facility=facility, last_day__gte=today, first_day__lte=today + timedelta(days=90)
            ),
        },
    )


@require_GET
def photo(request, pk, photo_id):
    picture = get_object_or_404(FacilityPhoto, pk=photo_id, facility_id=pk, facility__active=True)
    response = FileResponse(open_stored(picture.image), content_type="image/jpeg")
    response["Cache-Control"] = "public, max-age=86400"
    return response


def _day_from(request) -> date:
    try:
        day = date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        return timezone.localdate()
    return day if is_sane_day(day) else timezone.localdate()


@require_GET
def unit_page(request, pk):
    unit = get_object_or_404(
        availability.bookable_units().prefetch_related("amenities", "facility__amenities"), pk=pk
    )
    week = request.GET.get("view") == "week"
    today = timezone.localdate()
    day = max(_day_from(request), today)
    first = first_of_week(day) if week else day
    count = 7 if week else 1
    days = availability.unit_days(unit, first, count, now=clock.now())
    step = timedelta(days=count)
    return render(
        request,
        "reservations/unit.html",
        {
            "unit": unit,
            "facility": unit.facility,
            "week": week,
            "days": days,
            "day": days[0],
            "first": first,
            "previous": first - step
            if first - step >= (first_of_week(today) if week else today)
            else None,
            "next": first + step,
            "today": today,
            "card": pricing.rate_card(unit),
            # Staff at the counter pick a caller's time from this same calendar.
            "for_callers": can_book_for_callers(request.user),
        },
    )


@require_GET
def unit_feed(request, pk):
    unit = get_object_or_404(availability.bookable_units(), pk=pk)
    return calendar_response(busy_feed(unit, now=clock.now()), f"unit-{unit.pk}-busy.ics")


def calendar_response(content: bytes, filename: str, *, attachment: bool = False) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    disposition = "attachment" if attachment else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["Cache-Control"] = "public, max-age=300"
    return response
