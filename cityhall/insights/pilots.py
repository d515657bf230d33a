"""Pilots: targets against actuals over the pilot's dates, and a verdict.

The rule (docs/insights.md):
- "too early" while the pilot has fewer than MIN_TRANSACTIONS completed
  transactions (on all channels) — too few to judge;
- otherwise each target set is met or missed (a target with no data, e.g.
  satisfaction with no survey answers, is missed):
  every target met → scale; none met → stop; some met → adjust.
Targets: digital take-up (%) at least the target; mean satisfaction at least
the target; the online channel's cost per transaction at most the target.
Before the pilot's end date the verdict is provisional.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from cityhall.core.money import format_cents

from .kpis import Ask, ServiceKpis
from .models import Pilot

MIN_TRANSACTIONS = 30

SCALE, ADJUST, STOP, TOO_EARLY, NOT_STARTED = "scale", "adjust", "stop", "too_early", "not_started"
VERDICTS = {
    SCALE: _("Scale"),
    ADJUST: _("Adjust"),
    STOP: _("Stop"),
    TOO_EARLY: _("Too early to tell"),
    NOT_STARTED: _("Not started"),
}


@dataclass
class TargetCheck:
    code: str
    label: str
    target: str
    actual: str
    met: bool


@dataclass
class PilotResult:
    pilot: Pilot
    kpis: ServiceKpis | None
    checks: list[TargetCheck] = field(default_factory=list)
    verdict: str = TOO_EARLY
    provisional: bool = True

    @property
    def verdict_label(self):
        return VERDICTS[self.verdict]

    def as_dict(self) -> dict:
        return {
            "service": self.pilot.service,
            "starts_on": self.pilot.starts_on,
            "ends_on": self.pilot.ends_on,
            "verdict": self.verdict,
            "provisional": self.provisional,
            "targets": [
                {"target": c.code, "wanted": c.target, "actual": c.actual, "met": c.met}
                for c in self.checks
            ],
        }


def _pct(value: Decimal | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _checks(pilot: Pilot, k: ServiceKpis) -> list[TargetCheck]:
    checks = []
    if pilot.target_take_up_pct is not None:
        actual = k.digital_take_up
        checks.append(
            TargetCheck(
                "digital_take_up",
                _("Digital take-up"),
                f"≥ {pilot.target_take_up_pct:.1f}%",
                _pct(actual),
                actual is not None and actual * 100 >= pilot.target_take_up_pct,
            )
        )
    if pilot.target_satisfaction is not None:
        actual = k.satisfaction
        checks.append(
            TargetCheck(
                "satisfaction",
                _("Satisfaction (1 to 5)"),
                f"≥ {pilot.target_satisfaction:.2f}",
                "—" if actual is None else f"{actual:.2f}",
                actual is not None and actual >= pilot.target_satisfaction,
            )
        )
    if pilot.max_cost_per_transaction_cents is not None:
        online = k.channels.get("online")
        actual = online.cost_per_transaction_cents if online else None
        checks.append(
            TargetCheck(
                "cost_per_transaction",
                _("Online cost per transaction"),
                f"≤ {format_cents(pilot.max_cost_per_transaction_cents)}",
                "—" if actual is None else format_cents(actual),
                actual is not None and actual <= pilot.max_cost_per_transaction_cents,
            )
        )
    return checks


def verdict(pilot: Pilot, k: ServiceKpis | None, today: date) -> PilotResult:
    """The result of a pilot given its KPIs over its own days (see the module doc)."""
    if k is None or pilot.starts_on > today:
        return PilotResult(pilot=pilot, kpis=None, verdict=NOT_STARTED)
    result = PilotResult(pilot=pilot, kpis=k, checks=_checks(pilot, k))
    result.provisional = today <= pilot.ends_on
    met = sum(1 for c in result.checks if c.met)
    if k.all_completed < MIN_TRANSACTIONS or not result.checks:
        result.verdict = TOO_EARLY
    elif met == len(result.checks):
        result.verdict = SCALE
    elif met == 0:
        result.verdict = STOP
    else:
        result.verdict = ADJUST
    return result


def pilot_asks(services=None, *, today: date) -> tuple[list[Pilot], list[Ask]]:
    """The pilots (of these services) and what to compute for each that started."""
    pilots = list(Pilot.objects.order_by("-starts_on", "pk"))
    if services is not None:
        pilots = [p for p in pilots if p.service in set(services)]
    asks = [
        Ask((p.service,), p.starts_on, min(p.ends_on, today), histograms=False)
        for p in pilots
        if p.starts_on <= today
    ]
    return pilots, asks


def verdicts(pilots: list[Pilot], computed: list[list[ServiceKpis]], today: date):
    """Pairs the pilots with their computed KPIs (in pilot_asks' order)."""
    figures = iter(computed)
    return [verdict(p, next(figures)[0] if p.starts_on <= today else None, today) for p in pilots]
