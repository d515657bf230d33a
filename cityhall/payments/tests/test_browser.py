"""A resident pays an invoice through the sandbox in headless Chromium and gets the
receipt email; a finance clerk signs in with a second factor and refunds part of
it; the day's reconciliation CSV balances. In English and Spanish, with axe-core
(WCAG 2.2 AA rules) on every page on the way."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.core import mail
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from pypdf import PdfReader

from cityhall.payments.models import CASH_KINDS, LedgerEntry, Payment, PaymentStatus
from cityhall.payments.selectors import invoice_token
from cityhall.testing import assert_accessible, current_totp

from .conftest import run_worker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def pdf_text(data: bytes) -> str:
    return " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(data)).pages)


def pay_as_resident(page, invoice, language):
    prefix = "/es" if language == "es" else ""
    page.goto(page.base + prefix + reverse("payments:invoice", args=[invoice_token(invoice)]))
    assert page.locator("html").get_attribute("lang") == language
    assert invoice.number in page.inner_text("main")
    assert_accessible(page, f"{language}-invoice")
    page.locator("main form button[type=submit]").click()

    page.wait_for_url(re.compile("/pay/sandbox/"))
    assert ("PRUEBA" if language == "es" else "TEST") in page.inner_text(
        "main"
    )  # clearly marked as a test
    assert_accessible(page, f"{language}-sandbox-checkout")
    # Sent empty: clear messages next to each field, and the summary.
    page.fill("[name=name]", "Ana García")
    page.locator("main form button[type=submit]").click()
    page.locator("#error-summary").wait_for()
    assert page.input_value("[name=name]") == "Ana García"
    assert_accessible(page, f"{language}-sandbox-errors")
    # A card with insufficient funds: stay, and try another.
    page.fill("[name=card_number]", "4000 0000 0000 9995")
    page.fill("[name=expiry]", "12/39")
    page.fill("[name=cvc]", "123")
    page.locator("main form button[type=submit]").click()
    page.locator("#id_card_number_error").wait_for()
    assert page.input_value("[name=expiry]") == "12/39"
    page.fill("[name=card_number]", "4242 4242 4242 4242")
    page.fill("[name=cvc]", "123")
    page.locator("main form button[type=submit]").click()

    page.wait_for_url(re.compile("/return/"))
    assert page.get_by_test_id("payment-state").get_attribute("data-state") == "paid"
    assert_accessible(page, f"{language}-return-paid")
    receipt = page.locator("main a[href*='/receipt/']").first
    assert receipt.is_visible()
    pdf = page.request.get(page.base + receipt.get_attribute("href"))
    assert pdf.headers["content-type"] == "application/pdf"
    assert invoice.number in pdf_text(pdf.body())


def sign_in_as_clerk(page, make_user, next_path):
    clerk = make_user(
        "clerk@finance.example.org",
        roles=["finance_clerk"],
        password="correct horse battery",
        full_name="Fran Clerk",
    )
    device = TOTPDevice.objects.create(user=clerk, name="phone", confirmed=True)
    page.goto(page.base + next_path)
    page.fill("[name=username]", clerk.email)
    page.fill("[name=password]", "correct horse battery")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile("/two-factor/"))
    page.fill("[name=code]", current_totp(device))
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(re.escape(next_path.split("?")[0]) + "$"))
    return clerk


@pytest.mark.parametrize("language", ["en", "es"])
def test_resident_pays_clerk_refunds_and_the_day_balances(
    page,
    browser,
    live_server,
    settings,
    fresh_cache,
    make_user,
    make_invoice,
    submit_case,
    language,
):
    settings.CITY_SITE_URL = live_server.url  # so the sandbox's webhook reaches this server
    invoice = make_invoice(case=submit_case(language=language))
    prefix = "/es" if language == "es" else ""

    resident = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    resident_page = resident.new_page()
    resident_page.base = live_server.url
    pay_as_resident(resident_page, invoice, language)
    resident.close()

    payment = Payment.objects.get(invoice=invoice, status=PaymentStatus.SUCCEEDED)
    mail.outbox.clear()
    run_worker()  # the sandbox's webhook over HTTP, the receipt, its email
    [email] = [m for m in mail.outbox if m.attachments]
    assert email.to == ["payer@example.org"] and invoice.number in email.subject
    [(_filename, content, mimetype)] = email.attachments
    assert mimetype == "application/pdf"
    text = pdf_text(content)
    assert invoice.number in text and "$130.00" in text
    assert ("Ciudad de Port Alder" if language == "es" else "City of Port Alder") in text

    # The finance clerk refunds part of it.
    payment_path = prefix + reverse("payments:staff-payment", args=[payment.pk])
    sign_in_as_clerk(page, make_user, payment_path)
    assert_accessible(page, f"{language}-refund-form")
    page.fill("[name=refund-amount]", "200")  # more than was paid
    page.fill("[name=refund-reason]", "Inspection not needed")
    page.locator("form[action$='/refund/'] button[type=submit]").click()
    page.locator("#error-summary").wait_for()
    assert page.input_value("[name=refund-reason]") == "Inspection not needed"
    assert_accessible(page, f"{language}-refund-errors")
    page.fill("[name=refund-amount]", "40.00")
    page.locator("form[action$='/refund/'] button[type=submit]").click()
    page.locator(".usa-alert--success").wait_for()
    assert_accessible(page, f"{language}-refunded")
    payment.refresh_from_db()
    assert payment.refunded_cents == 4000
    assert payment.invoice.status == "partially_refunded"
    mail.outbox.clear()
    run_worker()
    [refund_email] = mail.outbox
    assert refund_email.to == ["payer@example.org"] and "$40.00" in refund_email.subject

    # The day's reconciliation, on the page and as CSV.
    day = timezone.localdate().isoformat()
    page.goto(page.base + prefix + reverse("payments:staff-reconciliation") + f"?date={day}")
    assert_accessible(page, f"{language}-reconciliation")
    assert payment.provider_reference in page.inner_text("main")
    response = page.request.get(
        page.base + reverse("payments:staff-reconciliation-csv") + f"?date={day}"
    )
    assert response.status == 200
    rows = list(csv.DictReader(io.StringIO(response.text())))
    entries = [r for r in rows if r["record"] == "entry"]
    [net] = [r for r in rows if r["record"] == "day_total" and r["kind"] == "net_cash"]
    assert int(net["amount_cents"]) == sum(int(r["amount_cents"]) for r in entries) == 13000 - 4000
    ledger = LedgerEntry.objects.filter(kind__in=CASH_KINDS).aggregate(t=Sum("amount_cents"))["t"]
    assert int(net["amount_cents"]) == ledger


@pytest.mark.parametrize("language", ["en", "es"])
def test_declined_and_status_pages_pass_axe(
    page, live_server, settings, fresh_cache, make_invoice, submit_case, language
):
    from cityhall.cases.selectors import tracking_token

    settings.CITY_SITE_URL = live_server.url
    invoice = make_invoice(case=submit_case(language=language))
    prefix = "/es" if language == "es" else ""
    page.goto(
        page.base + prefix + reverse("cases:track-status", args=[tracking_token(invoice.case)])
    )
    assert_accessible(page, f"{language}-status-with-invoice")
    page.locator("main a[href*='/pay/']").first.click()
    page.wait_for_url(re.compile("/pay/"))
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile("/pay/sandbox/"))
    page.fill("[name=card_number]", "4000 0000 0000 0002")
    page.fill("[name=expiry]", "12/39")
    page.fill("[name=cvc]", "123")
    page.fill("[name=name]", "Ana García")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile("/return/"))
    assert page.get_by_test_id("payment-state").get_attribute("data-state") == "declined"
    assert_accessible(page, f"{language}-return-declined")
    # Try again works from there.
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile("/pay/sandbox/"))


@pytest.mark.parametrize("language", ["en", "es"])
def test_finance_pages_and_their_forms_with_errors_pass_axe(
    page, live_server, settings, fresh_cache, make_user, make_invoice, submit_case, language
):
    """The invoice and payment lists, the flagged list and a flagged payment's
    page, an invoice's waiver and cancel forms with their errors, and the
    reconciliation with a bad day."""
    from django.test import Client

    from cityhall.payments import services

    from .conftest import post_webhook, sandbox_events, start_and_pay

    settings.CITY_SITE_URL = live_server.url
    prefix = "/es" if language == "es" else ""
    open_invoice = make_invoice(case=submit_case(language=language))
    flagged_invoice = make_invoice(case=submit_case(email="second@example.org"))
    payer = Client()
    payment, _back = start_and_pay(payer, flagged_invoice)
    clerk = sign_in_as_clerk(page, make_user, prefix + reverse("payments:staff-invoices"))
    services.void_invoice(invoice=flagged_invoice, actor=clerk, reason="Issued twice")
    [event] = sandbox_events(payment)
    post_webhook(payer, event)  # paid after it was cancelled: refunded and flagged
    payment.refresh_from_db()
    assert payment.needs_review

    for name in ("payments:staff-invoices", "payments:staff-payments", "payments:staff-flagged"):
        page.goto(page.base + prefix + reverse(name))
        assert flagged_invoice.number in page.inner_text("main")
        assert_accessible(page, f"{language}-{name.split(':')[1]}")
    page.goto(page.base + prefix + reverse("payments:staff-payment", args=[payment.pk]))
    assert_accessible(page, f"{language}-flagged-payment")

    page.goto(page.base + prefix + reverse("payments:staff-invoice", args=[open_invoice.number]))
    assert_accessible(page, f"{language}-invoice-forms")
    page.fill("[name=waive-amount]", "500.00")  # more than the $130.00 owed
    page.fill("[name=waive-reason]", "Hardship")
    page.locator("form[action$='/waive/'] button[type=submit]").click()
    page.locator("#error-summary").wait_for()
    assert page.input_value("[name=waive-reason]") == "Hardship"
    assert_accessible(page, f"{language}-waiver-errors")
    page.fill("[name=void-reason]", " ")
    page.locator("form[action$='/void/'] button[type=submit]").click()
    page.locator("#id_void-reason_error").wait_for()
    assert_accessible(page, f"{language}-void-errors")
    page.fill("[name=waive-amount]", "30.00")
    page.fill("[name=waive-reason]", "Hardship")
    page.locator("form[action$='/waive/'] button[type=submit]").click()
    page.locator(".usa-alert--success").wait_for()
    assert_accessible(page, f"{language}-waived")

    page.goto(page.base + prefix + reverse("payments:staff-reconciliation") + "?date=soon")
    assert_accessible(page, f"{language}-reconciliation-errors")
