"""Where the KPI code reads its counts from: the rollups (every page and the
API) or the raw cases (the benchmark's comparison, and tests that check the
two agree). Both answer the same two questions for local days start..end."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, datetime, time, timedelta

from django.db import models as db
from django.db.models import Q
from django.utils import timezone

from cityhall.cases.models import Case

from .facts import CASE_FIELDS, fact_from_row, month_of, next_month
from .models import Grain, Rollup, SurveyResponse
from .rollups import COUNTERS, SURVEY_FIELDS, Tally

DAY_FIELDS = ("service", "channel", "day", *COUNTERS)


def full_months(start: date, end: date) -> tuple[date | None, date | None]:
    """First and last calendar month lying wholly inside start..end (or Nones)."""
    first = start if start.day == 1 else next_month(month_of(start))
    if (end + timedelta(days=1)).day == 1:
        last = month_of(end)
    else:
        last = month_of(month_of(end) - timedelta(days=1))
    return (first, last) if first <= last else (None, None)


def segments(start: date, end: date, breakpoints) -> tuple[list[date], list[tuple[date, date]]]:
    """Covers start..end with whole calendar months (their first days) where no
    breakpoint falls after the month's first day, and day ranges elsewhere."""
    cuts = sorted(b for b in set(breakpoints) if start < b <= end)
    months, ranges = [], []
    day = start
    while day <= end:
        month_end = next_month(month_of(day)) - timedelta(days=1)
        stop = min(month_end, end)
        inside = [c for c in cuts if day < c <= stop]
        if day.day == 1 and stop == month_end and not inside:
            months.append(day)
        else:
            stop = inside[0] - timedelta(days=1) if inside else stop
            ranges.append((day, stop))
        day = stop + timedelta(days=1)
    return months, ranges


def _hist(raw: dict) -> Counter:
    return Counter({int(k): v for k, v in raw.items()})


class RollupStore:
    """Reads the maintained rollups."""

    def day_rows(self, services, start: date, end: date):
        return Rollup.objects.filter(
            grain=Grain.DAY, service__in=list(services), day__gte=start, day__lte=end
        ).values_list(*DAY_FIELDS)

    def rows(self, services, start: date, end: date, breakpoints):
        """Counts covering start..end: a monthly row for each whole month without a
        breakpoint inside, daily rows elsewhere; each row's day is its first day."""
        months, ranges = segments(start, end, breakpoints)
        found = []
        base = Rollup.objects.filter(service__in=list(services))
        if months:
            monthly = base.filter(grain=Grain.MONTH, day__in=months)
            found += list(monthly.values_list(*DAY_FIELDS))
        if ranges:
            # Each range of days is summed by the database into one row: costs are
            # constant inside it, so its days need not be told apart.
            spans, which = Q(), []
            for i, (low, high) in enumerate(ranges):
                spans |= Q(day__gte=low, day__lte=high)
                which.append(db.When(day__gte=low, day__lte=high, then=db.Value(i)))
            summed = (
                base.filter(spans, grain=Grain.DAY)
                .annotate(span=db.Case(*which, output_field=db.IntegerField()))
                .values_list("service", "channel", "span")
                .annotate(*(db.Sum(name) for name in COUNTERS))
                .order_by()
            )
            found += [
                (service, channel, ranges[span][0], *sums)
                for service, channel, span, *sums in summed
            ]
        return found

    def histograms(self, services, start: date, end: date, channel: str | None = None):
        """{(service, month): Counter(bucket hours -> decisions)} for days start..end."""
        out: dict[tuple, Counter] = defaultdict(Counter)
        first, last = full_months(start, end)
        base = Rollup.objects.filter(service__in=list(services))
        if channel:
            base = base.filter(channel=channel)
        edges = Q(day__gte=start, day__lte=end)
        if first is not None:
            edges = Q(day__gte=start, day__lt=first) | Q(day__gte=next_month(last), day__lte=end)
            whole = base.filter(grain=Grain.MONTH, day__gte=first, day__lte=last)
            for service, day, hist in whole.values_list("service", "day", "decision_hours"):
                if hist:
                    out[(service, day)].update(_hist(hist))
        daily = base.filter(edges, grain=Grain.DAY).exclude(decided=0)
        for service, day, hist in daily.values_list("service", "day", "decision_hours"):
            out[(service, month_of(day))].update(_hist(hist))
        return out


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    return (
        timezone.make_aware(datetime.combine(start, time.min), zone),
        timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min), zone),
    )


class RawStore:
    """Computes the same answers straight from the cases and survey answers,
    with the same fact code as the rollups (facts.py), and no rollups."""

    def _tally(self, services, start: date, end: date) -> Tally:
        low, high = _bounds(start, end)
        tally = Tally()
        cases = Case.objects.filter(service__in=list(services)).filter(
            Q(created_at__gte=low, created_at__lt=high)
            | Q(submitted_at__gte=low, submitted_at__lt=high)
            | Q(decided_at__gte=low, decided_at__lt=high)
        )
        zone = timezone.get_current_timezone()
        for row in cases.values_list(*CASE_FIELDS).iterator(chunk_size=10000):
            tally.add_fact(fact_from_row(row, zone))
        answers = SurveyResponse.objects.filter(
            service__in=list(services), answered_at__gte=low, answered_at__lt=high
        )
        for answered_at, service, channel, satisfaction, trust in answers.values_list(
            *SURVEY_FIELDS
        ):
            tally.add_survey(
                day=timezone.localtime(answered_at).date(),
                service=service,
                channel=channel,
                satisfaction=satisfaction,
                trust=trust,
            )
        return tally

    def __init__(self):
        self._cache: dict[tuple, Tally] = {}

    def _cached(self, services, start, end) -> Tally:
        wanted = tuple(sorted(services))
        for (names, low, high), tally in self._cache.items():
            if names == wanted and low <= start and end <= high:
                return tally
        tally = self._cache[(wanted, start, end)] = self._tally(services, start, end)
        return tally

    def rows(self, services, start: date, end: date, breakpoints):
        return self.day_rows(services, start, end)

    def day_rows(self, services, start: date, end: date):
        tally = self._cached(services, start, end)
        return [
            (service, channel, day, *(row[name] for name in COUNTERS))
            for (grain, day, service, channel), row in tally.changed()
            if grain == Grain.DAY and start <= day <= end
        ]

    def histograms(self, services, start: date, end: date, channel: str | None = None):
        tally = self._cached(services, start, end)
        out: dict[tuple, Counter] = defaultdict(Counter)
        for (grain, day, service, row_channel), row in tally.changed():
            if grain != Grain.DAY or not (start <= day <= end):
                continue
            if channel and row_channel != channel:
                continue
            out[(service, month_of(day))].update(+row["hist"])
        return out
