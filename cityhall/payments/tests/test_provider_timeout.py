"""The payment provider stops answering in time after the resident has paid on
its page: the return page says the payment is being processed (no error, no
"paid" either), the invoice stays open, and the provider's webhook settles it
later, once."""

import pytest
from django.urls import reverse

from cityhall.payments import services
from cityhall.payments.models import InvoiceStatus, LedgerEntry, Payment, PaymentStatus
from cityhall.payments.selectors import invoice_token

from .test_stripe import post, stripe_event

pytestmark = pytest.mark.django_db


def test_a_provider_timing_out_leaves_the_invoice_open_until_its_webhook(
    fake_stripe, client, invoice, settings
):
    settings.CITYHALL_PAYMENT_PROVIDER_TIMEOUT_SECONDS = 1
    payment = services.start_checkout(invoice=invoice)
    session = fake_stripe.complete(payment.checkout_reference)  # paid at Stripe

    fake_stripe.hang_seconds = 2  # longer than our timeout
    page = client.get(
        reverse("payments:return", args=[invoice_token(invoice), payment.public_id])
        + f"?session_id={payment.checkout_reference}"
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-state="processing"' in html
    assert "Waiting for your payment" in html
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING
    assert payment.invoice.status != InvoiceStatus.PAID
    assert not LedgerEntry.objects.exists()
    # The client gave up after the timeout and its retries, not after 80 s each.
    assert len([r for r in fake_stripe.requests if r["method"] == "GET"]) >= 1

    fake_stripe.hang_seconds = 0
    assert (
        post(client, stripe_event("checkout.session.completed", session)).json()["outcome"]
        == "applied"
    )
    assert (
        post(client, stripe_event("checkout.session.completed", session)).json()["outcome"]
        == "duplicate"
    )
    payment = Payment.objects.get(pk=payment.pk)
    assert payment.status == PaymentStatus.SUCCEEDED
    assert payment.invoice.status == InvoiceStatus.PAID
    assert LedgerEntry.objects.count() == 1
