"""Finance staff pages (who may see, who may act, forms that keep what was typed)
and the payments section on the resident's status page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cityhall.cases.models import PersonalDataView
from cityhall.cases.selectors import tracking_token
from cityhall.core.registry import registry
from cityhall.payments import services, services_payments
from cityhall.payments.models import InvoiceStatus, LineKind, Payment
from cityhall.payments.selectors import invoice_token

from .conftest import post_webhook, sandbox_events, start_and_pay

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid(client, invoice):
    payment, _ = start_and_pay(client, invoice)
    services_payments.refresh_payment(payment)
    return Payment.objects.select_related("invoice__case").get(pk=payment.pk)


STAFF_PAGES = [
    ("payments:staff-invoices", ()),
    ("payments:staff-payments", ()),
    ("payments:staff-flagged", ()),
    ("payments:staff-reconciliation", ()),
    ("payments:staff-reconciliation-csv", ()),
]


@pytest.mark.parametrize(("name", "args"), STAFF_PAGES)
def test_finance_clerks_and_city_admins_see_the_pages(staff_client, name, args):
    for role in ("finance_clerk", "city_admin"):
        client, _ = staff_client(role, email=f"{role}-{name}@staff.example.org")
        assert client.get(reverse(name, args=args)).status_code == 200, role


@pytest.mark.parametrize(("name", "args"), STAFF_PAGES)
def test_other_staff_get_403_and_residents_are_sent_away(staff_client, client, name, args):
    other, _ = staff_client("permit_reviewer")
    assert other.get(reverse(name, args=args)).status_code == 403


def test_anonymous_people_must_sign_in(client):
    response = client.get(reverse("payments:staff-invoices"))
    assert response.status_code == 302 and "/accounts/" in response["Location"]


def test_invoice_list_filters(staff_client, make_invoice, clerk):
    first = make_invoice()
    second = make_invoice()
    services.void_invoice(invoice=second, actor=clerk, reason="Error")
    client, _ = staff_client("finance_clerk")
    url = reverse("payments:staff-invoices")
    html = client.get(url).content.decode()
    assert first.number in html and second.number in html
    html = client.get(url + "?status=void").content.decode()
    assert second.number in html and first.number not in html
    html = client.get(url + f"?q={first.number.lower()}").content.decode()
    assert first.number in html and second.number not in html
    html = client.get(url + f"?q={first.case.reference}").content.decode()
    assert first.number in html
    assert client.get(url + "?status=bogus&service=nope&page=zz").status_code == 200


def test_payment_list_filters(staff_client, paid, invoice):
    client, _ = staff_client("finance_clerk")
    url = reverse("payments:staff-payments")
    assert f"#{paid.pk}" in client.get(url).content.decode()
    assert f"#{paid.pk}" in client.get(url + "?status=succeeded&provider=sandbox").content.decode()
    assert f"#{paid.pk}" not in client.get(url + "?status=failed").content.decode()
    assert f"#{paid.pk}" not in client.get(url + "?flagged=1").content.decode()


def test_invoice_page_logs_the_view_and_shows_payments(staff_client, paid):
    client, clerk = staff_client("finance_clerk")
    invoice = paid.invoice
    page = client.get(reverse("payments:staff-invoice", args=[invoice.number]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "payer@example.org" in html and f"#{paid.pk}" in html
    assert PersonalDataView.objects.filter(case=invoice.case, viewer=clerk, what="invoice").exists()
    assert (
        client.get(reverse("payments:staff-invoice", args=["PAY-2026-99999-A"])).status_code == 404
    )


def test_waiver_form(staff_client, invoice):
    client, clerk = staff_client("finance_clerk")
    url = reverse("payments:staff-waive", args=[invoice.number])
    bad = client.post(url, {"waive-amount": "500", "waive-reason": "Hardship"})
    html = bad.content.decode()
    assert "That is more than the invoice" in html and "Hardship</textarea>" in html
    missing = client.post(url, {"waive-amount": "", "waive-reason": ""})
    assert "Give the reason for the waiver." in missing.content.decode()
    done = client.post(url, {"waive-amount": "30", "waive-reason": "Hardship"}, follow=True)
    assert "Waiver recorded." in done.content.decode()
    invoice.refresh_from_db()
    assert invoice.total_cents == 10000
    line = invoice.lines.get(kind=LineKind.WAIVER)
    assert line.reason == "Hardship" and line.created_by == clerk


def test_void_form(staff_client, invoice):
    client, _ = staff_client("finance_clerk")
    url = reverse("payments:staff-void", args=[invoice.number])
    assert (
        "Give the reason for cancelling" in client.post(url, {"void-reason": " "}).content.decode()
    )
    done = client.post(url, {"void-reason": "Issued twice"}, follow=True)
    assert "Invoice cancelled." in done.content.decode()
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.VOID
    again = client.post(url, {"void-reason": "Again"}, follow=True)
    assert "no longer open" in again.content.decode()


@pytest.mark.parametrize("role", ["city_admin", "permit_reviewer"])
def test_only_clerks_waive_or_cancel_through_the_pages(staff_client, invoice, role):
    client, _ = staff_client(role)
    assert (
        client.post(
            reverse("payments:staff-waive", args=[invoice.number]), {"waive-reason": "x"}
        ).status_code
        == 403
    )
    assert (
        client.post(
            reverse("payments:staff-void", args=[invoice.number]), {"void-reason": "x"}
        ).status_code
        == 403
    )
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.OPEN and invoice.total_cents == 13000


def test_city_admins_see_no_action_forms(staff_client, paid, make_invoice):
    client, _ = staff_client("city_admin")
    html = client.get(reverse("payments:staff-payment", args=[paid.pk])).content.decode()
    assert "Only finance clerks can refund." in html and "refund-amount" not in html
    open_invoice = make_invoice()
    html = client.get(
        reverse("payments:staff-invoice", args=[open_invoice.number])
    ).content.decode()
    assert "Only finance clerks can waive or cancel" in html and "waive-reason" not in html


def test_flagged_payments_and_marking_them_reviewed(staff_client, client, invoice, clerk):
    payment, _ = start_and_pay(client, invoice)
    services.void_invoice(invoice=invoice, actor=clerk, reason="Duplicate")
    [event] = sandbox_events(payment)
    post_webhook(client, event)
    staff, me = staff_client("finance_clerk", email="reviewer@finance.example.org")
    html = staff.get(reverse("payments:staff-flagged")).content.decode()
    assert f"#{payment.pk}" in html and "Paid after the invoice was cancelled" in html
    page = staff.get(reverse("payments:staff-payment", args=[payment.pk])).content.decode()
    assert "Flagged:" in page and "Mark as reviewed" in page
    staff.post(
        reverse("payments:staff-resolve", args=[payment.pk]),
        {"resolve-note": "Called the payer; refund confirmed."},
    )
    payment.refresh_from_db()
    assert payment.flag_resolved_by == me and not payment.needs_review
    assert payment.flag_note == "Called the payer; refund confirmed."
    queue = next(q for q in registry.queues if q.url_name == "payments:staff-flagged")
    assert queue.count() == 0


def test_staff_home_lists_the_payments_queues(staff_client):
    client, _ = staff_client("finance_clerk")
    html = client.get(reverse("core:staff-home")).content.decode()
    assert reverse("payments:staff-invoices") in html
    assert reverse("payments:staff-flagged") in html
    assert reverse("payments:staff-reconciliation") in html


# ---- the resident's status page -------------------------------------------


def test_status_page_shows_the_invoice_to_pay(client, invoice):
    page = client.get(reverse("cases:track-status", args=[tracking_token(invoice.case)]))
    html = page.content.decode()
    assert f"Invoice {invoice.number}" in html
    assert "Pay $130.00" in html
    [link] = [
        part.split('"')[0] for part in html.split('href="')[1:] if "/pay/" in part.split('"')[0]
    ]
    assert client.get(link).status_code == 200


def test_status_page_shows_the_receipt_and_documents_once_paid(client, paid):
    services_payments.issue_receipt(paid)
    html = client.get(
        reverse("cases:track-status", args=[tracking_token(paid.invoice.case)])
    ).content.decode()
    receipt = reverse("payments:receipt", args=[invoice_token(paid.invoice), paid.public_id])
    assert receipt.rsplit("/", 3)[0].rsplit("/", 1)[0] in html  # /pay/<token>/…
    assert f"/receipt/{paid.public_id}/" in html
    assert "Payment receipt (PDF)" in html
    assert paid.receipt.verification_code in html
    assert "Pay $130.00" not in html


def test_status_page_without_invoices_has_no_payments_section(client, submit_case):
    case = submit_case()
    html = client.get(reverse("cases:track-status", args=[tracking_token(case)])).content.decode()
    assert "Payments" not in html.split("What happened so far")[0]


def test_staff_pages_say_when_payments_are_in_test_mode(staff_client, settings, fake_stripe):
    client, _ = staff_client("finance_clerk")
    settings.CITYHALL_PAYMENT_PROVIDER = "sandbox"
    assert "Test mode" in client.get(reverse("payments:staff-invoices")).content.decode()
    settings.CITYHALL_PAYMENT_PROVIDER = "stripe"
    assert "Test mode" not in client.get(reverse("payments:staff-invoices")).content.decode()
