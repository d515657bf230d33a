"""Booking, as a signed-in resident: a time from the calendar → the booking
form → held while paying (or confirmed, or sent for approval); joining the
waitlist for a taken time; a weekly series with its conflicts shown first.
Anonymous visitors are asked to sign in or create an account, and come back
to the same time. The booking's own pages are in views_mine.py."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cityhall.core.ratelimit import allow, client_address

from . import availability, calendars, clock, pricing, rules, selectors, services, waitlist
from .errors import BookingError, BookingInvalid, SlotTaken
from .forms import BookingForm, SeriesForm
from .models import Unit
from .timeutil import iso, local_date, parse_iso

ACCOUNTS_PER_HOUR = 10


def _sign_in_first(request):
    return redirect(reverse("reservations:sign-in") + "?next=" + quote(request.get_full_path()))


def _safe_next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("reservations:start")


@require_http_methods(["GET", "POST"])
def sign_in(request):
    """Sign in, or create an account here, and go back to the time chosen."""
    from cityhall.accounts.forms import SignUpForm
    from cityhall.accounts.services import AccountError, register_resident

    target = _safe_next(request)
    if request.user.is_authenticated:
        return redirect(target)
    form = SignUpForm(
        request.POST if request.method == "POST" else None,
        initial={"preferred_language": get_language()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if not allow(
            f"reservations-account:{client_address(request)}",
            limit=ACCOUNTS_PER_HOUR,
            window_seconds=3600,
        ):
            form.add_error(
                None,
                _("Too many accounts were created from your connection. Try again in an hour."),
            )
        else:
            try:
                user = register_resident(
                    email=data["email"],
                    password=data["password"],
                    full_name=data["full_name"],
                    language=data["preferred_language"],
                )
            except ValidationError as error:
                form.add_error("password", error)
            except AccountError as error:
                form.add_error("email", str(error))
            else:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(request, _("Your account is ready."))
                return redirect(target)
    return render(
        request,
        "reservations/sign_in.html",
        {
            "form": form,
            "next": target,
            "login_url": reverse("accounts:login") + "?next=" + quote(target),
        },
    )


def _bookable_unit(pk) -> Unit:
    return get_object_or_404(availability.bookable_units(), pk=pk)


def _details(data) -> services.Details:
    return services.Details(
        attendees=data["attendees"], purpose=data["purpose"], resident=data["resident"] == "yes"
    )


@require_http_methods(["GET", "POST"])
def book(request, pk):
    unit = _bookable_unit(pk)
    start = parse_iso(request.POST.get("start") or request.GET.get("start", ""))
    if start is None:
        messages.error(request, _("Choose a start time from the calendar."))
        return redirect("reservations:unit", pk=unit.pk)
    if not request.user.is_authenticated:
        return _sign_in_first(request)
    slot, problems, form = slot_form(request, unit, start, BookingForm)
    wants_waitlist = request.GET.get("waitlist") == "1" or "join_waitlist" in request.POST
    taken = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        end = parse_iso(data["end"])
        if end is None:
            form.add_error("end", _("Choose when the booking ends."))
        elif "join_waitlist" in request.POST:
            try:
                entry = waitlist.join_waitlist(
                    user=request.user,
                    unit=unit,
                    start=start,
                    end=end,
                    details=_details(data),
                    language=get_language(),
                )
            except BookingInvalid as error:
                form.add_service_errors(error.errors)
            except BookingError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    _(
                        "You are on the waitlist (number %(position)d). If this time is freed, we "
                        "will keep it for you and email you."
                    )
                    % {"position": waitlist.position(entry)},
                )
                return redirect("reservations:mine")
        else:
            try:
                booking = services.book_slot(
                    user=request.user,
                    unit=unit,
                    start=start,
                    end=end,
                    details=_details(data),
                    language=get_language(),
                )
            except BookingInvalid as error:
                form.add_service_errors(error.errors)
            except SlotTaken as error:
                mine = selectors.own_booking_at(request.user, unit, start, end)
                if mine is not None:  # the second click of a double click: theirs already
                    return redirect("reservations:booking", reference=mine.case.reference)
                taken = error
            except BookingError as error:
                form.add_error(error.field if error.field in form.fields else None, str(error))
            else:
                return redirect("reservations:booking", reference=booking.case.reference)
    return form_page(
        request,
        "reservations/book.html",
        unit=unit,
        start=start,
        slot=slot,
        problems=problems,
        form=form,
        taken=taken,
        waitlist=wants_waitlist or (slot is not None and not slot.free),
    )


def slot_form(request, unit, start, form_class, *, free_only=False):
    """The slot starting at `start` (None when no booking can start then), what
    stands in its way, and the booking form offering its end times (none for a
    taken slot when `free_only`: staff cannot join a waitlist for a caller)."""
    now = clock.now()
    calendar, slot = availability.slot_at(unit, start, now=now)
    problems, ends = {}, []
    if slot is None:
        problems = rules.problems(calendar, start, start + unit.min_duration, now=now)
    elif slot.free or not free_only:
        ends = rules.ends_for(calendar, slot)
    wanted_end = parse_iso(request.GET.get("end", ""))
    form = form_class(
        request.POST if request.method == "POST" else None,
        start=start,
        ends=ends,
        initial={"end": iso(wanted_end if wanted_end in ends else ends[0]) if ends else ""},
    )
    return slot, problems, form


def form_page(request, template, *, unit, start, slot, problems, form, taken, **extra):
    """A booking form for one start time (a resident's, or staff's for a caller)."""
    return render(
        request,
        template,
        {
            "unit": unit,
            "facility": unit.facility,
            "start": start,
            "slot": slot,
            "problems": [m for messages_ in problems.values() for m in messages_],
            "form": form,
            "taken": taken,
            "card": pricing.rate_card(unit),
            **extra,
        },
    )


@require_http_methods(["GET", "POST"])
def series(request, pk):
    """Every week: the dates are checked and shown, then booked in one step."""
    unit = _bookable_unit(pk)
    if not request.user.is_authenticated:
        return _sign_in_first(request)
    form = SeriesForm(request.POST or request.GET or None, unit=unit)
    preview = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        preview = _series_preview(unit, data)
        if request.method == "POST" and "book" in request.POST and not data.get("terms"):
            form.add_error("terms", _("Agree to the rules of use to book."))
        elif request.method == "POST" and "book" in request.POST:
            times = [(row["start"], row["end"]) for row in preview if row["ok"]]
            try:
                booking = services.book_series(
                    user=request.user,
                    unit=unit,
                    times=times,
                    details=_details(data),
                    pattern={
                        "weekday": data["first_date"].weekday(),
                        "weeks": data["weeks"],
                        "from": data["start_time"],
                        "until": data["end_time"],
                    },
                    language=get_language(),
                )
            except BookingInvalid as error:
                form.add_service_errors(error.errors)
            except (SlotTaken, BookingError) as error:
                mine = (
                    selectors.own_booking_at(request.user, unit, *min(data["times"]))
                    if data["times"]
                    else None
                )
                if mine is not None and mine.is_series:  # the second click of a double click
                    return redirect("reservations:booking", reference=mine.case.reference)
                form.add_error(None, str(error))
            else:
                return redirect("reservations:booking", reference=booking.case.reference)
    return render(
        request,
        "reservations/series.html",
        {
            "unit": unit,
            "facility": unit.facility,
            "form": form,
            "preview": preview,
            "bookable": [row for row in preview or [] if row["ok"]],
            "card": pricing.rate_card(unit),
        },
    )


def _series_preview(unit, data) -> list[dict]:
    """Each date with what stands in its way (a rule, a booking, a closure), before booking."""
    now = clock.now()
    rows = [
        {"day": day, "start": None, "end": None, "ok": False, "problems": [message]}
        for day, message in data["impossible"]
    ]
    if data["times"]:
        first = min(a for a, _b in data["times"])
        last = max(b for _a, b in data["times"])
        calendar = calendars.load_one(
            unit, first - timedelta(days=1), last + timedelta(days=1), now=now
        )
        for start, end in data["times"]:
            found = rules.problems(
                calendar,
                start,
                end,
                now=now,
                resident=data["resident"] == "yes",
                attendees=data["attendees"],
            )
            problems = [m for ms in found.values() for m in ms]
            if not problems and calendar.collides(start, end):
                problems.append(_("Already booked."))
            rows.append(
                {
                    "day": local_date(start),
                    "start": start,
                    "end": end,
                    "ok": not problems,
                    "problems": problems,
                }
            )
    rows.sort(key=lambda row: row["day"])
    return rows
