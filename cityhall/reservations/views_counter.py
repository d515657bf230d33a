"""Facility managers booking a time for a caller at the counter or on the phone
(counter.py). The time comes from the same calendar residents use: a manager
sees "For a caller" beside each free time there."""

from __future__ import annotations

import json
import uuid

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cityhall.core.guards import role_required
from cityhall.core.idempotency import KeyReused, run_once
from cityhall.core.models import IdempotencyRecord
from cityhall.core.roles import FACILITY_MANAGER

from . import availability, counter
from .errors import BookingError, BookingInvalid, SlotTaken
from .forms import CallerBookingForm
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
            reference = _book_once(request, unit, start, end, data)
        except BookingInvalid as error:
            form.add_service_errors(error.errors)
        except SlotTaken as error:
            taken = error
        except BookingError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        except KeyReused as reused:
            # Sent again after it booked, with something changed (the back
            # button): the booking it made stands; a change is made from there.
            made = IdempotencyRecord.objects.get(key=reused.args[0])
            reference = made.response_body["reference"]
            messages.warning(
                request,
                _(
                    "This form was already used for booking %(reference)s. Change that "
                    "booking here, or choose another time from the calendar."
                )
                % {"reference": reference},
            )
            return redirect("reservations:staff-booking", reference=reference)
        else:
            return redirect("reservations:staff-booking", reference=reference)
    elif request.method == "GET":
        form.initial["submission"] = uuid.uuid4().hex
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


def _book_once(request, unit, start, end, data) -> str:
    """Books at most once per form shown (its hidden `submission` token): the
    second click of a double click, or the form sent again, lands on the
    booking the first made. A form without a token books as it is."""
    post = {k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}

    def book() -> tuple[int, dict]:
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
        messages.success(
            request,
            _("Booked for %(name)s: %(reference)s.")
            % {"name": booking.case.contact_name, "reference": booking.case.reference},
        )
        return 302, {"reference": booking.case.reference}

    token = data.get("submission") or ""
    if not token:
        return book()[1]["reference"]
    _status, body, replayed = run_once(
        scope=f"caller-booking:{request.user.pk}",
        key=token,
        body=json.dumps(post, sort_keys=True).encode(),
        write=book,
    )
    if replayed:
        messages.info(
            request, _("Already booked: %(reference)s.") % {"reference": body["reference"]}
        )
    return body["reference"]
