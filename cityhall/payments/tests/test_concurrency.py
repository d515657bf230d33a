"""Refunds, webhooks and checkouts at the same moment, on real parallel
connections (one per thread): SQLite in WAL mode with IMMEDIATE transactions,
and PostgreSQL."""

from __future__ import annotations

import pytest
from django.db.models import Sum
from django.test import Client

from cityhall.payments import services, services_payments, services_refunds
from cityhall.payments.errors import RefundTooLarge
from cityhall.payments.models import (
    LedgerEntry,
    LedgerKind,
    Payment,
    PaymentStatus,
    Refund,
    RefundStatus,
    WebhookEvent,
)
from cityhall.payments.models_sandbox import SandboxRefund, SandboxSession
from cityhall.testing import in_parallel as run_in_parallel

from .conftest import post_webhook, sandbox_events, start_and_pay

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 8


def in_parallel(work, count=THREADS):
    return run_in_parallel(work, count)


@pytest.fixture
def paid(fresh_cache, invoice):
    payment, _back = start_and_pay(Client(), invoice)
    services_payments.refresh_payment(payment)
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED and payment.amount_cents == 13000
    return payment


@pytest.fixture
def clerks(make_user):
    return [
        make_user(f"clerk{i}@finance.example.org", roles=["finance_clerk"]) for i in range(THREADS)
    ]


def test_eight_refunds_at_once_never_refund_more_than_was_paid(paid, clerks):
    # 8 x $40 = $320 asked of a $130 payment: only three fit.
    def refund(i):
        return services_refunds.refund_payment(
            payment=Payment.objects.get(pk=paid.pk),
            amount_cents=4000,
            reason=f"clerk {i}",
            actor=clerks[i],
        ).status

    results, errors = in_parallel(refund)

    assert sorted(results.values()) == [RefundStatus.SUCCEEDED] * 3, (results, errors)
    assert len(errors) == THREADS - 3
    assert all(isinstance(e, RefundTooLarge) for e in errors.values()), errors
    paid.refresh_from_db()
    assert paid.refunded_cents == 12000 <= paid.amount_cents
    assert (
        Refund.objects.filter(status=RefundStatus.SUCCEEDED).aggregate(t=Sum("amount_cents"))["t"]
        == 12000
    )
    assert Refund.objects.count() == 3
    assert (
        LedgerEntry.objects.filter(kind=LedgerKind.REFUND).aggregate(t=Sum("amount_cents"))["t"]
        == -12000
    )
    assert SandboxSession.objects.get(pk=paid.checkout_reference).refunded_cents == 12000
    assert SandboxRefund.objects.count() == 3


def test_eight_uneven_refunds_at_once_stay_within_the_payment(paid, clerks):
    amounts = [5000, 3000, 7000, 2500, 6000, 1000, 4500, 3500]  # $325 asked of $130

    def refund(i):
        return services_refunds.refund_payment(
            payment=Payment.objects.get(pk=paid.pk),
            amount_cents=amounts[i],
            reason="parallel",
            actor=clerks[i],
        ).amount_cents

    results, errors = in_parallel(refund)

    assert all(isinstance(e, RefundTooLarge) for e in errors.values()), errors
    refunded = sum(results.values())
    assert 0 < refunded <= 13000
    paid.refresh_from_db()
    assert paid.refunded_cents == refunded
    assert (
        -LedgerEntry.objects.filter(kind=LedgerKind.REFUND).aggregate(t=Sum("amount_cents"))["t"]
        == refunded
    )


def test_eight_deliveries_of_one_webhook_at_once_apply_it_once(fresh_cache, invoice):
    payment, _back = start_and_pay(Client(), invoice)
    [event] = sandbox_events(payment)

    def deliver(_i):
        response = post_webhook(Client(), event)
        return response.status_code, response.json()["outcome"]

    results, errors = in_parallel(deliver)

    assert not errors, errors
    outcomes = sorted(outcome for _status, outcome in results.values())
    assert {status for status, _outcome in results.values()} == {200}
    assert outcomes.count("applied") == 1, outcomes
    assert set(outcomes) <= {"applied", "duplicate"}
    assert WebhookEvent.objects.count() == 1
    assert LedgerEntry.objects.count() == 1
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.SUCCEEDED


def test_eight_pay_clicks_at_once_open_one_checkout(fresh_cache, invoice):
    def pay(_i):
        return services.start_checkout(invoice=invoice).pk

    results, errors = in_parallel(pay)

    assert not errors, errors
    assert len(set(results.values())) == 1
    assert Payment.objects.count() == 1 and SandboxSession.objects.count() == 1


def test_the_same_refund_sent_by_a_clerk_and_the_retry_worker_at_once(paid, clerks):
    """Both reach the provider with the refund's key at the same instant: one
    refund there, one in the ledger, no unique-key error (it was one, once)."""
    pending = services_refunds.reserve_refund(
        payment=paid, amount_cents=3000, reason="Withdrawn", actor=clerks[0]
    )

    results, errors = in_parallel(lambda _i: services_refunds.send_refund(pending.pk).status, 8)

    assert not errors, errors
    assert set(results.values()) == {RefundStatus.SUCCEEDED}
    assert SandboxRefund.objects.filter(idempotency_key=str(pending.public_id)).count() == 1
    assert LedgerEntry.objects.filter(kind=LedgerKind.REFUND).count() == 1
    assert SandboxSession.objects.get(pk=paid.checkout_reference).refunded_cents == 3000
