"""Reads of free time: a unit's days and weeks, the search across units, the
API's slots, and the alternatives offered when a time was just taken."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Q
from django.utils.translation import gettext as _

from . import calendars, rules
from .calendars import Calendar, merge
from .models import Unit
from .rules import Slot
from .timeutil import fmt_time, local_date, start_of_day, wall

MAX_DAYS = 31


def bookable_units():
    return Unit.objects.filter(active=True, facility__active=True).select_related("facility")


def _units_for_search():
    # One Facility object per facility (not one per unit): fewer objects to build and collect.
    return Unit.objects.filter(active=True, facility__active=True).prefetch_related("facility")


def slots_between(
    unit: Unit, first: datetime, last: datetime, *, now: datetime, resident: bool = True
) -> list[Slot]:
    """The API's availability: free starts in [first, last)."""
    calendar = calendars.load_one(unit, first, last, now=now)
    return rules.grid(calendar, first, last, now=now, resident=resident)


@dataclass
class Day:
    day: date
    slots: list[Slot] = field(default_factory=list)  # free and taken starts
    hours: list[tuple[datetime, datetime]] = field(default_factory=list)
    closed: bool = False
    closure_reason: str = ""  # a holiday or maintenance closure

    @property
    def free(self) -> list[Slot]:
        return [s for s in self.slots if s.free]

    @property
    def free_periods(self) -> list[tuple[datetime, datetime]]:
        return merge((s.start, s.max_end) for s in self.free)

    @property
    def hours_text(self) -> str:
        return _(", and ").join(f"{fmt_time(a)} – {fmt_time(b)}" for a, b in self.hours)


def unit_days(
    unit: Unit, first_day: date, count: int, *, now: datetime, resident: bool = True
) -> list[Day]:
    """Each day's start times (free, and taken ones for the waitlist), hours and closures."""
    first, last = start_of_day(first_day), start_of_day(first_day + timedelta(days=count))
    calendar = calendars.load_one(unit, first, last, now=now)
    by_day = defaultdict(list)
    for slot in rules.grid(calendar, first, last, now=now, resident=resident, include_taken=True):
        by_day[local_date(slot.start)].append(slot)
    days = []
    for offset in range(count):
        day = first_day + timedelta(days=offset)
        days.append(
            Day(
                day=day,
                slots=by_day.get(day, []),
                hours=_hours_of(calendar, day),
                closed=not calendar.hours_on(day),
                closure_reason=_closure_reason(calendar, day),
            )
        )
    return days


def _hours_of(calendar: Calendar, day: date):
    moment = start_of_day(day)
    return [(a, b) for a, b in calendar.day_spans(moment, moment) if local_date(a) == day]


def _closure_reason(calendar: Calendar, day: date) -> str:
    exception = calendar.exception_on(day)
    return exception.reason() if exception is not None and exception.closed else ""


def slot_at(unit: Unit, start: datetime, *, now: datetime, resident: bool = True):
    """(calendar, the slot starting at `start`) or (calendar, None) if it is not a start time."""
    calendar = calendars.load_one(
        unit, start - timedelta(days=1), start + timedelta(days=2), now=now
    )
    for slot in rules.grid(
        calendar,
        start,
        start + timedelta(microseconds=1),
        now=now,
        resident=resident,
        include_taken=True,
    ):
        if slot.start == start:
            return calendar, slot
    return calendar, None


# ---- search -------------------------------------------------------------------


@dataclass
class Result:
    unit: Unit
    slots: list[Slot]
    whole: Slot | None  # free for the whole time asked for
    whole_end: datetime | None = None


def search(
    *,
    day: date,
    time_from: time | None,
    time_to: time | None,
    kind: str = "",
    place: str = "",
    amenities: list[str] = (),
    capacity: int | None = None,
    now: datetime,
    resident: bool = True,
) -> list[Result]:
    """Units with a free start between the times asked for on `day` (all day by default)."""
    units = _units_for_search()
    if kind:
        units = units.filter(kind=kind)
    if place:
        units = units.filter(facility__kind=place)
    if capacity:
        units = units.filter(capacity__gte=capacity)
    for code in amenities:
        units = units.filter(Q(amenities__code=code) | Q(facility__amenities__code=code))
    units = list(units.distinct().order_by("facility__name", "name"))
    first = wall(day, time_from) if time_from else start_of_day(day)
    last = (
        wall(day, time_to)
        if time_to and time_to > (time_from or time(0))
        else start_of_day(day + timedelta(days=1))
    )
    results = []
    for calendar in calendars.load(units, first, last, now=now).values():
        slots = rules.grid(calendar, first, last, now=now, resident=resident)
        if not slots:
            continue
        whole = next(
            (
                s
                for s in slots
                if s.start == first
                and s.max_end >= last
                and last - first >= calendar.unit.min_duration
            ),
            None,
        )
        results.append(
            Result(
                unit=calendar.unit,
                slots=slots,
                whole=whole,
                whole_end=min(last, first + calendar.unit.max_duration) if whole else None,
            )
        )
    results.sort(key=lambda r: (r.whole is None, r.unit.facility.name, r.unit.name))
    return results


# ---- when a time was just taken -------------------------------------------------


@dataclass(frozen=True)
class Alternative:
    unit: Unit
    start: datetime
    end: datetime


def alternatives(
    *, unit: Unit, start: datetime, end: datetime, attendees: int, now: datetime, limit: int = 3
) -> list[Alternative]:
    """The nearest free times of the same length on the same unit (that day and
    the next two), then other units of the same kind free at the same time."""
    length = end - start
    found: list[Alternative] = []
    if length > timedelta(0):
        first = start_of_day(local_date(start))
        last = start_of_day(local_date(start) + timedelta(days=3))
        calendar = calendars.load_one(unit, first, last, now=now)
        near = [
            s
            for s in rules.grid(calendar, first, last, now=now)
            if s.max_end - s.start >= length and s.start != start
        ]
        near.sort(key=lambda s: abs(s.start - start))
        found += [Alternative(unit, s.start, s.start + length) for s in near[:limit]]
        others = list(
            bookable_units()
            .filter(kind=unit.kind, capacity__gte=max(attendees or 1, 1))
            .exclude(pk=unit.pk)
            .order_by("facility__name", "name")[:30]
        )
        for calendar in calendars.load(others, start, end, now=now).values():
            if len(found) >= 2 * limit:
                break
            if rules.problems(calendar, start, end, now=now) or calendar.collides(start, end):
                continue
            found.append(Alternative(calendar.unit, start, end))
    return found
