"""Webhooks: verified before anything else; forged, tampered and replayed
signatures refused and logged; each event applied once whatever the order or
lateness; money that cannot be applied refunded automatically and flagged."""

from __future__ import annotations

import copy
import logging
import time
from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from cityhall.cases.models import CaseEvent, EventKind
from cityhall.notifications.models import Notification
from cityhall.payments import services, services_refunds
from cityhall.payments.models import (
    FlagReason,
    InvoiceStatus,
    LedgerEntry,
    LedgerKind,
    Payment,
    PaymentStatus,
    Refund,
    RefundStatus,
    WebhookEvent,
)
from cityhall.payments.models_sandbox import SandboxSession
from cityhall.payments.providers import sandbox

from .conftest import post_webhook, sandbox_events, start_and_pay

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid_at_sandbox(client, invoice):
    """A payment made at the sandbox whose webhook has not been delivered yet."""
    payment, _back = start_and_pay(client, invoice)
    [event] = sandbox_events(payment)
    return payment, event


def test_a_signed_event_applies_the_payment(client, paid_at_sandbox):
    payment, event = paid_at_sandbox
    response = post_webhook(client, event)
    assert response.status_code == 200
    assert response.json() == {"received": True, "outcome": "applied"}
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED
    assert payment.invoice.status == InvoiceStatus.PAID
    stored = WebhookEvent.objects.get()
    assert (stored.event_id, stored.outcome, stored.payment) == (event["id"], "applied", payment)
    [charge] = LedgerEntry.objects.all()
    assert (charge.kind, charge.amount_cents, charge.provider) == ("charge", 13000, "sandbox")
    assert charge.provider_reference.startswith("ch_sbx_")
    assert charge.settlement_date == sandbox.next_business_day(timezone.localdate())


def test_the_same_event_twice_is_applied_once(client, paid_at_sandbox):
    _payment, event = paid_at_sandbox
    assert post_webhook(client, event).json()["outcome"] == "applied"
    again = post_webhook(client, event)  # a redelivery, freshly signed
    assert again.status_code == 200 and again.json()["outcome"] == "duplicate"
    assert WebhookEvent.objects.count() == 1
    assert LedgerEntry.objects.count() == 1
    assert CaseEvent.objects.filter(kind=EventKind.PAYMENT).count() == 1
    from django_tasks_db.models import DBTaskResult

    assert DBTaskResult.objects.filter(task_path__endswith="send_receipt").count() == 1


def test_a_different_event_for_an_applied_payment_changes_nothing(client, paid_at_sandbox):
    _payment, event = paid_at_sandbox
    post_webhook(client, event)
    late = copy.deepcopy(event)
    late["id"] = "evt_sbx_late_copy"
    assert post_webhook(client, late).json()["outcome"] == "already applied"
    assert LedgerEntry.objects.count() == 1


def test_out_of_order_a_failure_after_the_success_is_ignored(client, paid_at_sandbox):
    payment, event = paid_at_sandbox
    post_webhook(client, event)
    failure = copy.deepcopy(event)
    failure["id"], failure["type"] = "evt_sbx_failed_late", "checkout.session.payment_failed"
    failure["data"]["object"]["payment_status"] = "failed"
    assert post_webhook(client, failure).json()["outcome"] == "already applied"
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED
    assert not CaseEvent.objects.filter(kind=EventKind.PAYMENT_FAILED).exists()


def test_out_of_order_a_success_after_an_expiry_still_counts(client, paid_at_sandbox):
    """Money moved: a late success beats an earlier 'expired' for the same checkout."""
    payment, event = paid_at_sandbox
    expired = copy.deepcopy(event)
    expired["id"], expired["type"] = "evt_sbx_expired", "checkout.session.expired"
    expired["data"]["object"].update(status="expired", payment_status="unpaid")
    assert post_webhook(client, expired).json()["outcome"] == "expired"
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.EXPIRED
    assert post_webhook(client, event).json()["outcome"] == "applied"
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED
    assert payment.invoice.status == InvoiceStatus.PAID


