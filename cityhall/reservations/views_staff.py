"""Facility managers' pages: today's bookings per facility, the approvals
queue, a booking with its decisions, utilization, and blocks."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cityhall.cases.errors import CaseError
from cityhall.cases.selectors import staff_timeline
from cityhall.cases.services import record_personal_data_view
from cityhall.core.guards import role_required
from cityhall.core.money import format_cents
from cityhall.core.roles import CITY_ADMIN, FACILITY_MANAGER, FINANCE_CLERK

from . import changes, clock, decisions, selectors, services
from .errors import BookingError, BookingInvalid
from .forms import BlockForm, DayForm, PeriodForm, ReasonForm, StaffChangeForm
from .models import Block
from .timeutil import local
from .workflow import awaits_approval, can, is_confirmed

managers = role_required(FACILITY_MANAGER)


def _booking(reference):
    booking = selectors.booking_by_reference(reference)
    if booking is None:
        raise Http404
    return booking


@managers
@require_GET
def today(request):
    form = DayForm(request.GET or None)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    day = data.get("date") or timezone.localdate()
    facility = data.get("facility")
    return render(
        request,
        "reservations/staff/today.html",
        {
            "form": form,
            "day": day,
            "sheet": selectors.day_sheet(day, facility=facility),
            "is_today": day == timezone.localdate(),
        },
    )


@managers
@require_GET
def approvals(request):
    page = Paginator(selectors.approvals_queue(), 50).get_page(request.GET.get("page"))
    return render(request, "reservations/staff/approvals.html", {"page": page})


@managers
@require_GET
def booking_page(request, reference):
    booking = _booking(reference)
    if services.reconcile(booking):  # a hold that ran out is shown released, as residents see it
        booking = _booking(reference)
    record_personal_data_view(case=booking.case, viewer=request.user, what="booking")
    return _booking_page(request, booking)


def _booking_page(request, booking, *, move_form=None, status=200):
    case = booking.case
    roles = request.user.role_codes
    times = selectors.occurrences_of(booking)
    now = clock.now()
    upcoming = any(t.active and t.start > now for t in times)
    movable = can(case.status, "cancel_by_staff", roles) and not booking.is_series
    if not movable and move_form is not None:
        # The form is not shown for this booking (any more): say why here.
        for message in move_form.non_field_errors():
            messages.error(request, message)
    if movable and move_form is None:
        current = times[0]
        move_form = StaffChangeForm(
            unit=booking.unit,
            prefix="move",
            initial={
                "date": local(current.start).date(),
                "start_time": local(current.start).strftime("%H:%M"),
                "end_time": local(current.end).strftime("%H:%M"),
                "attendees": booking.attendees,
            },
        )
    return render(
        request,
        "reservations/staff/booking.html",
        {
            "booking": booking,
            "case": case,
            **_for_the_caller(booking),
            "unit": booking.unit,
            "facility": booking.unit.facility,
            "times": times,
            "timeline": staff_timeline(case),
            "move_form": move_form if movable else None,
            "can_approve": can(case.status, "approve", roles) and upcoming,
            "can_deny": can(case.status, "deny", roles),
            "can_cancel": can(case.status, "cancel_by_staff", roles) and upcoming,
            "can_keep_deposit": is_confirmed(case.status)
            and booking.deposit_cents
            and booking.deposit_settled_at is None
            and not booking.deposit_kept_reason,
            "requested": awaits_approval(case.status),
            # The finance pages are for finance staff: no link that answers 403.
            "can_see_invoice": request.user.is_superuser
            or request.user.has_role(FINANCE_CLERK, CITY_ADMIN),
            "deny_form": ReasonForm(prefix="deny"),
            "cancel_form": ReasonForm(prefix="cancel"),
            # One form per date, each field with its own id (the label names that field).
            "date_forms": {
                t.pk: ReasonForm(prefix="cancel", auto_id=f"id_date{t.pk}_%s") for t in times
            },
            "deposit_form": ReasonForm(prefix="deposit"),
            "now": now,
        },
        status=status,
    )


def _for_the_caller(booking) -> dict:
    """What a manager needs to serve the person in front of them: their phone as
    they would say it, the payment page of a held booking, the confirmation to
    print (a caller may have no email, or no account to see it in)."""
    from cityhall.cases.questions_extra import show_phone
    from cityhall.payments.selectors import pay_url

    from .workflow import is_held

    case = booking.case
    invoice = booking.invoice
    held_unpaid = (
        is_held(case.status)
        and invoice is not None
        and invoice.is_payable
        and booking.hold_expires_at is not None
        and booking.hold_expires_at > clock.now()
    )
    return {
        "contact_phone": show_phone(case.contact_phone),
        "pay_url": pay_url(invoice, case.language) if held_unpaid else "",
        "document": selectors.current_confirmation(booking),
    }


@managers
@require_POST
def move(request, reference):
    """Staff move a one-time booking to another time, with a reason (any time)."""
    booking = _booking(reference)
    form = StaffChangeForm(request.POST, unit=booking.unit, prefix="move")
    if form.is_valid() and "start" in form.cleaned_data and "end" in form.cleaned_data:
        try:
            changes.change_booking(
                booking=booking,
                actor=request.user,
                start=form.cleaned_data["start"],
                end=form.cleaned_data["end"],
                attendees=form.cleaned_data["attendees"],
                by_staff=True,
                reason=form.cleaned_data["reason"],
            )
        except BookingInvalid as error:
            form.add_service_errors(error.errors)
        except CaseError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Moved. The resident is being emailed the new time."))
            return redirect("reservations:staff-booking", reference=booking.case.reference)
    return _booking_page(request, _booking(reference), move_form=form, status=200)


def _act(request, reference, action):
    booking = _booking(reference)
    try:
        outcome = action(booking)
    except CaseError as error:
        messages.error(request, str(error))
    else:
        if outcome:
            messages.success(request, outcome)
    return redirect("reservations:staff-booking", reference=booking.case.reference)


def _reason(request, prefix) -> str:
    form = ReasonForm(request.POST, prefix=prefix)
    if not form.is_valid():
        raise BookingError(_("Give the reason: the resident reads it."), "reason")
    return form.cleaned_data["reason"]


@managers
@require_POST
def approve(request, reference):
    def act(booking):
        decisions.approve_booking(booking=booking, manager=request.user)
        return _("Approved. The resident is being emailed the confirmation.")

    return _act(request, reference, act)


@managers
@require_POST
def deny(request, reference):
    def act(booking):
        refund = decisions.deny_booking(
            booking=booking, manager=request.user, reason=_reason(request, "deny")
        )
        if refund:
            return _("Denied. %(refund)s is being refunded; the resident is told why.") % {
                "refund": format_cents(refund)
            }
        return _("Denied. The resident is told why.")

    return _act(request, reference, act)


@managers
@require_POST
def cancel(request, reference, occurrence_id=None):
    def act(booking):
        reason = _reason(request, "cancel")
        if occurrence_id is None:
            refund = changes.cancel_booking(
                booking=booking, actor=request.user, by_staff=True, reason=reason
            )
        else:
            refund = changes.cancel_occurrence(
                booking=booking,
                occurrence_id=occurrence_id,
                actor=request.user,
                by_staff=True,
                reason=reason,
            )
        return _("Cancelled. Refund: %(refund)s. The resident is told why.") % {
            "refund": format_cents(refund)
        }

    return _act(request, reference, act)


@managers
@require_POST
def keep_deposit(request, reference):
    def act(booking):
        decisions.keep_deposit(
            booking=booking, manager=request.user, reason=_reason(request, "deposit")
        )
        return _("The deposit will be kept.")

    return _act(request, reference, act)


@managers
@require_GET
def utilization(request):
    form = PeriodForm(request.GET or None)
    if not form.is_bound:
        form = PeriodForm({})
    rows = (
        selectors.utilization(
            form.cleaned_data["first"], form.cleaned_data["last"], now=clock.now()
        )
        if form.is_valid()
        else []
    )
    return render(request, "reservations/staff/utilization.html", {"form": form, "rows": rows})


@managers
@require_http_methods(["GET", "POST"])
def blocks(request):
    form = BlockForm(request.POST if request.method == "POST" else None)
    overlapping = None
    if request.method == "POST" and form.is_valid() and "start" in form.cleaned_data:
        data = form.cleaned_data
        try:
            _block, overlapping = decisions.block_unit(
                unit=data["unit"],
                start=data["start"],
                end=data["end"],
                reason=data["reason"],
                manager=request.user,
            )
        except BookingError as error:
            form.add_service_errors({error.field or "__all__": [str(error)]})
        else:
            messages.success(request, _("Blocked."))
            if not overlapping:
                return redirect("reservations:staff-blocks")
    upcoming = (
        Block.objects.filter(end__gt=clock.now())
        .select_related("unit__facility", "created_by")
        .order_by("start")[:200]
    )
    return render(
        request,
        "reservations/staff/blocks.html",
        {"form": form, "blocks": upcoming, "overlapping": overlapping},
    )


@managers
@require_POST
def unblock(request, pk):
    block = get_object_or_404(Block, pk=pk)
    decisions.remove_block(block=block, manager=request.user)
    messages.success(request, _("Block removed."))
    return redirect("reservations:staff-blocks")
