"""The waitlist: people who want a taken time are offered it first, in the
order they joined, when it is freed (a cancellation, a denial, a hold that
ran out, a change).

The offer is a hold made for them in the transaction that freed the time:
nobody else can take it meanwhile. They pay (or, for a free unit, confirm)
within a day (services.day_hold), or the hold runs out and the next person is offered it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from cityhall.cases.errors import NotAllowed

from . import calendars, clock, rules
from .errors import BookingError, BookingInvalid, SlotTaken
from .models import Unit, WaitlistEntry, WaitlistStatus
from .services import Details, day_hold
from .timeutil import utc


@transaction.atomic
def join_waitlist(
    *, user, unit: Unit, start: datetime, end: datetime, details: Details, language: str = "en"
) -> WaitlistEntry:
    from .services import _details_errors

    start, end = utc(start), utc(end)
    now = clock.now()
    calendar = calendars.load_one(unit, start - timedelta(days=1), end + timedelta(days=1), now=now)
    errors = _details_errors(details) | rules.problems(
        calendar, start, end, now=now, resident=details.resident, attendees=details.attendees
    )
    if errors:
        raise BookingInvalid(errors)
    if not calendar.collides(start, end):
        raise BookingError(_("This time is free now: book it instead of waiting."))
    try:
        with transaction.atomic():
            return WaitlistEntry.objects.create(
                unit=unit,
                user=user,
                start=start,
                end=end,
                attendees=details.attendees,
                purpose=details.purpose.strip(),
                resident=details.resident,
                language=language,
            )
    except IntegrityError as error:
        raise BookingError(_("You are already on the waitlist for this time.")) from error


def position(entry: WaitlistEntry) -> int:
    """1 for the first person who would be offered this time."""
    return (
        WaitlistEntry.objects.filter(
            unit_id=entry.unit_id,
            status=WaitlistStatus.WAITING,
            start__lt=entry.end,
            end__gt=entry.start,
        )
        .filter(
            Q(created_at__lt=entry.created_at) | Q(created_at=entry.created_at, pk__lt=entry.pk)
        )
        .count()
        + 1
    )


@transaction.atomic
def leave_waitlist(*, entry: WaitlistEntry, user) -> None:
    if entry.user_id != user.pk:
        raise NotAllowed("leave")
    WaitlistEntry.objects.filter(pk=entry.pk, status=WaitlistStatus.WAITING).update(
        status=WaitlistStatus.LEFT
    )


def offer_freed(*, unit: Unit, ranges: list[tuple[datetime, datetime]], now: datetime) -> list:
    """Offers freed `ranges` (taken ranges, buffers included) to the waitlist.
    Runs inside the transaction that freed them, with the unit locked."""
    from cityhall.notifications.services import notify

    from .selectors import email_context
    from .services import create_booking

    ranges = [(a, b) for a, b in ranges if b > now]
    if not ranges:
        return []
    margin = unit.buffer_before + unit.buffer_after
    overlapping = Q()
    for freed_from, freed_until in ranges:
        overlapping |= Q(start__lt=freed_until + margin, end__gt=freed_from - margin)
    entries = (
        WaitlistEntry.objects.filter(overlapping, unit=unit, status=WaitlistStatus.WAITING)
        .select_related("user")
        .order_by("created_at", "id")
    )
    offers = []
    for entry in entries:
        if entry.start <= now:
            WaitlistEntry.objects.filter(pk=entry.pk).update(status=WaitlistStatus.LAPSED)
            continue
        hold_until = day_hold(unit, entry.start, now)
        try:
            with transaction.atomic():
                booking = create_booking(
                    user=entry.user,
                    unit=unit,
                    times=[(entry.start, entry.end)],
                    details=Details(entry.attendees, entry.purpose, entry.resident),
                    language=entry.language,
                    waitlist_entry=entry,
                    hold_until=hold_until,
                    release_stale=False,  # the unit is locked: see create_booking
                )
        except (SlotTaken, BookingError):
            continue  # someone ahead took an overlapping time, or the rules say no now
        WaitlistEntry.objects.filter(pk=entry.pk).update(
            status=WaitlistStatus.OFFERED, offered_at=now
        )
        notify(
            to=entry.user.email,
            kind="waitlist_offer",
            language=entry.language,
            case=booking.case,
            context=email_context(booking),
        )
        offers.append(booking)
    return offers
