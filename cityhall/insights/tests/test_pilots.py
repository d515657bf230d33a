"""The pilot verdict rule (docs/insights.md): too early under 30 completed
transactions; all targets met → scale, none → stop, some → adjust."""

from __future__ import annotations

from collections import Counter
from datetime import date
from fractions import Fraction

import pytest

from cityhall.insights.figures import ChannelFigures, ServiceKpis
from cityhall.insights.models import Pilot
from cityhall.insights.pilots import verdict

TODAY = date(2026, 6, 1)


def pilot(**targets):
    defaults = {
        "target_take_up_pct": 40,
        "target_satisfaction": 4,
        "max_cost_per_transaction_cents": 300,
    }
    return Pilot(
        service="sample",
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 3, 31),
        **{**defaults, **targets},
    )


def figures(*, completed=100, online=50, satisfaction=(45, 10), online_cost=250):
    k = ServiceKpis(
        service="sample", name="Sample", start=date(2026, 1, 1), end=date(2026, 3, 31), channel=None
    )
    k.all_completed, k.online_completed = completed, online
    k.counts = Counter({"satisfaction_sum": satisfaction[0], "surveys": satisfaction[1]})
    k.channels["online"] = ChannelFigures("online", completed=online, costed=online)
    k.channels["online"].staff = Fraction(online_cost * online)
    return k


@pytest.mark.parametrize(
    ("kpis", "expected"),
    [
        (figures(), "scale"),  # 50% ≥ 40%, 4.5 ≥ 4, $2.50 ≤ $3.00
        (figures(online=30), "adjust"),  # take-up 30% missed
        (figures(online=30, satisfaction=(35, 10), online_cost=400), "stop"),  # none met
        (figures(satisfaction=(0, 0)), "adjust"),  # no answers: satisfaction missed
        (figures(completed=29, online=20), "too_early"),
    ],
)
def test_verdicts(kpis, expected):
    result = verdict(pilot(), kpis, TODAY)
    assert result.verdict == expected
    assert result.provisional is False  # ended on 31 March


def test_exactly_at_the_targets_is_met():
    result = verdict(pilot(), figures(online=40, satisfaction=(40, 10), online_cost=300), TODAY)
    assert [c.met for c in result.checks] == [True, True, True]
    assert result.verdict == "scale"


def test_only_the_targets_set_count_and_running_pilots_are_provisional():
    running = pilot(target_satisfaction=None, max_cost_per_transaction_cents=None)
    result = verdict(running, figures(), date(2026, 2, 1))
    assert [c.code for c in result.checks] == ["digital_take_up"]
    assert result.verdict == "scale" and result.provisional
    assert verdict(pilot(), None, date(2025, 12, 1)).verdict == "not_started"
