"""The sandbox end to end through the Django test client: invoice page, Pay,
the hosted test checkout, back to the return page; the real webhook task
POSTing to a live server; declines, retries, and the return page telling the
truth before the webhook arrives."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.db.models import Sum
from django.test import Client
from django.urls import reverse

from cityhall.cases.models import CaseEvent, EventKind
from cityhall.notifications.models import Notification
from cityhall.payments.models import (
    Invoice,
    InvoiceStatus,
    LedgerEntry,
    Payment,
    PaymentStatus,
    WebhookEvent,
)
from cityhall.payments.models_sandbox import SandboxEvent, SandboxSession
from cityhall.payments.selectors import invoice_from_token, invoice_token

from .conftest import card_data, path_of, run_worker, start_and_pay


def test_invoice_page_shows_lines_total_due_date_and_pay(client, invoice):
    page = client.get(reverse("payments:invoice", args=[invoice_token(invoice)]))
    html = page.content.decode()
    assert page.status_code == 200
    assert invoice.number in html
    assert "Application fee" in html and "Inspection time" in html
    assert "2 hours × $40.00" in html
    assert "$130.00" in html
    assert "Pay $130.00" in html
    assert invoice.due_date.strftime("%Y") in html
    assert page["Cache-Control"].startswith("max-age=0")


def test_a_bad_or_tampered_link_is_404(client, invoice):
    token = invoice_token(invoice)
    assert client.get(reverse("payments:invoice", args=[token[:-2] + "xx"])).status_code == 404
    assert client.get(reverse("payments:invoice", args=["nothing"])).status_code == 404


def test_spanish_invoice_page(client, invoice):
    page = client.get("/es" + reverse("payments:invoice", args=[invoice_token(invoice)]))
    assert page.status_code == 200
    assert '<html lang="es">' in page.content.decode()
    assert "Tarifa de solicitud" in page.content.decode()


@pytest.mark.django_db
def test_sandbox_page_is_marked_test_and_keeps_no_card_data(client, invoice):
    payment, back = start_and_pay(client, invoice)
    session = SandboxSession.objects.get(pk=payment.checkout_reference)
    assert back.status_code == 302
    assert session.payment_status == "paid" and session.card_last4 == "4242"
    assert session.attempts[0]["last4"] == "4242" and session.attempts[0]["outcome"] == "succeeded"
    # Nothing anywhere holds the card number, the expiry or the security code.
    stored = " ".join(
        str(row)
        for model in (SandboxSession, SandboxEvent, Payment, WebhookEvent, Notification)
        for row in model.objects.values()
    )
    assert "4242424242424242" not in stored and "4242 4242 4242 4242" not in stored
    assert "12/39" not in stored


def test_checkout_page_has_test_banner(client, invoice):
    token = invoice_token(invoice)
    response = client.post(reverse("payments:checkout", args=[token]))
    page = client.get(path_of(response["Location"]))
    html = page.content.decode()
    assert "TEST PAYMENT PAGE" in html
    assert "4242 4242 4242 4242" in html and "4000 0000 0000 0002" in html
    assert "$130.00" in html
    assert 'autocomplete="cc-number"' in html


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"card_number": ""}, "card_number", "Enter the card number."),
        ({"card_number": "1234"}, "card_number", "12 to 19 digits"),
        ({"card_number": "4242 4242 4242 4241"}, "card_number", "not valid"),
        ({"card_number": "5555 5555 5555 4444"}, "card_number", "use one of the test card numbers"),
        ({"expiry": "13/30"}, "expiry", "between 01 and 12"),
        ({"expiry": "01/20"}, "expiry", "has expired"),
        ({"expiry": "soon"}, "expiry", "MM/YY"),
        ({"cvc": "12"}, "cvc", "3 or 4 digit"),
        ({"name": "  "}, "name", "Enter the name on the card."),
    ],
)
def test_sandbox_checkout_validates_on_the_server_and_keeps_what_was_typed(
    client, invoice, changes, field, message
):
    token = invoice_token(invoice)
    checkout = path_of(client.post(reverse("payments:checkout", args=[token]))["Location"])
    data = card_data(**changes)
    page = client.post(checkout, data)
    html = page.content.decode()
    assert page.status_code == 200
    assert message in html
    assert 'id="error-summary"' in html
    assert f'id="id_{field}_error"' in html
    for name, value in data.items():
        if value.strip() and name != field:
            assert f'value="{value}"' in html
    session = SandboxSession.objects.get()
    assert session.status == "open" and session.attempts == []


def test_insufficient_funds_asks_for_another_card_then_succeeds(client, invoice):
    payment, page = start_and_pay(client, invoice, card="4000 0000 0000 9995")
    assert page.status_code == 200
    html = page.content.decode()
    assert "insufficient funds" in html
    assert 'value="Ana García"' in html and 'value="12/39"' in html
    session = SandboxSession.objects.get(pk=payment.checkout_reference)
    assert session.status == "open"
    assert session.attempts == [
        {"at": session.attempts[0]["at"], "last4": "9995", "outcome": "insufficient_funds"}
    ]
    assert payment.status == PaymentStatus.PENDING

    back = client.post(path_of(payment.checkout_url), card_data())
    assert back.status_code == 302
    done = client.get(path_of(back["Location"]))
    assert 'data-state="paid"' in done.content.decode()


def test_declined_card_shows_declined_and_a_way_to_try_again(client, invoice):
    payment, back = start_and_pay(client, invoice, card="4000 0000 0000 0002")
    page = client.get(path_of(back["Location"]))
    html = page.content.decode()
    assert 'data-state="declined"' in html
    assert "Nothing was charged" in html
    assert "Try again" in html
    payment.refresh_from_db()
    invoice.refresh_from_db()
    assert payment.status == PaymentStatus.FAILED
    assert invoice.status == InvoiceStatus.OPEN
    assert CaseEvent.objects.filter(case=invoice.case, kind=EventKind.PAYMENT_FAILED).count() == 1
    assert not LedgerEntry.objects.exists()

    # Trying again opens a new checkout, which succeeds.
    second, back = start_and_pay(client, invoice)
    assert second.pk != payment.pk
    assert 'data-state="paid"' in client.get(path_of(back["Location"])).content.decode()
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID


def test_return_before_the_webhook_asks_the_provider_and_shows_paid(client, invoice):
    payment, back = start_and_pay(client, invoice)
    # The webhook is queued but the worker has not run.
    assert SandboxEvent.objects.get().delivered_at is None
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.PENDING
    page = client.get(path_of(back["Location"]))
    html = page.content.decode()
    assert 'data-state="paid"' in html
    assert "Download your receipt (PDF)" in html
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED
    assert payment.settlement_date is not None and payment.card_last4 == "4242"
    assert Invoice.objects.get(pk=invoice.pk).status == InvoiceStatus.PAID
    receipt = client.get(
        reverse("payments:receipt", args=[invoice_token(invoice), payment.public_id])
    )
    assert receipt.status_code == 200 and receipt["Content-Type"] == "application/pdf"


def test_return_page_while_the_checkout_is_still_open_says_processing(client, invoice):
    token = invoice_token(invoice)
    client.post(reverse("payments:checkout", args=[token]))
    payment = Payment.objects.get()
    page = client.get(reverse("payments:return", args=[token, payment.public_id]))
    html = page.content.decode()
    assert 'data-state="processing"' in html
    assert "Check again" in html and payment.checkout_url in html


def test_second_checkout_for_a_paid_invoice_is_refused(client, invoice):
    start_and_pay(client, invoice)
    payment = Payment.objects.get()
    client.get(reverse("payments:return", args=[invoice_token(invoice), payment.public_id]))
    response = client.post(reverse("payments:checkout", args=[invoice_token(invoice)]), follow=True)
    assert "This invoice is already paid." in response.content.decode()
    assert Payment.objects.count() == 1
    assert SandboxSession.objects.count() == 1


def test_two_clicks_on_pay_give_the_same_checkout(client, invoice):
    token = invoice_token(invoice)
    first = client.post(reverse("payments:checkout", args=[token]))["Location"]
    second = client.post(reverse("payments:checkout", args=[token]))["Location"]
    assert first == second
    assert Payment.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_full_flow_with_the_real_webhook_task(live_server, settings, fresh_cache, make_invoice):
    """Pay, let the worker deliver the sandbox's signed webhook over HTTP to the
    live server, and only then come back: the webhook applied the payment."""
    settings.CITY_SITE_URL = live_server.url
    invoice = make_invoice(notify_payer=True)
    client = Client()
    mail.outbox.clear()
    run_worker()  # the invoice email
    [invoice_email] = mail.outbox
    assert invoice.number in invoice_email.subject
    # The link is signed with a timestamp: compare what it opens, not its text.
    [link_token] = re.findall(r"/pay/([^/\s]+)/", invoice_email.body)
    assert invoice_from_token(link_token) == invoice

    payment, back = start_and_pay(client, invoice)
    mail.outbox.clear()
    run_worker()  # the webhook, then the receipt, then its email

    event = SandboxEvent.objects.get()
    assert event.delivered_at is not None and event.attempts == 1
    webhook = WebhookEvent.objects.get()
    assert (webhook.provider, webhook.outcome) == ("sandbox", "applied")
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED
    assert payment.receipt is not None and payment.receipt_emailed_at is not None
    [receipt_email] = mail.outbox
    assert receipt_email.to == ["payer@example.org"]
    [(filename, content, mimetype)] = receipt_email.attachments
    assert filename == f"receipt-{invoice.number}.pdf" and mimetype == "application/pdf"
    assert content.startswith(b"%PDF")

    page = client.get(path_of(back["Location"]))
    assert 'data-state="paid"' in page.content.decode()
    assert LedgerEntry.objects.aggregate(total=Sum("amount_cents"))["total"] == 13000
    assert CaseEvent.objects.filter(case=invoice.case, kind=EventKind.PAYMENT).count() == 1


@pytest.mark.django_db(transaction=True)
def test_webhook_after_the_return_page_is_applied_once(
    live_server, settings, fresh_cache, make_invoice
):
    settings.CITY_SITE_URL = live_server.url
    invoice = make_invoice()
    client = Client()
    payment, back = start_and_pay(client, invoice)
    assert 'data-state="paid"' in client.get(path_of(back["Location"])).content.decode()
    run_worker()
    assert WebhookEvent.objects.get().outcome == "already applied"
    assert LedgerEntry.objects.filter(payment=payment).count() == 1
    assert CaseEvent.objects.filter(case=invoice.case, kind=EventKind.PAYMENT).count() == 1
    assert Notification.objects.filter(kind="payment_receipt").count() == 1


@pytest.mark.django_db(transaction=True)
def test_webhook_delivery_is_retried_when_cityhall_does_not_answer(
    settings, fresh_cache, make_invoice
):
    settings.CITY_SITE_URL = "http://127.0.0.1:9"  # nothing listens on the discard port
    invoice = make_invoice()
    client = Client()
    start_and_pay(client, invoice)
    run_worker()
    event = SandboxEvent.objects.get()
    assert event.delivered_at is None and event.attempts == 1 and event.last_error
    from django_tasks_db.models import DBTaskResult

    retry = DBTaskResult.objects.filter(
        task_path="cityhall.payments.tasks.deliver_sandbox_event", status="READY"
    ).get()
    assert retry.run_after is not None


def test_the_invoice_page_knows_about_a_payment_whose_return_was_missed(client, invoice):
    payment, _back = start_and_pay(client, invoice)  # paid, tab closed before the return page
    page = client.get(reverse("payments:invoice", args=[invoice_token(invoice)]))
    html = page.content.decode()
    assert "Pay $130.00" not in html
    assert "Download your receipt (PDF)" in html
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED
