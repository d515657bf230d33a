"""Facility managers booking a time for a caller at the counter or on the phone
(counter.py). The time comes from the same calendar residents use: a manager
sees "For a caller" beside each free time there."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cityhall.core.guards import role_required
from cityhall.core.roles import FACILITY_MANAGER

from . import availability, counter
from .errors import BookingError, BookingInvalid, SlotTaken
from .forms import CallerBookingForm
from .models import Booking
from .services import Caller, Details
from .timeutil import parse_iso
from .views_booking import form_page, slot_form


@role_required(FACILITY_MANAGER)
@require_http_methods(["GET", "POST"])
def book_for_caller(request, pk):
    unit = get_object_or_404(availability.bookable_units(), pk=pk)
    start = parse_iso(request.POST.get("start") or request.GET.get("start", ""))
    if start is None:
        messages.error(request, _("Choose a start time from the calendar."))
        return redirect("reservations:unit", pk=unit.pk)
    slot, problems, form = slot_form(request, unit, start, CallerBookingForm, free_only=True)
    taken = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        end = parse_iso(data["end"])
        try:
            if end is None:
                raise BookingInvalid({"end": [_("Choose when the booking ends.")]})
            booking = counter.book_for_caller(
                actor=request.user,
                unit=unit,
                start=start,
                end=end,
                details=Details(
                    attendees=data["attendees"],
                    purpose=data["purpose"],
                    resident=data["resident"] == "yes",
                ),
                caller=Caller(
                    name=data["caller_name"].strip(),
                    email=data["caller_email"],
                    phone=data["caller_phone"],
                    language=data["caller_language"],
                ),
                channel=data["channel"],
            )
        except BookingInvalid as error:
            form.add_service_errors(error.errors)
        except SlotTaken as error:
            mine = _just_taken_by(request.user, unit, start)
            if mine is not None:
                return redirect("reservations:staff-booking", reference=mine.case.reference)
            taken = error
        except BookingError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            messages.success(
                request,
                _("Booked for %(name)s: %(reference)s.")
                % {"name": booking.case.contact_name, "reference": booking.case.reference},
            )
            return redirect("reservations:staff-booking", reference=booking.case.reference)
    return form_page(
        request,
        "reservations/staff/book_for_caller.html",
        unit=unit,
        start=start,
        slot=slot,
        problems=problems,
        form=form,
        taken=taken,
    )


def _just_taken_by(user, unit, start) -> Booking | None:
    """The booking this manager made for this time a moment ago: the second
    click of a double click lands on it instead of "just taken"."""
    return (
        Booking.objects.filter(
            unit=unit,
            case__recorded_by=user,
            case__created_at__gte=timezone.now() - timedelta(minutes=2),
            occurrences__start=start,
            occurrences__active=True,
        )
        .select_related("case")
        .first()
    )
