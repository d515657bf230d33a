"""The shapes KPIs are reported in, and the rounding rules (one place).

Money: exact fractions of a cent while computing (Fraction: no rounding at
all, so adding day by day or month by month gives the same result), whole
cents (half away from zero) on output.
Ratios: 4 decimal places (0.6667 is 66.67%). Means of 1-5 answers: 2 places.
Percentiles: nearest rank over the decision-time histogram (facts.bucket_hours).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from .facts import month_of, next_month

RATIO = Decimal("0.0001")
MEAN = Decimal("0.01")


def _half_up(value: Fraction) -> int:
    """Nearest integer, halves away from zero (as Decimal's ROUND_HALF_UP)."""
    whole = (abs(value.numerator) * 2 + value.denominator) // (2 * value.denominator)
    return whole if value >= 0 else -whole


def cents(value) -> int | None:
    if value is None:
        return None
    return _half_up(Fraction(value))


def ratio(numerator, denominator) -> Decimal | None:
    if not denominator:
        return None
    scaled = _half_up(Fraction(numerator) / Fraction(denominator) * 10000)
    return (Decimal(scaled) / 10000).quantize(RATIO)


def mean(total, count) -> Decimal | None:
    if not count:
        return None
    return (Decimal(total) / Decimal(count)).quantize(MEAN, rounding=ROUND_HALF_UP)


def percentile(hist: Counter, pct: int) -> int | None:
    """Nearest rank: the smallest value with at least pct% of observations at or below it."""
    total = sum(hist.values())
    if total <= 0:
        return None
    rank = max(1, -(-pct * total // 100))  # ceil(pct x n / 100)
    seen = 0
    for value in sorted(hist):
        seen += hist[value]
        if seen >= rank:
            return value
    return None


@dataclass
class ChannelFigures:
    channel: str
    started: int = 0
    completed: int = 0
    costed: int = 0  # completed transactions with a cost model on their day
    staff: Fraction = Fraction(0)
    cash: Fraction = Fraction(0)
    running: Fraction = Fraction(0)
    resident: Fraction = Fraction(0)

    @property
    def total(self) -> Fraction:
        return self.staff + self.cash + self.running

    def get_label(self):
        from cityhall.cases.models import Channel

        return Channel(self.channel).label

    @property
    def cost_per_transaction_cents(self) -> int | None:
        return cents(self.total / self.costed) if self.costed else None

    @property
    def resident_cost_per_transaction_cents(self) -> int | None:
        return cents(self.resident / self.costed) if self.costed else None

    def as_dict(self) -> dict:
        return {
            "channel": self.channel,
            "started": self.started,
            "completed": self.completed,
            "costed_transactions": self.costed,
            "staff_cost": cents(self.staff),
            "cash_cost": cents(self.cash),
            "running_cost": cents(self.running),
            "total_cost": cents(self.total),
            "cost_per_transaction": self.cost_per_transaction_cents,
            "resident_cost_per_transaction": self.resident_cost_per_transaction_cents,
        }


@dataclass
class Savings:
    """What the online transactions saved against the offline mix.

    hard = cash saved - digital running costs (+ staff time when redeployed)
    soft = residents' time and travel (+ staff time when not redeployed)
    They are never added together here."""

    cash: Fraction = Fraction(0)
    staff_hard: Fraction = Fraction(0)
    staff_soft: Fraction = Fraction(0)
    resident: Fraction = Fraction(0)
    running: Fraction = Fraction(0)
    online: int = 0  # online transactions counted
    uncosted: int = 0  # online transactions without a cost model for them or the baseline
    days: int = 0  # days the digital service was live

    def times(self, n: int) -> Savings:
        """This saving (of one transaction) for n transactions."""
        return Savings(
            cash=self.cash * n,
            staff_hard=self.staff_hard * n,
            staff_soft=self.staff_soft * n,
            resident=self.resident * n,
            running=self.running * n,
            online=self.online * n,
            uncosted=self.uncosted * n,
            days=self.days,
        )

    @property
    def hard(self) -> Fraction:
        return self.cash + self.staff_hard - self.running

    @property
    def soft(self) -> Fraction:
        return self.resident + self.staff_soft

    def __iadd__(self, other: Savings) -> Savings:
        self.cash += other.cash
        self.staff_hard += other.staff_hard
        self.staff_soft += other.staff_soft
        self.resident += other.resident
        self.running += other.running
        self.online += other.online
        self.uncosted += other.uncosted
        self.days += other.days
        return self

    def as_dict(self) -> dict:
        return {
            "hard_savings": cents(self.hard),
            "soft_savings": cents(self.soft),
            "cash_saved": cents(self.cash),
            "staff_time_saved_hard": cents(self.staff_hard),
            "staff_time_saved_soft": cents(self.staff_soft),
            "resident_time_and_travel_saved": cents(self.resident),
            "digital_running_costs": cents(self.running),
            "online_transactions_counted": self.online,
            "online_transactions_uncosted": self.uncosted,
            "days_live": self.days,
        }


@dataclass
class MonthFigures:
    month: date
    started: int = 0
    completed: int = 0
    online_completed: int = 0
    by_channel: Counter = field(default_factory=Counter)  # completed per channel
    surveys: int = 0
    satisfaction_sum: int = 0
    city_cost: Fraction = Fraction(0)
    costed: int = 0
    savings: Savings = field(default_factory=Savings)
    median_hours: int | None = None

    @property
    def digital_take_up(self) -> Decimal | None:
        return ratio(self.online_completed, sum(self.by_channel.values()))

    @property
    def cost_per_transaction_cents(self) -> int | None:
        return cents(self.city_cost / self.costed) if self.costed else None

    @property
    def satisfaction(self) -> Decimal | None:
        return mean(self.satisfaction_sum, self.surveys)

    def as_dict(self) -> dict:
        return {
            "month": self.month.isoformat()[:7],
            "started": self.started,
            "completed": self.completed,
            "completed_by_channel": dict(sorted(self.by_channel.items())),
            "digital_take_up": self.digital_take_up,
            "cost_per_transaction": self.cost_per_transaction_cents,
            "median_hours_to_decision": self.median_hours,
            "satisfaction": self.satisfaction,
            "hard_savings": cents(self.savings.hard),
            "soft_savings": cents(self.savings.soft),
        }


@dataclass
class ServiceKpis:
    service: str
    name: str
    start: date
    end: date
    channel: str | None
    counts: Counter = field(default_factory=Counter)
    online_completed: int = 0
    all_completed: int = 0
    hist: Counter = field(default_factory=Counter)
    target_hours: int = 0
    channels: dict[str, ChannelFigures] = field(default_factory=dict)
    savings: Savings = field(default_factory=Savings)
    savings_to_date: Savings = field(default_factory=Savings)
    months: list[MonthFigures] = field(default_factory=list)
    launched_on: date | None = None
    build_cost_cents: int = 0
    weights: dict[str, Fraction] = field(default_factory=dict)
    weights_from: str = ""
    payback_months: int | None = None
    payback_projected: bool = False
    missing_rates: list[str] = field(default_factory=list)

    # ---- the KPIs -------------------------------------------------------------
    @property
    def started(self) -> int:
        return self.counts["started"]

    @property
    def completed(self) -> int:
        return self.counts["completed"]

    @property
    def completion_rate(self):
        return ratio(self.completed, self.started)

    @property
    def digital_take_up(self):
        return ratio(self.online_completed, self.all_completed)

    @property
    def median_hours(self):
        return percentile(self.hist, 50)

    @property
    def p90_hours(self):
        return percentile(self.hist, 90)

    @property
    def within_target_share(self):
        return ratio(self.counts["within_target"], self.counts["decided"])

    @property
    def satisfaction(self):
        return mean(self.counts["satisfaction_sum"], self.counts["surveys"])

    @property
    def satisfied_share(self):
        return ratio(self.counts["satisfied"], self.counts["surveys"])

    @property
    def trust(self):
        return mean(self.counts["trust_sum"], self.counts["surveys"])

    @property
    def cost_per_transaction_cents(self):
        costed = sum(c.costed for c in self.channels.values())
        total = sum((c.total for c in self.channels.values()), Fraction(0))
        return cents(total / costed) if costed else None

    @property
    def roi(self):
        if not self.build_cost_cents:
            return None
        return ratio(self.savings_to_date.hard - self.build_cost_cents, self.build_cost_cents)

    @property
    def payback_month(self) -> date | None:
        if self.payback_months is None or self.launched_on is None:
            return None
        month = month_of(self.launched_on)
        for _ in range(self.payback_months - 1):
            month = next_month(month)
        return month

    def projected_annual(self, amount: Fraction) -> int | None:
        if not self.savings.days:
            return None
        return cents(amount * 365 / self.savings.days)

    @property
    def projected_annual_hard_cents(self):
        return self.projected_annual(self.savings.hard)

    @property
    def projected_annual_soft_cents(self):
        return self.projected_annual(self.savings.soft)
