"""The Stripe provider with the official library, against a local server that
plays the Stripe API, and with webhooks signed the way Stripe signs them."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from datetime import UTC, datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cityhall.payments import services, services_payments, services_refunds
from cityhall.payments.errors import ProviderUnavailable
from cityhall.payments.models import (
    InvoiceStatus,
    LedgerEntry,
    LedgerKind,
    Payment,
    PaymentStatus,
    RefundStatus,
    WebhookEvent,
)
from cityhall.payments.selectors import invoice_token

pytestmark = pytest.mark.django_db

SECRET = "whsec_cityhall_test"


def stripe_signature(payload: bytes, *, secret=SECRET, timestamp=None) -> str:
    stamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{stamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={stamp},v1={digest}"


def stripe_event(event_type: str, session: dict, event_id="evt_test_1") -> bytes:
    return json.dumps(
        {
            "id": event_id,
            "object": "event",
            "type": event_type,
            "created": int(time.time()),
            "data": {"object": session},
        }
    ).encode()


def post(client, payload: bytes, **kwargs):
    return client.post(
        "/payments/webhooks/stripe/",
        data=payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=stripe_signature(payload, **kwargs),
    )


def test_checkout_creates_a_session_with_the_right_amount_currency_and_metadata(
    fake_stripe, invoice, settings
):
    settings.CITYHALL_CONVENIENCE_FEE_CENTS = 150
    payment = services.start_checkout(invoice=invoice, language="es")
    [request] = fake_stripe.requests
    form = request["form"]
    assert (request["method"], request["path"]) == ("POST", "/v1/checkout/sessions")
    assert request["headers"]["Authorization"] == "Bearer sk_test_cityhall"
    assert request["headers"]["Idempotency-Key"] == f"checkout-{payment.public_id}"
    assert form["mode"] == "payment"
    assert form["line_items[0][price_data][unit_amount]"] == "13000"
    assert form["line_items[0][price_data][currency]"] == "usd"
    assert invoice.number in form["line_items[0][price_data][product_data][name]"]
    assert form["line_items[1][price_data][unit_amount]"] == "150"
    assert form["metadata[invoice]"] == invoice.number
    assert form["metadata[payment]"] == str(payment.public_id)
    assert form["metadata[case]"] == invoice.case.reference
    assert form["payment_intent_data[metadata][invoice]"] == invoice.number
    assert form["client_reference_id"] == invoice.number
    assert form["customer_email"] == "payer@example.org"
    assert form["locale"] == "es"
    assert form["success_url"].endswith(
        f"/es/pay/{form['success_url'].split('/es/pay/')[1].split('/')[0]}/return/{payment.public_id}/?session_id={{CHECKOUT_SESSION_ID}}"
    )
    assert "/es/pay/" in form["cancel_url"]
    assert int(form["expires_at"]) >= int(time.time()) + 29 * 60
    assert payment.provider == "stripe"
    assert payment.checkout_reference == next(iter(fake_stripe.sessions))
    assert payment.checkout_url.startswith("https://checkout.stripe.com/c/pay/")
    assert payment.amount_cents == 13150 and payment.fee_cents == 150


def test_pay_redirects_to_stripe(fake_stripe, client, invoice):
    response = client.post(reverse("payments:checkout", args=[invoice_token(invoice)]))
    assert response.status_code == 302
    assert response["Location"].startswith("https://checkout.stripe.com/c/pay/cs_test_")


def test_a_signed_checkout_session_completed_applies_the_payment(fake_stripe, client, invoice):
    payment = services.start_checkout(invoice=invoice)
    available_on = int(datetime(2030, 5, 6, 12, tzinfo=UTC).timestamp())
    session = fake_stripe.complete(payment.checkout_reference, available_on=available_on)
    payload = stripe_event("checkout.session.completed", session)
    response = post(client, payload)
    assert response.status_code == 200 and response.json()["outcome"] == "applied"
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED
    assert payment.provider_reference == session["payment_intent"]
    assert payment.card_last4 == "4242"
    assert payment.settlement_date == timezone.localdate(datetime(2030, 5, 6, 12, tzinfo=UTC))
    assert payment.invoice.status == InvoiceStatus.PAID
    charge = LedgerEntry.objects.get(kind=LedgerKind.CHARGE)
    assert (charge.provider, charge.provider_reference, charge.amount_cents) == (
        "stripe",
        session["payment_intent"],
        13000,
    )
    # Stripe retries: the same event again is a no-op.
    assert post(client, payload).json()["outcome"] == "duplicate"
    assert LedgerEntry.objects.count() == 1


def test_a_session_stripe_completed_for_nothing_is_flagged_and_left_open(
    fake_stripe, client, invoice
):
    """A 100% promotion code set up at Stripe: "no_payment_required", amount 0.
    No payment to record, no refund to make (it would break the refund's own
    rules); the invoice stays open and finance staff are flagged."""
    payment = services.start_checkout(invoice=invoice)
    session = dict(
        fake_stripe.complete(payment.checkout_reference),
        payment_status="no_payment_required",
        amount_total=0,
    )
    response = post(client, stripe_event("checkout.session.completed", session))
    assert response.status_code == 200 and response.json()["outcome"] == "failed"
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.FAILED and payment.flag_reason == "nothing_taken"
    assert payment.invoice.status == InvoiceStatus.OPEN
    assert not LedgerEntry.objects.exists() and not payment.refunds.exists()


def test_a_completed_but_unpaid_session_waits_for_the_async_result(fake_stripe, client, invoice):
    payment = services.start_checkout(invoice=invoice)
    session = dict(fake_stripe.sessions[payment.checkout_reference], status="complete")
    assert (
        post(client, stripe_event("checkout.session.completed", session)).json()["outcome"]
        == "ignored"
    )
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.PENDING
    failed = stripe_event("checkout.session.async_payment_failed", session, event_id="evt_test_2")
    assert post(client, failed).json()["outcome"] == "failed"
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.FAILED


def test_an_expired_session(fake_stripe, client, invoice):
    payment = services.start_checkout(invoice=invoice)
    session = dict(fake_stripe.sessions[payment.checkout_reference], status="expired")
    assert (
        post(client, stripe_event("checkout.session.expired", session)).json()["outcome"]
        == "expired"
    )
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.EXPIRED


def test_other_stripe_events_are_acknowledged_and_ignored(fake_stripe, client):
    payload = stripe_event("customer.created", {"id": "cus_1", "object": "customer"})
    assert post(client, payload).json()["outcome"] == "ignored"


def test_forged_and_stale_stripe_signatures_are_rejected(fake_stripe, client, invoice):
    payment = services.start_checkout(invoice=invoice)
    session = fake_stripe.complete(payment.checkout_reference)
    payload = stripe_event("checkout.session.completed", session)
    assert post(client, payload, secret="whsec_wrong").status_code == 400
    assert post(client, payload, timestamp=int(time.time()) - 301).status_code == 400
    assert post(client, payload, timestamp=int(time.time()) + 3600).status_code == 400
    no_header = client.post(
        "/payments/webhooks/stripe/", data=payload, content_type="application/json"
    )
    assert no_header.status_code == 400
    assert not WebhookEvent.objects.exists()
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.PENDING


def test_return_before_the_webhook_reads_the_session(fake_stripe, client, invoice):
    payment = services.start_checkout(invoice=invoice)
    fake_stripe.complete(payment.checkout_reference)
    page = client.get(
        reverse("payments:return", args=[invoice_token(invoice), payment.public_id])
        + f"?session_id={payment.checkout_reference}"
    )
    assert 'data-state="paid"' in page.content.decode()
    retrieve = fake_stripe.requests[-1]
    assert retrieve["method"] == "GET"
    assert retrieve["path"] == f"/v1/checkout/sessions/{payment.checkout_reference}"
    assert "payment_intent.latest_charge.balance_transaction" in retrieve["form"].values()
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.SUCCEEDED


def test_refund_calls_the_refunds_endpoint(fake_stripe, client, invoice, clerk):
    payment = services.start_checkout(invoice=invoice)
    session = fake_stripe.complete(payment.checkout_reference)
    post(client, stripe_event("checkout.session.completed", session))
    refund = services_refunds.refund_payment(
        payment=Payment.objects.get(pk=payment.pk),
        amount_cents=2500,
        reason="Overcharged",
        actor=clerk,
    )
    request = fake_stripe.requests[-1]
    assert (request["method"], request["path"]) == ("POST", "/v1/refunds")
    assert request["form"]["payment_intent"] == session["payment_intent"]
    assert request["form"]["amount"] == "2500"
    assert request["form"]["metadata[payment]"] == str(payment.public_id)
    assert request["headers"]["Idempotency-Key"] == f"refund-{refund.public_id}"
    assert refund.status == RefundStatus.SUCCEEDED and refund.provider_reference.startswith(
        "re_test_"
    )
    entry = LedgerEntry.objects.get(kind=LedgerKind.REFUND)
    assert entry.provider == "stripe" and entry.amount_cents == -2500


def test_stripe_down_at_checkout_leaves_nothing_behind(fake_stripe, client, invoice):
    fake_stripe.fail_next = [500, 500, 500]
    with pytest.raises(ProviderUnavailable):
        services.start_checkout(invoice=invoice)
    assert not Payment.objects.exists()
    fake_stripe.fail_next = [500, 500, 500]
    page = client.post(reverse("payments:checkout", args=[invoice_token(invoice)]), follow=True)
    assert "The payment service is not answering" in page.content.decode()


def test_stripe_refusing_a_refund_gives_the_amount_back(fake_stripe, client, invoice, clerk):
    payment = services.start_checkout(invoice=invoice)
    session = fake_stripe.complete(payment.checkout_reference)
    post(client, stripe_event("checkout.session.completed", session))
    fake_stripe.fail_next = [400]
    from cityhall.payments.errors import RefundFailed

    with pytest.raises(RefundFailed):
        services_refunds.refund_payment(
            payment=Payment.objects.get(pk=payment.pk), amount_cents=2500, reason="x", actor=clerk
        )
    assert Payment.objects.get(pk=payment.pk).refunded_cents == 0


def test_a_void_expires_the_session_at_stripe(fake_stripe, invoice, clerk):
    payment = services.start_checkout(invoice=invoice)
    services.void_invoice(invoice=invoice, actor=clerk, reason="Issued in error")
    from cityhall.payments.tasks import expire_checkout

    expire_checkout.call(payment.pk)
    assert fake_stripe.sessions[payment.checkout_reference]["status"] == "expired"
    assert fake_stripe.requests[-1]["path"].endswith("/expire")


def test_the_sweeper_finds_a_payment_whose_webhook_was_lost(fake_stripe, invoice):
    payment = services.start_checkout(invoice=invoice)
    fake_stripe.complete(payment.checkout_reference)
    Payment.objects.filter(pk=payment.pk).update(expires_at=timezone.now().replace(year=2000))
    assert services_payments.sweep_pending_checkouts()["checkouts"] == 1
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.SUCCEEDED
