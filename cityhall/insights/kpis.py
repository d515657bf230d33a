"""KPIs per service, channel and period, from rollups (or raw cases).

Definitions (also in docs/insights.md), for the local days start..end, end
capped at today:

- started, completed: cases opened / submitted on those days (facts.py)
- completion rate    = completed / started
- digital take-up    = online completed / completed on all channels (always
                       over every channel, whatever the channel filter)
- median, p90 time to decision: nearest rank over the decisions made in the
  period (hours; exact below 72 h, whole days above)
- within target      = decisions by the promised date / decisions
- cost per transaction (channel c) = (staff + cash [+ running costs when c is
  online]) / completed transactions on c with a cost model; blended = all
  channels' costs / all costed transactions (GOV.UK method)
- satisfaction       = mean of the 1-5 answers given in the period; trust too
- savings: each online transaction is compared with what it would have cost
  on the offline channels, weighted by the offline mix of the 365 days
  before launch (else of the offline transactions since launch, else equal
  weights): cash saved and (when redeployed) staff time are hard savings, less
  the digital running costs; residents' time and travel, and staff time not
  redeployed, are soft. Hard and soft are reported apart, never summed.
- savings to date    = the same from launch to the period's end
- ROI                = (hard savings to date - build cost) / build cost
- payback month      = the first month, counting the launch month as 1, in
                       which cumulative hard savings reach the build cost; if
                       not yet, projected from the hard savings per day of the
                       last three months of the series
- projected annual savings = savings in the period / days live in it x 365
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

from django.utils import timezone

from cityhall.cases import registry
from cityhall.cases.models import Channel
from cityhall.core.replicas import on_replica

from .costs import CostBook
from .facts import month_of, next_month
from .figures import ChannelFigures, MonthFigures, Savings, ServiceKpis, percentile
from .rollups import COUNTERS
from .stores import RollupStore

__all__ = ["Ask", "ServiceKpis", "compute", "compute_all", "service_kpis"]

ONLINE = Channel.ONLINE
OFFLINE = tuple(c for c in Channel.values if c != ONLINE)
BASELINE_DAYS = 365


def _days(start: date, end: date):
    day = start
    while day <= end:
        yield day
        day += timedelta(days=1)


class _ServiceComputation:
    """One service's pass over its rows (already fetched).

    The pass only counts (integers), grouped by what a transaction cost on its
    day; the exact fraction arithmetic then runs once per group, not per row."""

    def __init__(self, kpis: ServiceKpis, book: CostBook, rows, today: date):
        self.k, self.book, self.rows = kpis, book, rows
        self.today = today
        # (month, channel, unit cost) -> completed transactions in the period
        self.costed: Counter = Counter()
        # (month, in period?, per-transaction saving key) -> online transactions
        self.saved: Counter = Counter()
        self._per_unit: dict[tuple, Savings] = {}

    def run(self) -> None:
        k = self.k
        launch = k.launched_on
        months = {m: MonthFigures(month=m) for m in self._months(k.start, k.end)}
        for channel in Channel.values:
            if not k.channel or channel == k.channel:
                k.channels[channel] = ChannelFigures(channel=channel)
        if launch:
            self._weights(launch)
        for _service, channel, day, *values in self.rows:
            counts = dict(zip(COUNTERS, values, strict=True))
            in_period = k.start <= day <= k.end
            if in_period:
                self._count(months[month_of(day)], channel, day, counts)
            if launch and launch <= day <= k.end and channel == ONLINE and counts["completed"]:
                key = self._saving_key(day)
                self.saved[(month_of(day), in_period, key)] += counts["completed"]
        self._costs(months)
        to_date_months: dict[date, Savings] = defaultdict(Savings)
        for (month, in_period, key), online in self.saved.items():
            saved = self._per_unit[key].times(online)
            to_date_months[month] += saved
            if in_period:
                k.savings += saved
                months[month].savings += saved
        if launch:
            self._running(launch, months, to_date_months)
            for saved in to_date_months.values():
                k.savings_to_date += saved
            self._payback(to_date_months)
        k.months = [months[m] for m in sorted(months)]
        k.missing_rates = sorted(self.book.missing_rates)

    @staticmethod
    def _months(start, end):
        month = month_of(start)
        while month <= end:
            yield month
            month = next_month(month)

    def _count(self, month: MonthFigures, channel: str, day: date, counts: dict) -> None:
        k = self.k
        completed = counts["completed"]
        k.all_completed += completed
        month.by_channel[channel] += completed
        if channel == ONLINE:
            k.online_completed += completed
            month.online_completed += completed
        if k.channel and channel != k.channel:
            return
        k.counts.update({name: value for name, value in counts.items() if value})
        month.started += counts["started"]
        month.completed += completed
        month.surveys += counts["surveys"]
        month.satisfaction_sum += counts["satisfaction_sum"]
        figures = k.channels[channel]
        figures.started += counts["started"]
        figures.completed += completed
        if completed:
            unit = self.book.unit(k.service, channel, day)
            if unit is not None:
                self.costed[(month.month, channel, unit)] += completed

    def _costs(self, months) -> None:
        for (month, channel, unit), n in self.costed.items():
            figures = self.k.channels[channel]
            figures.costed += n
            figures.staff += unit.staff * n
            figures.cash += unit.cash * n
            figures.resident += unit.resident * n
            months[month].costed += n
            months[month].city_cost += unit.city * n

    def _weights(self, launch: date) -> None:
        """The offline mix an online transaction is compared with (see module doc)."""
        k = self.k
        before = Counter()
        since = Counter()
        for _service, channel, day, *values in self.rows:
            if channel == ONLINE:
                continue
            completed = values[COUNTERS.index("completed")]
            if launch - timedelta(days=BASELINE_DAYS) <= day < launch:
                before[channel] += completed
            elif launch <= day <= k.end:
                since[channel] += completed
        for source, mix in (("before_launch", before), ("since_launch", since)):
            total = sum(mix.values())
            if total:
                k.weights = {c: Fraction(n, total) for c, n in sorted(mix.items()) if n}
                k.weights_from = source
                return
        modelled = [c for c in OFFLINE if self.book.model(k.service, c, launch)]
        if modelled:
            k.weights = {c: Fraction(1, len(modelled)) for c in modelled}
            k.weights_from = "equal"

    def _saving_key(self, day: date) -> tuple:
        """What one online transaction saved on this day, memoised by its inputs."""
        k, book = self.k, self.book
        unit = book.unit(k.service, ONLINE, day)
        baseline = tuple(book.unit(k.service, c, day) for c in k.weights)
        # Unit costs are shared objects (CostBook), so identity is a cheap key.
        key = (unit, baseline, book.redeployed(k.service, day))
        if key not in self._per_unit:
            weighted = tuple(zip(k.weights.values(), baseline, strict=True))
            self._per_unit[key] = self._one_saving(unit, weighted, key[2])
        return key

    @staticmethod
    def _one_saving(unit, baseline, redeployed: bool) -> Savings:
        saved = Savings()
        if unit is None or not baseline or any(b is None for _w, b in baseline):
            saved.uncosted = 1
            return saved
        staff = sum((w * b.staff for w, b in baseline), Fraction(0)) - unit.staff
        saved.cash = sum((w * b.cash for w, b in baseline), Fraction(0)) - unit.cash
        saved.resident = sum((w * b.resident for w, b in baseline), Fraction(0)) - unit.resident
        saved.online = 1
        if redeployed:
            saved.staff_hard = staff
        else:
            saved.staff_soft = staff
        return saved

    def _running(self, launch, months, to_date_months) -> None:
        """Running costs day by day (rates may change any day), added once a month."""
        k = self.k
        online = k.channels.get(ONLINE)
        days: Counter = Counter()
        for day in _days(launch, k.end):
            days[(month_of(day), day >= k.start, self.book.running_source(k.service, day))] += 1
        for (month, in_period, source), n in days.items():
            live = Savings(running=self.book.running_per_day(source) * n, days=n)
            to_date_months[month] += live
            if in_period:
                k.savings += live
                months[month].savings += live
                if online is not None:
                    online.running += live.running
                    months[month].city_cost += live.running

    def _payback(self, to_date_months: dict[date, Savings]) -> None:
        k = self.k
        if not k.build_cost_cents:
            return
        series = [to_date_months[m] for m in sorted(to_date_months)]
        cumulative = Fraction(0)
        for index, saved in enumerate(series, start=1):
            cumulative += saved.hard
            if cumulative >= k.build_cost_cents:
                k.payback_months = index
                return
        recent = series[-3:]
        per_day = sum((s.hard for s in recent), Fraction(0)) / max(sum(s.days for s in recent), 1)
        if per_day <= 0:
            return
        remaining_days = (k.build_cost_cents - cumulative) / per_day
        # Months still to go at 365/12 days a month, on top of the months so far.
        k.payback_months = len(series) + math.ceil(remaining_days * 12 / 365)
        k.payback_projected = True


@dataclass(frozen=True)
class Ask:
    """One set of KPIs wanted: these services over start..end (channel filter,
    with or without the time-to-decision histograms)."""

    services: tuple[str, ...] | None
    start: date
    end: date
    channel: str | None = None
    histograms: bool = True


def _prepare(ask: Ask, book: CostBook, today: date) -> list[ServiceKpis]:
    end = min(ask.end, today)
    codes = ask.services
    if codes is None:
        codes = tuple(s.code for s in registry.all_services())
    results = []
    for code in codes:
        kpis = ServiceKpis(service=code, name=code, start=ask.start, end=end, channel=ask.channel)
        try:
            service_type = registry.get(code)
            kpis.name = str(service_type.name)
            kpis.target_hours = int(service_type.target_time.total_seconds() // 3600)
        except LookupError:
            pass
        digital = book.digital(code, end) or book.latest_digital(code)
        if digital is not None:
            kpis.launched_on = digital.launched_on
            kpis.build_cost_cents = digital.build_cost_cents
        results.append(kpis)
    return results


# The heaviest read the city serves, and a few seconds' lag does not matter here.
@on_replica
def compute_all(asks: list[Ask], *, store=None, today: date | None = None) -> list[list]:
    """KPIs for several asks (the dashboard and its pilots) from one read of the
    rollups: the cost inputs are read once, and the rows once for all periods."""
    today = today or timezone.localdate()
    store = store or RollupStore()
    prepared = []
    codes: set[str] = set()
    for ask in asks:
        wanted = ask.services
        codes |= set(wanted if wanted is not None else (s.code for s in registry.all_services()))
    book = CostBook(codes)
    for ask in asks:
        prepared.append(_prepare(ask, book, today))
    # Cost inputs are constant between these days, so whole months between them
    # can be read as one monthly row each (see stores.segments).
    breakpoints = set(book.effective_dates())
    earliest, latest = None, None
    for results in prepared:
        for k in results:
            if k.start > k.end:
                continue
            breakpoints |= {k.start, k.end + timedelta(days=1)}
            low = k.start
            if k.launched_on:
                baseline = k.launched_on - timedelta(days=BASELINE_DAYS)
                breakpoints |= {k.launched_on, baseline}
                low = min(low, baseline)
            earliest = low if earliest is None else min(earliest, low)
            latest = k.end if latest is None else max(latest, k.end)
    rows_by_service = defaultdict(list)
    if earliest is not None:
        for row in store.rows(sorted(codes), earliest, latest, breakpoints):
            rows_by_service[row[0]].append(row)
    for ask, results in zip(asks, prepared, strict=True):
        if not results or results[0].start > results[0].end:
            continue
        first = results[0]
        hists = {}
        if ask.histograms:
            hists = store.histograms(
                [k.service for k in results], first.start, first.end, ask.channel
            )
        for kpis in results:
            _ServiceComputation(kpis, book, rows_by_service[kpis.service], today).run()
            for month in kpis.months:
                hist = hists.get((kpis.service, month.month), Counter())
                month.median_hours = percentile(hist, 50)
                kpis.hist.update(hist)
    return prepared


def compute(
    services=None,
    *,
    start: date,
    end: date,
    channel: str | None = None,
    store=None,
    today: date | None = None,
    histograms: bool = True,
) -> list[ServiceKpis]:
    """KPIs for each service code (default: every registered service)."""
    codes = tuple(services) if services is not None else None
    ask = Ask(codes, start, end, channel, histograms)
    return compute_all([ask], store=store, today=today)[0]


def service_kpis(code: str, *, start: date, end: date, **options) -> ServiceKpis:
    return compute([code], start=start, end=end, **options)[0]
