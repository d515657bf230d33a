"""A unit's rules applied to times: which start times are free, and what is
wrong with a requested time. Pure functions over a loaded Calendar, so the
calendar pages, the search, the API and the booking service agree.

- Opening hours (with dated exceptions) less staff blocks bound every booking.
- Start times follow a grid from each day's opening time, every
  `start_interval_minutes`; a booking ends on the grid or at closing time.
- Lengths are real elapsed time: 1:00-4:00 a.m. on the night clocks go
  forward is two hours.
- The taken range of a booking is its time widened by the unit's buffers;
  taken ranges never overlap.
- Booking opens `opens_days_ahead` days ahead (whole local days; residents
  `residents_first_days` earlier than everyone else) and closes
  `closes_hours_before` hours before the start.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .calendars import Calendar
from .errors import NON_FIELD
from .timeutil import (
    fmt_date,
    fmt_duration,
    fmt_time,
    local_date,
    next_midnight,
    start_of_day,
)

TINY = timedelta(microseconds=1)


@dataclass(frozen=True)
class Slot:
    """A bookable start: [start, end) is the shortest booking; it may run to `max_end`."""

    start: datetime
    end: datetime
    max_end: datetime
    free: bool = True  # False: taken by a booking (the waitlist is open)


def booking_window(unit, now: datetime, *, resident: bool) -> tuple[datetime, datetime]:
    """(earliest start, first start too far ahead) for this person."""
    days = unit.opens_days_ahead - (0 if resident else unit.residents_first_days)
    earliest = now + timedelta(hours=unit.closes_hours_before)
    latest = start_of_day(local_date(now) + timedelta(days=max(days, 0) + 1))
    return earliest, latest


def _floor_to_grid(moment: datetime, base: datetime, step: timedelta) -> datetime:
    return base + ((moment - base) // step) * step


def grid(
    calendar: Calendar,
    first: datetime,
    last: datetime,
    *,
    now: datetime,
    resident: bool = True,
    include_taken: bool = False,
) -> list[Slot]:
    """Start times in [first, last) that respect every rule; with `include_taken`,
    also those only a booking stands in the way of (for the waitlist)."""
    unit = calendar.unit
    earliest, latest = booking_window(unit, now, resident=resident)
    low, high = max(first, earliest, now), min(last, latest)
    if low >= high or not unit.active:
        return []
    step = unit.interval
    free_spans = calendar.free_spans(low, high + unit.max_duration)
    free_ends = [end for _start, end in free_spans]
    slots = []
    for base, day_end in calendar.day_spans(low, high):
        if day_end <= low or base >= high:
            continue
        start = base if base >= low else base + -((base - low) // step) * step
        while start < min(day_end, high):
            index = bisect_right(free_ends, start)
            if index >= len(free_spans):
                break
            free_start, free_end = free_spans[index]
            if free_start > start:
                start = _next_on_grid(free_start, base, step)
                continue
            slot = _slot_at(calendar, start, base, free_end)
            if slot is not None and (slot.free or include_taken):
                slots.append(slot)
            start += step
    slots.sort(key=lambda s: s.start)
    # Touching days can yield the same start twice (an all-night span).
    unique, seen = [], set()
    for slot in slots:
        if slot.start not in seen:
            seen.add(slot.start)
            unique.append(slot)
    return unique


def _next_on_grid(moment: datetime, base: datetime, step: timedelta) -> datetime:
    floored = _floor_to_grid(moment, base, step)
    return floored if floored == moment else floored + step


def _slot_at(calendar: Calendar, start: datetime, base: datetime, free_end: datetime):
    unit = calendar.unit
    limit = min(free_end, start + unit.max_duration)
    if not unit.allow_overnight:
        limit = min(limit, next_midnight(start))
    if limit - start < unit.min_duration:
        return None  # too close to closing time
    if limit != free_end:
        limit = _floor_to_grid(limit, base, unit.interval)
    shortest = start + unit.min_duration
    if calendar.collides(start, shortest):
        # Taken: `max_end` is as long as it could be were it free (for the waitlist).
        return Slot(start, shortest, limit, free=False)
    after = calendar.first_busy_after(start - unit.buffer_before)
    if after is not None and after[0] - unit.buffer_after < limit:
        limit = _floor_to_grid(after[0] - unit.buffer_after, base, unit.interval)
    if limit - start < unit.min_duration:
        return Slot(start, shortest, shortest, free=False)
    return Slot(start, shortest, limit)


def ends_for(calendar: Calendar, slot: Slot) -> list[datetime]:
    """Every end a booking starting at `slot.start` may have, shortest first."""
    unit = calendar.unit
    ends, end = [], slot.end
    while end <= slot.max_end:
        ends.append(end)
        end += unit.interval
    if slot.max_end not in ends and slot.max_end - slot.start <= unit.max_duration:
        ends.append(slot.max_end)  # closing time off the grid
    return ends


# ---- what is wrong with a requested time -----------------------------------


def problems(
    calendar: Calendar,
    start: datetime,
    end: datetime,
    *,
    now: datetime,
    resident: bool = True,
    attendees: int | None = None,
) -> dict[str, list[str]]:
    """{field: [messages]} for a requested time; empty when every rule is met
    (bookings in the way are checked separately, under the unit's lock)."""
    unit = calendar.unit
    errors: dict[str, list[str]] = {}

    def add(field, message):
        errors.setdefault(field, []).append(message)

    if attendees is not None:
        if attendees < 1:
            add("attendees", _("Enter how many people will come: at least 1."))
        elif attendees > unit.capacity:
            add(
                "attendees",
                ngettext(
                    "%(unit)s holds at most %(count)d person.",
                    "%(unit)s holds at most %(count)d people.",
                    unit.capacity,
                )
                % {"unit": unit.name, "count": unit.capacity},
            )
    if not (unit.active and unit.facility.active):
        add(NON_FIELD, _("This space cannot be booked online. Call the city to book it."))
        return errors
    if end <= start:
        add("end", _("The end must be after the start."))
        return errors
    if start < now:
        add("start", _("This time has already passed. Choose a time from now on."))
        return errors

    length = end - start
    if length < unit.min_duration:
        add(
            "end",
            _("Book at least %(length)s (this is %(asked)s).")
            % {"length": fmt_duration(unit.min_duration), "asked": fmt_duration(length)},
        )
    elif length > unit.max_duration:
        add(
            "end",
            _("Book at most %(length)s at a time (this is %(asked)s).")
            % {"length": fmt_duration(unit.max_duration), "asked": fmt_duration(length)},
        )
    if not unit.allow_overnight and local_date(end - TINY) != local_date(start):
        add(
            "end",
            _("Bookings of %(unit)s must end by midnight on the day they start.")
            % {"unit": unit.name},
        )
    _check_hours(calendar, start, end, add)
    _check_window(unit, start, now=now, resident=resident, add=add)
    return errors


def _day_span(calendar: Calendar, moment: datetime):
    for base, day_end in calendar.day_spans(moment, moment):
        if base <= moment < day_end:
            return base, day_end
    return None


def _check_hours(calendar: Calendar, start: datetime, end: datetime, add) -> None:
    unit = calendar.unit
    span = _day_span(calendar, start)
    if span is None:
        add("start", _closed_message(calendar, start))
        return
    base, _day_end = span
    free = next((s for s in calendar.free_spans(start, end) if s[0] <= start < s[1]), None)
    if free is None:
        reason = next((r for a, b, r in calendar.blocks if a <= start < b), "")
        add(
            "start",
            _("%(unit)s is not available at %(time)s on %(date)s: %(reason)s.")
            % {
                "unit": unit.name,
                "time": fmt_time(start, zone=True),
                "date": fmt_date(start),
                "reason": reason,
            },
        )
        return
    free_end = free[1]
    if end > free_end:
        block = next((b for b in calendar.blocks if b[0] == free_end), None)
        if block is not None:
            add(
                "end",
                _("%(unit)s is not available from %(time)s: %(reason)s. Choose an earlier end.")
                % {"unit": unit.name, "time": fmt_time(free_end), "reason": block[2]},
            )
        else:
            add(
                "end",
                _("%(facility)s closes at %(time)s on %(date)s. Choose an earlier end.")
                % {
                    "facility": unit.facility.name,
                    "time": fmt_time(free_end),
                    "date": fmt_date(free_end - TINY),
                },
            )
    step = unit.interval
    if (start - base) % step:
        before = _floor_to_grid(start, base, step)
        add(
            "start",
            _(
                "Bookings of %(unit)s start every %(minutes)d minutes from opening time: "
                "for example %(before)s or %(after)s."
            )
            % {
                "unit": unit.name,
                "minutes": unit.start_interval_minutes,
                "before": fmt_time(before),
                "after": fmt_time(before + step),
            },
        )
    elif (end - base) % step and end != free_end:
        add(
            "end",
            _("Bookings of %(unit)s last whole steps of %(minutes)d minutes.")
            % {"unit": unit.name, "minutes": unit.start_interval_minutes},
        )


def _closed_message(calendar: Calendar, start: datetime) -> str:
    facility = calendar.unit.facility
    day = local_date(start)
    exception = calendar.exception_on(day)
    if exception is not None and exception.closed:
        return _("%(facility)s is closed on %(date)s: %(reason)s.") % {
            "facility": facility.name,
            "date": fmt_date(day),
            "reason": exception.reason(),
        }
    hours = calendar.hours_on(day)
    if not hours:
        return _("%(facility)s is closed on %(date)s.") % {
            "facility": facility.name,
            "date": fmt_date(day),
        }
    spans = [
        f"{fmt_time(a)} – {fmt_time(b)}"
        for a, b in calendar.day_spans(start, start)
        if local_date(a) == day
    ]
    return _(
        "%(time)s on %(date)s is outside opening hours. That day %(facility)s is open %(hours)s."
    ) % {
        "time": fmt_time(start, zone=True),
        "date": fmt_date(day),
        "facility": facility.name,
        "hours": _(", and ").join(spans),
    }


def _check_window(unit, start: datetime, *, now: datetime, resident: bool, add) -> None:
    earliest, latest = booking_window(unit, now, resident=resident)
    if start < earliest:
        add(
            "start",
            ngettext(
                "Online booking closes %(hours)d hour before the start. Call %(phone)s to book.",
                "Online booking closes %(hours)d hours before the start. Call %(phone)s to book.",
                unit.closes_hours_before,
            )
            % {
                "hours": unit.closes_hours_before,
                "phone": unit.facility.phone or _("the city"),
            },
        )
        return
    if start < latest:
        return
    everyone_latest = booking_window(unit, now, resident=True)[1]
    opens_on = local_date(start) - timedelta(
        days=unit.opens_days_ahead - (0 if resident else unit.residents_first_days)
    )
    if not resident and start < everyone_latest:
        add(
            "start",
            _(
                "Until %(date)s only residents of the city can book this time. Everyone can "
                "book it from %(date)s."
            )
            % {"date": fmt_date(opens_on)},
        )
        return
    add(
        "start",
        ngettext(
            "That is too far ahead: booking opens %(days)d day before. You can book this time "
            "from %(date)s.",
            "That is too far ahead: booking opens %(days)d days before. You can book this time "
            "from %(date)s.",
            unit.opens_days_ahead,
        )
        % {"days": unit.opens_days_ahead, "date": fmt_date(opens_on)},
    )
