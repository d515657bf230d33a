"""The KPIs of a small fixed history, worked out by hand (the working is in
the comments), from the rollups and from the raw cases alike."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from cityhall.insights import rollups
from cityhall.insights.kpis import service_kpis
from cityhall.insights.stores import RawStore, RollupStore

from .conftest import cost_inputs

MARCH = {"start": date(2026, 3, 1), "end": date(2026, 3, 31), "today": date(2026, 4, 15)}


@pytest.fixture(params=["rollups", "raw"])
def store(request, history):
    rollups.rebuild()
    return RollupStore() if request.param == "rollups" else RawStore()


def test_march_by_hand(store):
    cost_inputs(redeployed=True)
    k = service_kpis("sample", store=store, **MARCH)

    # Volumes: 7 started in March (4 online, one never sent; 2 counter; 1 phone), 6 completed.
    assert (k.started, k.completed) == (7, 6)
    assert k.completion_rate == Decimal("0.8571")  # 6 / 7
    assert k.digital_take_up == Decimal("0.5000")  # 3 online of 6 completed
    # Decisions in hours: 2, 5, 30, 50, 100 (bucket 96: whole days above 72 h), 200 (192).
    # Nearest rank: median = 3rd of 6 = 30; p90 = ceil(5.4) = 6th = 192.
    assert (k.median_hours, k.p90_hours) == (30, 192)
    # Target 5 days (120 h): all but the 200-hour one.
    assert k.within_target_share == Decimal("0.8333")
    # Answers (5,4), (4,3), (2,2): satisfaction 11/3, two of three 4 or 5; trust 9/3.
    assert k.satisfaction == Decimal("3.67")
    assert k.satisfied_share == Decimal("0.6667")
    assert k.trust == Decimal("3.00")

    # Unit costs (clerk $30/h, officer $60/h):
    #   counter: 12 min clerk 600 + 10 min officer 1000 + 3 min clerk 150 = 1750 staff,
    #            paper 20 + printing 30 = 50 cash; resident 60 min x $20/h + 500 travel = 2500
    #   phone:   9 min clerk 450 + 10 min officer 1000 = 1450 staff, postage 60; resident 600
    #   online:  10 min officer 1000 staff; running 365/month = 365 x 12 / 365 = 12 a day
    channels = {c.channel: c for c in k.channels.values()}
    assert channels["online"].cost_per_transaction_cents == 1124  # (3 x 1000 + 31 x 12) / 3
    assert channels["counter"].cost_per_transaction_cents == 1800  # 1750 + 50
    assert channels["phone"].cost_per_transaction_cents == 1510  # 1450 + 60
    assert channels["mail"].cost_per_transaction_cents is None  # none completed
    assert k.cost_per_transaction_cents == 1414  # (3372 + 3600 + 1510) / 6 = 1413.67
    assert channels["counter"].resident_cost_per_transaction_cents == 2500

    # Baseline: January's offline mix, 6 counter : 2 phone = 0.75 : 0.25.
    #   staff 0.75 x 1750 + 0.25 x 1450 = 1675;  cash 0.75 x 50 + 0.25 x 60 = 52.5;
    #   resident 0.75 x 2500 + 0.25 x 600 = 2025.
    # Per online transaction: staff 675 (hard: redeployed), cash 52.5, resident 2025.
    assert k.weights == {"counter": Decimal("0.75"), "phone": Decimal("0.25")}
    s = k.savings
    assert s.online == 3 and s.days == 31
    assert (s.cash, s.staff_hard, s.staff_soft) == (Decimal("157.5"), 2025, 0)
    assert s.running == 372
    assert s.hard == Decimal("1810.5")  # 157.5 + 2025 - 372
    assert s.soft == 6075  # 3 x 2025
    # To date (launch 1 Feb): February's 2 online: 2 x 727.5 - 28 x 12 = 1119; + March.
    assert k.savings_to_date.hard == Decimal("2929.5")
    assert k.savings_to_date.soft == 10125  # 5 x 2025
    assert k.roi == Decimal("-0.4141")  # (2929.5 - 5000) / 5000
    # Not paid back: 2929.5 over 59 days = 49.65/day; 2070.5 to go = 41.7 days
    # = 1.37 months → 2 more months after the 2 so far: month 4 (May 2026), projected.
    assert (k.payback_months, k.payback_projected) == (4, True)
    assert k.payback_month == date(2026, 5, 1)
    # Projected a year at March's rate: 1810.5 x 365 / 31, 6075 x 365 / 31.
    assert k.projected_annual_hard_cents == 21317
    assert k.projected_annual_soft_cents == 71528


def test_staff_time_not_redeployed_is_a_soft_saving(store):
    cost_inputs(redeployed=False)
    k = service_kpis("sample", store=store, **MARCH)
    assert k.savings.staff_hard == 0 and k.savings.staff_soft == 2025
    assert k.savings.hard == Decimal("-214.5")  # 157.5 - 372: only cash counts
    assert k.savings.soft == 8100  # 6075 + 2025


def test_channel_filter_keeps_take_up_and_savings_whole(store):
    cost_inputs()
    k = service_kpis("sample", store=store, channel="counter", **MARCH)
    assert (k.started, k.completed) == (2, 2)
    assert list(k.channels) == ["counter"]
    assert k.cost_per_transaction_cents == 1800
    assert (k.median_hours, k.p90_hours) == (5, 50)
    assert k.digital_take_up == Decimal("0.5000")
    assert k.savings.hard == Decimal("1810.5")


def test_without_cost_inputs_costs_are_unknown_not_zero(store):
    k = service_kpis("sample", store=store, **MARCH)
    assert k.cost_per_transaction_cents is None
    assert k.roi is None and k.payback_months is None
    assert k.savings.hard == 0 and k.savings.online == 0
    assert (k.started, k.completed) == (7, 6)


def test_a_period_after_today_is_cut_at_today(store):
    cost_inputs()
    k = service_kpis(
        "sample", store=store, start=date(2026, 3, 1), end=date(2027, 1, 1), today=date(2026, 3, 31)
    )
    assert k.end == date(2026, 3, 31)
    assert k.savings.days == 31


def test_a_raise_mid_month_applies_from_its_day(store):
    """Whole months are read as monthly rows except where a cost input changes
    inside them; the result is the same as adding day by day (RawStore)."""
    from cityhall.insights.models import StaffRate

    cost_inputs()
    StaffRate.objects.create(role="officer", hourly_cents=12000, effective_from=date(2026, 3, 6))
    k = service_kpis(
        "sample", store=store, start=date(2026, 1, 1), end=date(2026, 3, 31), today=MARCH["today"]
    )
    channels = {c.channel: c for c in k.channels.values()}
    # Counter: January 6 x 1800; March 5 at 1800; March 6 at 600 + 2000 + 150 + 50 = 2800.
    assert channels["counter"].cost_per_transaction_cents == 1925  # (7 x 1800 + 2800) / 8
    assert channels["online"].staff == 5000  # all five online before the raise
    march = k.months[-1]
    assert march.cost_per_transaction_cents == 1580  # (3000 + 372 + 1800 + 2800 + 1510) / 6
