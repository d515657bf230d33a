"""Fee rules: flat, per unit, tiered (boundaries of a building fee table), minimum
and maximum, resident and non-resident rates, dated schedules; the estimate
writes nothing; an invoice keeps the fee its case was quoted."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cityhall.cases.models import Case, CaseEvent
from cityhall.core.money import format_cents
from cityhall.payments.errors import FeeError, UnknownSchedule
from cityhall.payments.fees import FeeItem, convenience_fee_cents, estimate_fee
from cityhall.payments.models import FeeRule, FeeSchedule, Invoice, InvoiceLine, LedgerEntry
from cityhall.payments.services import create_invoice

from .conftest import SCHEDULE, make_schedule

pytestmark = pytest.mark.django_db


def cost(*items, resident=True, on=None) -> int:
    return estimate_fee(schedule=SCHEDULE, items=items, resident=resident, on=on).total_cents


def test_flat_fee_for_residents_and_non_residents(schedule):
    assert cost(FeeItem("application")) == 5000
    assert cost(FeeItem("application"), resident=False) == 7500
    # A flat fee does not multiply.
    assert cost(FeeItem("application", quantity=3)) == 5000


def test_non_resident_rate_falls_back_to_resident_when_not_set(schedule):
    FeeRule.objects.filter(code="application").update(non_resident_cents=None)
    assert cost(FeeItem("application"), resident=False) == 5000


def test_per_unit_with_minimum_and_maximum(schedule):
    assert cost(FeeItem("hours", quantity=3)) == 12000  # 3 h x $40
    assert cost(FeeItem("hours", quantity="2.5")) == 10000
    assert cost(FeeItem("hours", quantity=1)) == 8000  # the minimum
    assert cost(FeeItem("hours", quantity=11)) == 40000  # the maximum
    assert cost(FeeItem("hours", quantity=3), resident=False) == 18000
    line = estimate_fee(schedule=SCHEDULE, items=[FeeItem("hours", quantity="2.5")]).lines[0]
    assert line.quantity == Decimal("2.50") and line.unit_cents == 4000
    assert line.detail_en == "2.5 hours × $40.00"
    assert line.detail_es == "2.5 horas × $40.00"


def test_per_unit_rounds_half_up_to_the_cent(schedule):
    FeeRule.objects.filter(code="hours").update(resident_cents=333, minimum_cents=None)
    assert cost(FeeItem("hours", quantity="1.5")) == 500  # 499.5 → 500
    assert cost(FeeItem("hours", quantity="0.01")) == 3  # 3.33 → 3


@pytest.mark.parametrize(
    ("valuation_dollars", "fee_cents"),
    [
        (0, 2350),
        (1, 2350),
        (500, 2350),  # the top of the first tier
        ("500.01", 2655),  # any part of a step above the bound counts as a step
        (501, 2655),
        (1000, 3875),
        (2000, 6925),  # a tier's top equals the next tier's base
        ("2000.01", 8325),
        (2001, 8325),
        (25000, 39125),
        (25001, 40135),
        (100000, 99375),
        (1000000, 560875),
        (1500000, 718375),
    ],
)
def test_tiered_fee_on_a_construction_valuation(schedule, valuation_dollars, fee_cents):
    value = int(Decimal(str(valuation_dollars)) * 100)
    assert cost(FeeItem("valuation", value=value)) == fee_cents


def test_tiered_fee_with_non_resident_tier_amounts_and_a_maximum(schedule):
    # area: 0+ $100 + $25 per 500 sq ft (non-residents $150 + $40); 2000+ $200 + $10 per 1000; max $500.
    assert cost(FeeItem("area", value=0)) == 10000
    assert cost(FeeItem("area", value=500)) == 12500
    assert cost(FeeItem("area", value=501)) == 15000
    assert cost(FeeItem("area", value=501), resident=False) == 15000 + 2 * 4000
    assert cost(FeeItem("area", value=2000)) == 20000  # the second tier has no non-resident rates
    assert cost(FeeItem("area", value=2000), resident=False) == 20000
    assert cost(FeeItem("area", value=40000)) == 50000  # 200 + 38 x 10 = $580, capped at $500
    line = estimate_fee(schedule=SCHEDULE, items=[FeeItem("area", value=2500)]).lines[0]
    assert line.detail_en == "on 2,500 sq ft"


def test_several_items_add_up(schedule):
    estimate = estimate_fee(
        schedule=SCHEDULE,
        items=[
            FeeItem("application"),
            FeeItem("hours", quantity=2),
            FeeItem("valuation", value=12_000_000),
        ],
    )
    assert [line.amount_cents for line in estimate.lines] == [5000, 8000, 99375 + 20 * 560]
    assert estimate.total_cents == 5000 + 8000 + 99375 + 20 * 560
    assert estimate.lines[2].detail_en == f"on {format_cents(12_000_000)}"
    assert estimate.currency == "USD"


@pytest.mark.parametrize(
    ("item", "field"),
    [
        (FeeItem("nope"), "items.0.code"),
        (FeeItem("hours", quantity=0), "items.0.quantity"),
        (FeeItem("hours", quantity=-1), "items.0.quantity"),
        (FeeItem("hours", quantity="1.555"), "items.0.quantity"),
        (FeeItem("hours", quantity="lots"), "items.0.quantity"),
        (FeeItem("valuation"), "items.0.value"),
        (FeeItem("valuation", value=-1), "items.0.value"),
    ],
)
def test_bad_items_say_which_field(schedule, item, field):
    with pytest.raises(FeeError) as caught:
        estimate_fee(schedule=SCHEDULE, items=[item])
    assert caught.value.field == field
    assert str(caught.value)


def test_unknown_schedule_or_none_in_effect_yet(schedule):
    with pytest.raises(UnknownSchedule):
        estimate_fee(schedule="nope", items=[FeeItem("application")])
    with pytest.raises(UnknownSchedule):
        cost(FeeItem("application"), on=date(2019, 12, 31))
    with pytest.raises(FeeError):
        estimate_fee(schedule=SCHEDULE, items=[])


def test_a_new_schedule_takes_effect_on_its_date(schedule):
    make_schedule(effective_from=date(2026, 7, 1), flat=6500, non_resident_flat=9000)
    assert cost(FeeItem("application"), on=date(2026, 6, 30)) == 5000
    assert cost(FeeItem("application"), on=date(2026, 7, 1)) == 6500
    assert cost(FeeItem("application"), on=date(2026, 7, 2), resident=False) == 9000
    estimate = estimate_fee(schedule=SCHEDULE, items=[FeeItem("application")], on=date(2026, 7, 1))
    assert estimate.schedule.effective_from == date(2026, 7, 1)


def test_a_case_keeps_the_fee_it_was_quoted_when_a_new_schedule_starts(schedule, submit_case):
    today = timezone.localdate()
    old_case = submit_case(email="early@example.org")
    # Submitted ten days ago, under the schedule then in effect.
    Case.objects.filter(pk=old_case.pk).update(submitted_at=timezone.now() - timedelta(days=10))
    old_case.refresh_from_db()
    make_schedule(effective_from=today - timedelta(days=3), flat=6500)

    late_invoice = create_invoice(
        case=old_case, schedule=SCHEDULE, items=[FeeItem("application")], notify_payer=False
    )
    new_invoice = create_invoice(
        case=submit_case(email="late@example.org"),
        schedule=SCHEDULE,
        items=[FeeItem("application")],
        notify_payer=False,
    )
    assert late_invoice.total_cents == 5000
    assert late_invoice.schedule.effective_from == date(2020, 1, 1)
    assert late_invoice.fee_date == today - timedelta(days=10)
    assert new_invoice.total_cents == 6500

    # And an issued invoice never changes when the schedule does.
    FeeRule.objects.filter(schedule=late_invoice.schedule, code="application").update(
        resident_cents=99999
    )
    late_invoice.refresh_from_db()
    assert late_invoice.total_cents == 5000
    assert late_invoice.lines.get().amount_cents == 5000


def test_estimate_writes_nothing(schedule, submit_case):
    case = submit_case()
    before = (
        Invoice.objects.count(),
        InvoiceLine.objects.count(),
        LedgerEntry.objects.count(),
        CaseEvent.objects.filter(case=case).count(),
    )
    with CaptureQueriesContext(connection) as queries:
        estimate = estimate_fee(
            schedule=SCHEDULE,
            items=[FeeItem("application"), FeeItem("valuation", value=12_000_000)],
        )
    assert estimate.total_cents > 0
    statements = [q["sql"].lstrip().split()[0].upper() for q in queries.captured_queries]
    assert statements and set(statements) == {"SELECT"}, statements
    assert len(statements) <= 3  # the schedule, its rules, their tiers
    assert before == (
        Invoice.objects.count(),
        InvoiceLine.objects.count(),
        LedgerEntry.objects.count(),
        CaseEvent.objects.filter(case=case).count(),
    )


def test_convenience_fee(settings):
    assert convenience_fee_cents(10000) == 0
    settings.CITYHALL_CONVENIENCE_FEE_BPS = 250  # 2.5 %
    assert convenience_fee_cents(10000) == 250
    assert convenience_fee_cents(13050) == 326  # 326.25 → 326
    assert convenience_fee_cents(13060) == 327  # 326.5 → 327
    settings.CITYHALL_CONVENIENCE_FEE_CENTS = 30
    assert convenience_fee_cents(10000) == 280
    assert convenience_fee_cents(0) == 0


def test_demo_schedules_seed_once_and_price_a_building_permit(db):
    from cityhall.payments.demo import seed

    seed()
    seed()
    assert FeeSchedule.objects.filter(code="building-permit").count() == 1
    estimate = estimate_fee(
        schedule="building-permit",
        items=[FeeItem("valuation", value=2_500_000), FeeItem("plan-review")],
        on=date(2026, 3, 1),
    )
    assert estimate.total_cents == 39125 + 15000  # $25,000 valuation: $391.25, plus plan review
    shelter = estimate_fee(
        schedule="park-shelter", items=[FeeItem("hours", quantity=1)], on=date(2026, 3, 1)
    )
    assert shelter.total_cents == 5000  # the two-hour minimum
