"""The resident's own bookings: the booking page (pay, confirm, documents),
cancelling (the whole booking or one date), changing the time, the calendar
file and the PDF, "my bookings", leaving the waitlist. Only the person who
booked sees a booking (anyone else gets a 404)."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cityhall.cases.errors import CaseError
from cityhall.cases.selectors import public_timeline
from cityhall.core.storage import open_stored

from . import changes, clock, services, waitlist
from .errors import BookingError, BookingInvalid, SlotTaken
from .forms import ChangeForm
from .models import WaitlistEntry
from .selectors import (
    active_times,
    booking_by_reference,
    booking_calendar,
    bookings_of,
    current_confirmation,
    waitlist_of,
)
from .timeutil import local
from .views_public import calendar_response
from .workflow import awaits_approval, is_confirmed, is_held


def _own_booking(request, reference):
    booking = booking_by_reference(reference)
    if booking is None or booking.user_id != request.user.pk:
        raise Http404
    return booking


def booking_page(request, reference):
    if not request.user.is_authenticated:
        return redirect(reverse("accounts:login") + "?next=" + quote(request.get_full_path()))
    booking = _own_booking(request, reference)
    if services.reconcile(booking):
        booking = _own_booking(request, reference)
    status = booking.case.status
    terms = changes.cancellation_terms(booking)
    document = current_confirmation(booking)
    invoice = booking.invoice
    token = None
    if invoice is not None:
        from cityhall.payments.selectors import invoice_token

        token = invoice_token(invoice)
    now = clock.now()
    return render(
        request,
        "reservations/booking.html",
        {
            "booking": booking,
            "case": booking.case,
            "unit": booking.unit,
            "facility": booking.unit.facility,
            "state": booking.case.state,
            "held": is_held(status),
            "requested": awaits_approval(status),
            "confirmed": is_confirmed(status),
            "to_pay": is_held(status) and invoice is not None and invoice.is_payable,
            "to_confirm": is_held(status) and invoice is None,
            "invoice": invoice,
            "token": token,
            "times": active_times(booking),
            "cancelled_times": [o for o in booking.occurrences.all() if not o.active],
            "terms": terms,
            "can_change": terms.allowed and not booking.is_series and not is_held(status),
            "can_cancel_dates": terms.allowed and booking.is_series and not is_held(status),
            "document": document,
            "timeline": public_timeline(booking.case),
            "now": now,
        },
    )


@require_POST
def confirm(request, reference):
    if not request.user.is_authenticated:
        raise Http404
    booking = _own_booking(request, reference)
    try:
        services.confirm_hold(booking=booking, user=request.user)
    except CaseError as error:
        messages.error(request, str(error))
    else:
        if awaits_approval(booking.case.status):
            messages.success(request, _("Thank you: your request is sent to staff for approval."))
        else:
            messages.success(request, _("Thank you: your booking is confirmed."))
    return redirect("reservations:booking", reference=reference)


@require_http_methods(["GET", "POST"])
def cancel(request, reference, occurrence_id=None):
    if not request.user.is_authenticated:
        raise Http404
    booking = _own_booking(request, reference)
    occurrence = None
    if occurrence_id is not None:
        occurrence = booking.occurrences.filter(pk=occurrence_id, active=True).first()
        if occurrence is None:
            raise Http404
    terms = changes.cancellation_terms(booking, occurrence=occurrence)
    if request.method == "POST":
        try:
            if occurrence is None:
                refund = changes.cancel_booking(booking=booking, actor=request.user)
            else:
                refund = changes.cancel_occurrence(
                    booking=booking, occurrence_id=occurrence.pk, actor=request.user
                )
        except CaseError as error:
            messages.error(request, str(error))
        else:
            from cityhall.core.money import format_cents

            messages.success(
                request,
                _("Cancelled. %(refund)s will be refunded to your card within a few days.")
                % {"refund": format_cents(refund)}
                if refund
                else _("Cancelled."),
            )
        return redirect("reservations:booking", reference=reference)
    return render(
        request,
        "reservations/cancel.html",
        {
            "booking": booking,
            "case": booking.case,
            "occurrence": occurrence,
            "terms": terms,
            "times": active_times(booking),
        },
    )


@require_http_methods(["GET", "POST"])
def change(request, reference):
    if not request.user.is_authenticated:
        raise Http404
    booking = _own_booking(request, reference)
    times = active_times(booking)
    if booking.is_series or len(times) != 1:
        raise Http404
    current = times[0]
    form = ChangeForm(
        request.POST if request.method == "POST" else None,
        unit=booking.unit,
        initial={
            "date": local(current.start).date(),
            "start_time": local(current.start).strftime("%H:%M"),
            "end_time": local(current.end).strftime("%H:%M"),
            "attendees": booking.attendees,
        },
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and "start" in form.cleaned_data
        and "end" in form.cleaned_data
    ):
        try:
            changes.change_booking(
                booking=booking,
                actor=request.user,
                start=form.cleaned_data["start"],
                end=form.cleaned_data["end"],
                attendees=form.cleaned_data["attendees"],
            )
        except BookingInvalid as error:
            form.add_service_errors(error.errors)
        except (SlotTaken, BookingError) as error:
            form.add_error(None, str(error))
        except CaseError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Changed. We are emailing you the updated confirmation."))
            return redirect("reservations:booking", reference=reference)
    return render(
        request,
        "reservations/change.html",
        {
            "booking": booking,
            "case": booking.case,
            "form": form,
            "current": current,
            "terms": changes.cancellation_terms(booking),
        },
    )


def booking_ics(request, reference):
    if not request.user.is_authenticated:
        raise Http404
    booking = _own_booking(request, reference)
    return calendar_response(
        booking_calendar(booking), f"booking-{booking.case.reference}.ics", attachment=True
    )


def booking_pdf(request, reference):
    if not request.user.is_authenticated:
        raise Http404
    booking = _own_booking(request, reference)
    document = current_confirmation(booking)
    if document is None:
        raise Http404
    return FileResponse(
        open_stored(document.file),
        content_type="application/pdf",
        filename=f"booking-{booking.case.reference}.pdf",
    )


def mine(request):
    if not request.user.is_authenticated:
        return redirect(reverse("accounts:login") + "?next=" + quote(request.get_full_path()))
    entries = list(waitlist_of(request.user))
    return render(
        request,
        "reservations/mine.html",
        {
            "bookings": list(bookings_of(request.user)[:200]),
            "entries": [(e, waitlist.position(e)) for e in entries],
        },
    )


@require_POST
def leave_waitlist(request, pk):
    if not request.user.is_authenticated:
        raise Http404
    entry = get_object_or_404(WaitlistEntry, pk=pk, user=request.user)
    waitlist.leave_waitlist(entry=entry, user=request.user)
    messages.success(request, _("You have left the waitlist."))
    return redirect("reservations:mine")
