"""The PDF receipt: issued once through the documents foundation, read back with
pypdf, emailed as an attachment in the case's language, downloadable by the payer."""

from __future__ import annotations

import io

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import formats, timezone, translation
from pypdf import PdfReader

from cityhall.cases.models import CaseEvent, EventKind
from cityhall.documents.models import Document
from cityhall.notifications.models import Notification
from cityhall.notifications.services import deliver
from cityhall.payments import services_payments
from cityhall.payments.models import Payment
from cityhall.payments.selectors import invoice_token

from .conftest import start_and_pay

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes) -> str:
    return " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def paid(client, invoice):
    payment, _ = start_and_pay(client, invoice)
    services_payments.refresh_payment(payment)
    return Payment.objects.select_related("invoice__case").get(pk=payment.pk)


def test_the_receipt_says_what_was_paid_when_and_to_whom(paid):
    document = services_payments.issue_receipt(paid)
    text = pdf_text(document.file.read())
    invoice = paid.invoice
    with translation.override("en"):
        day = formats.date_format(timezone.localtime(paid.completed_at), "DATE_FORMAT")
    for expected in [
        "City of Port Alder",
        "Payment receipt",
        invoice.number,
        invoice.case.reference,
        "$130.00",
        "Application fee",
        "Inspection time (2 hours × $40.00)",
        "ending in 4242",
        paid.provider_reference,
        day,
        "Ana García",
        document.verification_code,
    ]:
        assert expected in text, expected
    assert document.kind == "payment_receipt" and document.case == invoice.case
    assert CaseEvent.objects.filter(kind=EventKind.DOCUMENT, case=invoice.case).count() == 1
    # Issued once, however often it is asked for.
    assert services_payments.issue_receipt(paid) == document
    assert Document.objects.count() == 1


def test_a_spanish_case_gets_a_spanish_receipt(client, make_invoice, submit_case):
    invoice = make_invoice(case=submit_case(language="es"))
    payment, _ = start_and_pay(client, invoice, language_prefix="/es")
    services_payments.refresh_payment(payment)
    document = services_payments.issue_receipt(payment)
    text = pdf_text(document.file.read())
    assert document.language == "es"
    assert "Ciudad de Port Alder" in text
    assert "Tarifa de solicitud" in text and "2 horas × $40.00" in text
    assert invoice.number in text and "$130.00" in text


def test_the_receipt_is_emailed_once_with_the_pdf_attached(paid):
    assert services_payments.send_receipt(paid.pk) == "sent"
    assert services_payments.send_receipt(paid.pk) == "already sent"
    email = Notification.objects.get(kind="payment_receipt")
    assert email.to_email == "payer@example.org" and paid.invoice.number in email.subject
    mail.outbox.clear()
    deliver(email.pk)
    [message] = mail.outbox
    [(filename, content, mimetype)] = message.attachments
    assert (filename, mimetype) == (f"receipt-{paid.invoice.number}.pdf", "application/pdf")
    text = pdf_text(content)
    assert paid.invoice.number in text and "$130.00" in text and "City of Port Alder" in text
    assert Payment.objects.get(pk=paid.pk).receipt_emailed_at is not None


def test_the_receipt_email_speaks_the_cases_language(client, make_invoice, submit_case):
    invoice = make_invoice(case=submit_case(language="es"))
    payment, _ = start_and_pay(client, invoice)
    services_payments.refresh_payment(payment)
    services_payments.send_receipt(payment.pk)
    email = Notification.objects.get(kind="payment_receipt")
    assert email.language == "es" and "Ciudad de Port Alder" in email.body_text


def test_the_payer_downloads_the_receipt_and_nobody_else_can(client, paid, invoice):
    token = invoice_token(paid.invoice)
    url = reverse("payments:receipt", args=[token, paid.public_id])
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert paid.invoice.number in pdf_text(b"".join(response.streaming_content))
    # Another invoice's link, or a payment that did not go through: 404.

    other = Payment.objects.create(
        invoice=paid.invoice, provider="sandbox", amount_cents=100, currency="USD"
    )
    assert client.get(reverse("payments:receipt", args=[token, other.public_id])).status_code == 404
    assert client.get(reverse("payments:receipt", args=["bad", paid.public_id])).status_code == 404


def test_a_payment_that_did_not_go_through_has_no_receipt(client, invoice):
    payment, _ = start_and_pay(client, invoice, card="4000 0000 0000 0002")
    services_payments.refresh_payment(payment)
    with pytest.raises(ValueError):
        services_payments.issue_receipt(payment)
    assert services_payments.send_receipt(payment.pk) == "not paid"


def test_the_sweeper_queues_receipts_whose_task_failed(paid):
    from datetime import timedelta

    from django_tasks_db.models import DBTaskResult

    Payment.objects.filter(pk=paid.pk).update(completed_at=timezone.now() - timedelta(hours=1))
    DBTaskResult.objects.all().delete()
    assert services_payments.sweep_pending_checkouts()["receipts"] == 1
    assert DBTaskResult.objects.filter(task_path__endswith="send_receipt").count() == 1