def test_forged_signature_is_rejected_logged_and_changes_nothing(client, paid_at_sandbox, caplog):
    payment, event = paid_at_sandbox
    with caplog.at_level(logging.WARNING, logger="cityhall.payments.views_webhooks"):
        response = post_webhook(client, event, secret="not-the-secret")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_signature"
    assert "sandbox webhook rejected" in caplog.text and "does not match" in caplog.text
    assert not WebhookEvent.objects.exists()
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.PENDING


def test_a_tampered_body_with_a_real_signature_is_rejected(client, paid_at_sandbox):
    _payment, event = paid_at_sandbox
    import json

    from .conftest import signed

    raw, headers = signed(event)
    tampered = raw.replace(b'"amount_total": 13000', b'"amount_total": 1')
    assert tampered != raw
    response = client.post(
        "/payments/webhooks/sandbox/", data=tampered, content_type="application/json", **headers
    )
    assert response.status_code == 400
    assert json.loads(response.content)["error"]["code"] == "bad_signature"
    assert not WebhookEvent.objects.exists()


def test_a_replayed_signature_older_than_five_minutes_is_rejected(client, paid_at_sandbox, caplog):
    _payment, event = paid_at_sandbox
    with caplog.at_level(logging.WARNING):
        response = post_webhook(client, event, timestamp=int(time.time()) - 301)
    assert response.status_code == 400
    assert "stale" in caplog.text
    assert not WebhookEvent.objects.exists()
    # Four minutes old is still fine (clocks drift, deliveries queue).
    assert post_webhook(client, event, timestamp=int(time.time()) - 240).status_code == 200


@pytest.mark.parametrize(
    "headers",
    [{}, {"HTTP_SANDBOX_SIGNATURE": "garbage"}, {"HTTP_SANDBOX_SIGNATURE": "t=abc,v1=00"}],
)
def test_missing_or_malformed_signature_headers_are_rejected(client, paid_at_sandbox, headers):
    _payment, event = paid_at_sandbox
    import json

    response = client.post(
        "/payments/webhooks/sandbox/",
        data=json.dumps(event),
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 400
    assert not WebhookEvent.objects.exists()


def test_a_signed_body_that_is_not_an_event_is_rejected(client):
    response = post_webhook(client, b"[1, 2, 3]")
    assert response.status_code == 400


def test_unknown_provider_and_get_are_refused(client):
    assert (
        client.post(
            "/payments/webhooks/paypal/", data="{}", content_type="application/json"
        ).status_code
        == 404
    )
    assert client.get("/payments/webhooks/sandbox/").status_code == 405


def test_an_event_for_an_unknown_checkout_is_acknowledged_and_recorded(client, paid_at_sandbox):
    _payment, event = paid_at_sandbox
    stray = copy.deepcopy(event)
    stray["id"] = "evt_sbx_stray"
    stray["data"]["object"]["id"] = "cs_sbx_unknown"
    assert post_webhook(client, stray).json()["outcome"] == "unmatched"
    assert WebhookEvent.objects.get().outcome == "unmatched"
    assert not LedgerEntry.objects.exists()


def _send_pending_refunds():
    for refund in Refund.objects.filter(status=RefundStatus.PENDING):
        services_refunds.send_refund(refund.pk)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"amount_total": 12999}, FlagReason.AMOUNT_MISMATCH),
        ({"currency": "eur"}, FlagReason.CURRENCY_MISMATCH),
    ],
)
def test_amount_or_currency_mismatch_is_refused_refunded_and_flagged(
    client, paid_at_sandbox, change, reason
):
    payment, event = paid_at_sandbox
    event["data"]["object"].update(change)
    # The sandbox charged what it says it charged.
    SandboxSession.objects.filter(pk=payment.checkout_reference).update(
        amount_cents=event["data"]["object"]["amount_total"]
    )
    assert post_webhook(client, event).json()["outcome"] == "unapplied"
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.UNAPPLIED
    assert payment.flag_reason == reason and payment.needs_review
    assert (payment.expected_cents, payment.expected_currency) == (13000, "USD")
    assert payment.invoice.status == InvoiceStatus.OPEN  # still to pay, correctly
    _send_pending_refunds()
    payment.refresh_from_db()
    [refund] = payment.refunds.all()
    assert refund.automatic and refund.status == RefundStatus.SUCCEEDED
    assert refund.amount_cents == payment.amount_cents == payment.refunded_cents
    kinds = dict(LedgerEntry.objects.values_list("kind", "amount_cents"))
    assert kinds == {
        LedgerKind.UNAPPLIED: payment.amount_cents,
        LedgerKind.REFUND: -payment.amount_cents,
    }
    assert Notification.objects.filter(kind="payment_refunded").count() == 1


