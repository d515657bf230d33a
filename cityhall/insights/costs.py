"""Unit costs per transaction from the dated cost inputs (the GOV.UK
cost-per-transaction method: every cost of delivering a transaction on a
channel, divided by the transactions completed on it).

For a service s, a channel c and a local day d, with the rows in effect on d
(the newest `effective_from` <= d):

    staff(s, c, d)    = sum over steps (intake, review, issue) of
                        minutes x loaded hourly rate of the step's role / 60
    cash(s, c, d)     = paper + postage + printing + payment fee
    resident(s, c, d) = resident minutes x value of a resident hour / 60 + travel
    running(s, d)     = (hosting + support per month) x 12 / 365   for d >= launch

All in cents, as exact Fractions; rounding to whole cents happens once, on output.
A step with minutes but no rate for its role is costed at 0 and reported in
`missing_rates`.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from .models import CostModel, DigitalServiceCost, StaffRate

ZERO = Fraction(0)


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: CostBook reuses them
class UnitCost:
    """What one completed transaction costs: the city's staff time and cash
    (hard), and the resident's time and travel (soft)."""

    staff: Fraction
    cash: Fraction
    resident: Fraction

    @property
    def city(self) -> Fraction:
        return self.staff + self.cash


class _Dated:
    """Rows sorted by effective_from: the one in effect on a day, by bisection."""

    def __init__(self, rows):
        self.rows = sorted(rows, key=lambda r: r.effective_from)
        self.starts = [r.effective_from for r in self.rows]

    def on(self, day: date):
        i = bisect_right(self.starts, day)
        return self.rows[i - 1] if i else None


class CostBook:
    """The cost inputs for some services, loaded once per computation."""

    def __init__(self, services):
        services = list(services)
        by_key = defaultdict(list)
        for model in CostModel.objects.filter(service__in=services):
            by_key[(model.service, model.channel)].append(model)
        self.models = {key: _Dated(rows) for key, rows in by_key.items()}
        by_role = defaultdict(list)
        for rate in StaffRate.objects.all():
            by_role[rate.role].append(rate)
        self.rates = {role: _Dated(rows) for role, rows in by_role.items()}
        by_service = defaultdict(list)
        for row in DigitalServiceCost.objects.filter(service__in=services):
            by_service[row.service].append(row)
        self.digital_rows = {s: _Dated(rows) for s, rows in by_service.items()}
        self.missing_rates: set[str] = set()
        self._units: dict[tuple, UnitCost] = {}
        self._by_day: dict[tuple, UnitCost | None] = {}

    def effective_dates(self) -> set[date]:
        """Every day on which some cost input changes."""
        groups = [*self.models.values(), *self.rates.values(), *self.digital_rows.values()]
        return {day for dated in groups for day in dated.starts}

    def model(self, service: str, channel: str, day: date) -> CostModel | None:
        dated = self.models.get((service, channel))
        return dated.on(day) if dated else None

    def digital(self, service: str, day: date) -> DigitalServiceCost | None:
        dated = self.digital_rows.get(service)
        return dated.on(day) if dated else None

    def latest_digital(self, service: str) -> DigitalServiceCost | None:
        dated = self.digital_rows.get(service)
        return dated.rows[-1] if dated and dated.rows else None

    def rate(self, role: str, day: date) -> int | None:
        dated = self.rates.get(role)
        found = dated.on(day) if dated else None
        return found.hourly_cents if found else None

    def unit(self, service: str, channel: str, day: date) -> UnitCost | None:
        """The unit cost on this day, or None when no cost model applies."""
        key = (service, channel, day)
        if key not in self._by_day:
            self._by_day[key] = self._unit(service, channel, day)
        return self._by_day[key]

    def _unit(self, service: str, channel: str, day: date) -> UnitCost | None:
        model = self.model(service, channel, day)
        if model is None:
            return None
        digital = self.digital(service, day)
        rates = tuple(self.rate(role, day) for _step, _minutes, role in model.steps())
        key = (model.pk, rates, digital.pk if digital else None)
        unit = self._units.get(key)
        if unit is None:
            unit = self._units[key] = self._compute(model, rates, digital)
        return unit

    def _compute(self, model, rates, digital) -> UnitCost:
        staff = ZERO
        for (_step, minutes, role), rate in zip(model.steps(), rates, strict=True):
            if not minutes:
                continue
            if rate is None:
                self.missing_rates.add(role or "?")
                continue
            staff += Fraction(minutes) * rate / 60
        cash = Fraction(
            model.paper_cents + model.postage_cents + model.printing_cents + model.payment_fee_cents
        )
        hour_value = digital.resident_hour_value_cents if digital else 0
        resident = Fraction(model.resident_minutes) * hour_value / 60
        resident += model.resident_travel_cents
        return UnitCost(staff=staff, cash=cash, resident=resident)

    def running(self, service: str, day: date) -> Fraction:
        """The digital service's running cost for one day (zero before launch)."""
        return self.running_per_day(self.running_source(service, day))

    def running_source(self, service: str, day: date) -> DigitalServiceCost | None:
        """The row that sets the day's running cost (None: nothing runs yet)."""
        digital = self.digital(service, day)
        return None if digital is None or day < digital.launched_on else digital

    @staticmethod
    def running_per_day(digital: DigitalServiceCost | None) -> Fraction:
        if digital is None:
            return ZERO
        return Fraction(digital.running_monthly_cents * 12, 365)

    def redeployed(self, service: str, day: date) -> bool:
        digital = self.digital(service, day)
        return bool(digital and digital.staff_time_redeployed)
