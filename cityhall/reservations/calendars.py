"""What a unit's free times depend on, loaded for a window in a handful of
queries, for one unit or for hundreds at once (the search).

A Calendar holds the facility's weekly hours and dated exceptions, the
unit's staff blocks, and the ranges taken by active bookings (their buffers
included), merged and sorted. Holds whose time ran out are left out: the
next booking releases them (services._release_stale_holds) before it checks.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from .models import Block, HoursException, Occurrence, OpeningHours, Unit
from .timeutil import local_date, wall


def merge(intervals: Iterable[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    merged: list[list[datetime]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(a, b) for a, b in merged]


def subtract(
    intervals: list[tuple[datetime, datetime]], cuts: list[tuple[datetime, datetime]]
) -> list[tuple[datetime, datetime]]:
    result = []
    for start, end in intervals:
        pieces = [(start, end)]
        for cut_start, cut_end in cuts:
            if cut_end <= start or cut_start >= end:
                continue
            next_pieces = []
            for a, b in pieces:
                if cut_end <= a or cut_start >= b:
                    next_pieces.append((a, b))
                    continue
                if a < cut_start:
                    next_pieces.append((a, cut_start))
                if cut_end < b:
                    next_pieces.append((cut_end, b))
            pieces = next_pieces
        result.extend(pieces)
    return result


@dataclass
class Calendar:
    unit: Unit
    hours: dict[int, list[tuple[time, time]]] = field(default_factory=dict)
    exceptions: list[HoursException] = field(default_factory=list)
    blocks: list[tuple[datetime, datetime, str]] = field(default_factory=list)
    busy: list[tuple[datetime, datetime]] = field(default_factory=list)  # merged, sorted
    _busy_ends: list[datetime] = field(default_factory=list)
    # Shared by the calendars of one facility's units (same hours, same exceptions).
    _spans: dict = field(default_factory=dict)

    def finish(self) -> Calendar:
        self.blocks.sort()
        self.busy = merge(self.busy)
        self._busy_ends = [end for _start, end in self.busy]
        return self

    # ---- opening hours ----

    def exception_on(self, day: date) -> HoursException | None:
        found = [e for e in self.exceptions if e.first_day <= day <= e.last_day]
        closed = [e for e in found if e.closed]
        return (closed or found or [None])[0]

    def hours_on(self, day: date) -> list[tuple[time, time]]:
        exception = self.exception_on(day)
        if exception is not None:
            return [] if exception.closed else [(exception.opens, exception.closes)]
        return self.hours.get(day.weekday(), [])

    def day_spans(self, first: datetime, last: datetime) -> list[tuple[datetime, datetime]]:
        """Opening spans of each local day from the day before `first` to the day of
        `last`, in order. Each span's start is where its start-time grid begins."""
        day = local_date(first) - timedelta(days=1)
        final = local_date(last)
        key = (day, final)
        if key in self._spans:
            return self._spans[key]
        spans = []
        while day <= final:
            for opens, closes in self.hours_on(day):
                end_day = day if closes > opens else day + timedelta(days=1)
                spans.append((wall(day, opens), wall(end_day, closes)))
            day += timedelta(days=1)
        spans.sort()
        self._spans[key] = spans
        return spans

    def free_spans(self, first: datetime, last: datetime) -> list[tuple[datetime, datetime]]:
        """Open time (touching days joined), less staff blocks."""
        opened = merge(self.day_spans(first, last))
        return subtract(opened, [(a, b) for a, b, _reason in self.blocks])

    # ---- bookings ----

    def first_busy_after(self, moment: datetime) -> tuple[datetime, datetime] | None:
        """The first taken range that ends after `moment`."""
        index = bisect_right(self._busy_ends, moment)
        return self.busy[index] if index < len(self.busy) else None

    def collides(self, start: datetime, end: datetime) -> bool:
        """Whether [start, end) widened by this unit's buffers touches a taken range."""
        unit = self.unit
        first = self.first_busy_after(start - unit.buffer_before)
        return first is not None and first[0] < end + unit.buffer_after


def load(
    units: list[Unit],
    first: datetime,
    last: datetime,
    *,
    now: datetime,
    exclude_booking: int | None = None,
) -> dict[int, Calendar]:
    """Calendars for `units` (with their facility loaded) covering starts in [first, last)."""
    if not units:
        return {}
    longest = max(u.max_duration + u.buffer_before + u.buffer_after for u in units)
    low = first - longest - timedelta(days=1)
    high = last + longest + timedelta(days=1)
    calendars = {u.pk: Calendar(unit=u) for u in units}
    facility_units = defaultdict(list)
    for unit in units:
        facility_units[unit.facility_id].append(unit.pk)

    hours = defaultdict(lambda: defaultdict(list))
    for facility_id, weekday, opens, closes in OpeningHours.objects.filter(
        facility_id__in=facility_units
    ).values_list("facility_id", "weekday", "opens", "closes"):
        hours[facility_id][weekday].append((opens, closes))
    exceptions = defaultdict(list)
    for exception in HoursException.objects.filter(
        facility_id__in=facility_units,
        first_day__lte=local_date(high) + timedelta(days=1),
        last_day__gte=local_date(low) - timedelta(days=1),
    ):
        exceptions[exception.facility_id].append(exception)
    for facility_id, unit_ids in facility_units.items():
        spans: dict = {}
        for unit_id in unit_ids:
            calendars[unit_id].hours = hours[facility_id]
            calendars[unit_id].exceptions = exceptions[facility_id]
            calendars[unit_id]._spans = spans

    for unit_id, start, end, reason in Block.objects.filter(
        unit_id__in=calendars, end__gt=low, start__lt=high
    ).values_list("unit_id", "start", "end", "reason"):
        calendars[unit_id].blocks.append((start, end, reason))

    # Only taken ranges that can touch a start in [first, last) and its longest booking.
    before = max(u.buffer_before for u in units)
    after = max(u.max_duration + u.buffer_after + u.buffer_before for u in units)
    occurrences = Occurrence.objects.filter(
        active=True,
        unit_id__in=calendars,
        blocked_from__gte=first - longest - before,
        blocked_from__lt=last + after,
        blocked_until__gt=first - before,
    )
    if exclude_booking is not None:
        occurrences = occurrences.exclude(booking_id=exclude_booking)
    for unit_id, blocked_from, blocked_until, held_until in occurrences.order_by().values_list(
        "unit_id", "blocked_from", "blocked_until", "held_until"
    ):
        if held_until is not None and held_until <= now:
            continue  # a hold that ran out: free for the next person
        calendars[unit_id].busy.append((blocked_from, blocked_until))
    return {pk: calendar.finish() for pk, calendar in calendars.items()}


def load_one(
    unit: Unit, first: datetime, last: datetime, *, now: datetime, exclude_booking=None
) -> Calendar:
    return load([unit], first, last, now=now, exclude_booking=exclude_booking)[unit.pk]