def test_a_payment_for_a_voided_invoice_is_refunded_automatically_and_flagged(
    client, paid_at_sandbox, clerk
):
    payment, event = paid_at_sandbox
    invoice = payment.invoice
    services.void_invoice(invoice=invoice, actor=clerk, reason="Issued twice by mistake")
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.EXPIRED

    assert post_webhook(client, event).json()["outcome"] == "unapplied"
    payment.refresh_from_db()
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.VOID
    assert payment.status == PaymentStatus.UNAPPLIED
    assert payment.flag_reason == FlagReason.INVOICE_VOID and payment.needs_review
    assert payment.refunded_cents == 13000  # reserved at once

    _send_pending_refunds()
    refund = payment.refunds.get()
    assert refund.status == RefundStatus.SUCCEEDED and refund.provider_reference.startswith(
        "re_sbx_"
    )
    assert SandboxSession.objects.get(pk=payment.checkout_reference).refunded_cents == 13000
    assert LedgerEntry.objects.aggregate(total=Sum("amount_cents"))["total"] == 0
    email = Notification.objects.get(kind="payment_refunded")
    assert "could not accept" in email.body_text
    # Staff see it in the timeline, the resident sees the refund.
    assert CaseEvent.objects.filter(kind=EventKind.PAYMENT, public=False).count() == 1
    assert CaseEvent.objects.filter(kind=EventKind.REFUND, public=True).count() == 1


def test_a_second_payment_for_a_paid_invoice_is_refunded_and_flagged(client, invoice):
    first, _ = start_and_pay(client, invoice)
    # The first checkout is about to expire, so Pay opens a second one; both get paid.
    Payment.objects.filter(pk=first.pk).update(expires_at=timezone.now() + timedelta(minutes=1))
    second, _ = start_and_pay(client, invoice)
    assert second.pk != first.pk
    [first_event] = sandbox_events(first)
    [second_event] = sandbox_events(second)
    assert post_webhook(client, first_event).json()["outcome"] == "applied"
    assert post_webhook(client, second_event).json()["outcome"] == "unapplied"
    second.refresh_from_db()
    assert second.flag_reason == FlagReason.ALREADY_PAID
    _send_pending_refunds()
    assert Payment.objects.get(pk=second.pk).refunds.get().status == RefundStatus.SUCCEEDED
    assert Payment.objects.filter(invoice=invoice, status=PaymentStatus.SUCCEEDED).count() == 1
    assert LedgerEntry.objects.aggregate(total=Sum("amount_cents"))["total"] == 13000


def test_the_database_refuses_a_second_success_for_one_invoice(client, paid_at_sandbox):
    payment, event = paid_at_sandbox
    post_webhook(client, event)
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.create(
            invoice=payment.invoice,
            provider="sandbox",
            amount_cents=13000,
            currency="USD",
            status=PaymentStatus.SUCCEEDED,
        )


