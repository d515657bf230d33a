"""The ledger and the daily reconciliation: every charge, fee, refund and waiver
is an entry; the page, the CSV and the API give totals by service and by
provider that match the ledger to the cent."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import date, timedelta

import pytest
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from cityhall.cases import registry
from cityhall.cases.testing import register_sample_service
from cityhall.payments import services, services_payments, services_refunds
from cityhall.payments.fees import FeeItem
from cityhall.payments.models import CASH_KINDS, LedgerEntry, LedgerKind, Payment, Refund
from cityhall.payments.providers import SUCCEEDED, Outcome
from cityhall.payments.selectors import day_bounds, reconciliation

from .conftest import SCHEDULE, post_webhook, sandbox_events, start_and_pay

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_service():
    service = register_sample_service(code="shelter", prefix="SH")
    yield service
    registry.unregister("shelter")


@pytest.fixture
def busy_day(client, settings, make_invoice, submit_case, clerk, other_service):
    """A day with payments (one with a convenience fee), a partial refund, a waiver,
    a payment for a cancelled invoice refunded automatically, a Stripe payment,
    and an entry from yesterday that must stay out."""
    from cityhall.cases.services import open_case, transition_case
    from cityhall.cases.workflow import APPLICANT

    settings.CITYHALL_CONVENIENCE_FEE_BPS = 300
    first = make_invoice()
    paid, _ = start_and_pay(client, first)
    services_payments.refresh_payment(paid)  # $130 + $3.90 fee
    services_refunds.refund_payment(
        payment=Payment.objects.get(pk=paid.pk), amount_cents=3000, reason="Partial", actor=clerk
    )

    settings.CITYHALL_CONVENIENCE_FEE_BPS = 0
    waived = make_invoice(items=[FeeItem("valuation", value=10_000_000)])  # $993.75
    services.waive_invoice(invoice=waived, actor=clerk, reason="Hardship", amount_cents=10000)
    second, _ = start_and_pay(client, waived)
    services_payments.refresh_payment(second)  # $893.75

    cancelled = make_invoice()
    late, _ = start_and_pay(client, cancelled)
    services.void_invoice(invoice=cancelled, actor=clerk, reason="Duplicate")
    [event] = sandbox_events(late)
    post_webhook(client, event)  # unapplied, refunded automatically
    for refund in Refund.objects.filter(status="pending"):
        services_refunds.send_refund(refund.pk)

    shelter_case = open_case(service="shelter", contact_email="shelter@example.org")
    transition_case(case=shelter_case, transition="submit", acting_as=APPLICANT)
    shelter = services.create_invoice(
        case=shelter_case, schedule=SCHEDULE, items=[FeeItem("application")], notify_payer=False
    )
    stripe_payment = Payment.objects.create(
        invoice=shelter,
        provider="stripe",
        checkout_reference="cs_test_ledger",
        amount_cents=5000,
        currency="USD",
    )
    services_payments.apply_outcome(
        payment=stripe_payment,
        outcome=Outcome(
            state=SUCCEEDED,
            amount_cents=5000,
            currency="USD",
            payment_reference="pi_test_ledger",
            settlement_date=date(2030, 1, 2),
        ),
        source="test",
    )

    yesterday = make_invoice()
    old, _ = start_and_pay(client, yesterday)
    services_payments.refresh_payment(old)
    start, _end = day_bounds(timezone.localdate())
    LedgerEntry.objects.filter(payment=old).update(occurred_at=start - timedelta(seconds=1))
    return timezone.localdate()


def _today_entries():
    start, end = day_bounds(timezone.localdate())
    return LedgerEntry.objects.filter(occurred_at__gte=start, occurred_at__lt=end)


def test_every_movement_is_a_ledger_entry(busy_day):
    kinds = defaultdict(int)
    for kind, amount in _today_entries().values_list("kind", "amount_cents"):
        kinds[kind] += amount
    assert dict(kinds) == {
        LedgerKind.CHARGE: 13000 + 89375 + 5000,
        LedgerKind.CONVENIENCE_FEE: 390,
        LedgerKind.REFUND: -3000 - 13000,
        LedgerKind.WAIVER: -10000,
        LedgerKind.UNAPPLIED: 13000,
    }
    stripe = LedgerEntry.objects.get(provider="stripe")
    assert (stripe.service, stripe.provider_reference, stripe.settlement_date) == (
        "shelter",
        "pi_test_ledger",
        date(2030, 1, 2),
    )


def test_reconciliation_totals_match_the_ledger(busy_day):
    report = reconciliation(busy_day)
    entries = _today_entries()
    assert len(report.entries) == entries.count()
    [day] = report.totals
    for kind in LedgerKind.values:
        expected = entries.filter(kind=kind).aggregate(t=Sum("amount_cents"))["t"] or 0
        assert day.amount(kind) == expected, kind
    cash = entries.filter(kind__in=CASH_KINDS).aggregate(t=Sum("amount_cents"))["t"]
    assert day.net_cents == cash == 13000 + 390 + 89375 + 5000 - 3000
    assert day.waived_cents == -10000
    for groups in (report.by_service, report.by_provider):
        assert sum(t.net_cents for t in groups) == day.net_cents
        assert sum(t.count for t in groups) == day.count == len(report.entries)
    by_service = {t.key: t.net_cents for t in report.by_service}
    assert by_service == {"sample": cash - 5000, "shelter": 5000}
    by_provider = {t.key: t.net_cents for t in report.by_provider}
    assert by_provider == {"": 0, "sandbox": cash - 5000, "stripe": 5000}


def test_the_csv_parses_and_balances(busy_day, staff_client):
    client, _ = staff_client("finance_clerk")
    response = client.get(
        reverse("payments:staff-reconciliation-csv") + f"?date={busy_day.isoformat()}"
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert f"reconciliation-{busy_day.isoformat()}.csv" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    entries = [r for r in rows if r["record"] == "entry"]
    assert len(entries) == _today_entries().count()
    sums: dict[tuple, int] = defaultdict(int)
    for row in entries:
        cents = int(row["amount_cents"])
        assert row["amount"] == f"{cents / 100:.2f}"
        sums[("day", "", row["kind"])] += cents
        sums[("service", row["service"], row["kind"])] += cents
        sums[("provider", row["provider"], row["kind"])] += cents
        if row["kind"] != "waiver":
            for key in (("day", ""), ("service", row["service"]), ("provider", row["provider"])):
                sums[(*key, "net_cash")] += cents
    totals = [r for r in rows if r["record"] != "entry"]
    assert totals
    for row in totals:
        scope = {"day_total": "day", "service_total": "service", "provider_total": "provider"}[
            row["record"]
        ]
        key = {"day": "", "service": row["service"], "provider": row["provider"]}[scope]
        assert int(row["amount_cents"]) == sums[(scope, key, row["kind"])], row
    [net] = [r for r in totals if r["record"] == "day_total" and r["kind"] == "net_cash"]
    ledger_net = _today_entries().filter(kind__in=CASH_KINDS).aggregate(t=Sum("amount_cents"))["t"]
    assert int(net["amount_cents"]) == ledger_net
    charges = [r for r in entries if r["kind"] == "charge"]
    assert all(r["provider_reference"] and r["settlement_date"] for r in charges)
    assert all(r["invoice"].startswith("PAY-") and r["case"] for r in entries)


def test_the_api_gives_the_same_totals_as_json_and_csv(busy_day, make_user):
    from cityhall.accounts.services import issue_api_token

    token = issue_api_token(user=make_user("api@finance.example.org", roles=["finance_clerk"])).raw
    headers = {"Authorization": f"Bearer {token}"}
    from django.test import Client

    client = Client()
    body = client.get(
        f"/api/v1/payments/reconciliation?date={busy_day.isoformat()}", headers=headers
    ).json()
    report = reconciliation(busy_day)
    assert body["date"] == busy_day.isoformat()
    assert len(body["entries"]) == len(report.entries)
    assert body["totals"][0]["net_cents"] == report.totals[0].net_cents
    assert {g["service"]: g["net_cents"] for g in body["by_service"]} == {
        t.key: t.net_cents for t in report.by_service
    }
    as_csv = client.get(
        f"/api/v1/payments/reconciliation?date={busy_day.isoformat()}",
        headers={**headers, "Accept": "text/csv"},
    )
    assert as_csv["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.content.decode())))
    assert len([r for r in rows if r["record"] == "entry"]) == len(report.entries)


def test_the_reconciliation_page(busy_day, staff_client):
    client, _ = staff_client("finance_clerk")
    page = client.get(reverse("payments:staff-reconciliation") + f"?date={busy_day.isoformat()}")
    html = page.content.decode()
    assert page.status_code == 200
    assert "pi_test_ledger" in html and "Download the CSV" in html
    net = reconciliation(busy_day).totals[0].net_cents
    from cityhall.core.money import format_cents

    assert format_cents(net) in html
    bad = client.get(reverse("payments:staff-reconciliation") + "?date=yesterday")
    assert bad.status_code == 200 and "Enter a date like" in bad.content.decode()
    for day in ("9999-12-31", "0001-01-01"):  # the day after or before is past the calendar
        for name in ("payments:staff-reconciliation", "payments:staff-reconciliation-csv"):
            edge = client.get(reverse(name) + f"?date={day}")
            assert edge.status_code == 200, (name, day)
        assert (
            "Enter a date like"
            in client.get(
                reverse("payments:staff-reconciliation") + f"?date={day}"
            ).content.decode()
        )
    empty = client.get(reverse("payments:staff-reconciliation") + "?date=2001-01-01")
    assert "Nothing was paid, refunded or waived on this day." in empty.content.decode()