def test_a_failed_refund_leaves_the_flag_for_staff(client, paid_at_sandbox, clerk, monkeypatch):
    payment, event = paid_at_sandbox
    services.void_invoice(invoice=payment.invoice, actor=clerk, reason="Duplicate")
    post_webhook(client, event)
    from cityhall.payments.providers import ProviderError

    def refuse(self, **kwargs):
        raise ProviderError("card account closed", definitive=True)

    monkeypatch.setattr(sandbox.SandboxProvider, "refund", refuse)
    _send_pending_refunds()
    payment.refresh_from_db()
    assert payment.refunded_cents == 0
    assert payment.flag_reason == FlagReason.REFUND_FAILED and payment.needs_review
    assert payment.refunds.get().status == RefundStatus.FAILED


def test_the_service_is_told_once_when_its_invoice_is_paid(client, paid_at_sandbox, sample_service):
    import dataclasses

    from cityhall.cases import registry

    if not hasattr(sample_service, "on_invoice_paid"):
        pytest.skip("this checkout's cases registry has no on_invoice_paid hook")
    calls = []
    registry.register(dataclasses.replace(sample_service, on_invoice_paid=calls.append))
    payment, event = paid_at_sandbox
    post_webhook(client, event)
    post_webhook(client, event)
    assert calls == [payment.invoice]


def test_a_failing_service_hook_leaves_the_payment_unrecorded_for_a_retry(
    client, paid_at_sandbox, sample_service
):
    import dataclasses

    from cityhall.cases import registry

    if not hasattr(sample_service, "on_invoice_paid"):
        pytest.skip("this checkout's cases registry has no on_invoice_paid hook")

    def broken(invoice):
        raise RuntimeError("booking system down")

    registry.register(dataclasses.replace(sample_service, on_invoice_paid=broken))
    payment, _event = paid_at_sandbox
    with pytest.raises(RuntimeError):
        services_payments_apply(payment)
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING
    assert payment.invoice.status == InvoiceStatus.OPEN
    assert not LedgerEntry.objects.exists()
    registry.register(sample_service)
    assert services_payments_apply(payment) == "applied"


def services_payments_apply(payment):
    from cityhall.payments.services_payments import refresh_payment

    refresh_payment(payment)
    payment.refresh_from_db()
    return "applied" if payment.status == PaymentStatus.SUCCEEDED else payment.status


@pytest.mark.parametrize("taken", [0, -500])
def test_a_checkout_completed_without_taking_money_is_flagged_not_refunded(
    client, paid_at_sandbox, staff_client, taken
):
    """A provider-side 100% discount: the provider says "paid", amount 0. Nothing
    to apply, nothing to refund (a refund of $0 is no refund); the invoice stays
    open, and finance staff are told. The same event again changes nothing."""
    payment, event = paid_at_sandbox
    event["data"]["object"].update(amount_total=taken)

    response = post_webhook(client, event)
    assert response.status_code == 200
    assert response.json()["outcome"] == "failed"
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.FAILED
    assert payment.flag_reason == FlagReason.NOTHING_TAKEN and payment.needs_review
    assert payment.amount_cents == 13000 and payment.refunded_cents == 0  # as asked, not taken
    assert "without taking any money" in payment.failure_message
    assert payment.invoice.status == InvoiceStatus.OPEN
    assert not Refund.objects.exists() and not LedgerEntry.objects.exists()
    assert CaseEvent.objects.filter(kind=EventKind.PAYMENT, public=False).count() == 1

    again = copy.deepcopy(event)
    again["id"] = event["id"] + "-again"
    assert post_webhook(client, again).json()["outcome"] == "already applied"
    assert CaseEvent.objects.filter(kind=EventKind.PAYMENT).count() == 1

    from cityhall.payments.selectors import invoice_token

    back = client.get(
        reverse("payments:return", args=[invoice_token(payment.invoice), payment.public_id])
    ).content.decode()
    assert 'data-state="not_taken"' in back and "declined" not in back
    assert "without taking any money" in back

    clerk_client, _clerk = staff_client("finance_clerk", email="fran@staff.example.org")
    page = clerk_client.get(reverse("payments:staff-payment", args=[payment.pk]))
    assert page.status_code == 200, page.status_code
    text = page.content.decode()
    assert "Completed without taking any money" in text
    assert "nothing to refund" in text and "refunded automatically" not in text
