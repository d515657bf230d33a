"""Invoices: issuing one for a case, the payer's email, waivers and cancellation
by finance clerks only, and what each does to pending checkouts."""

from __future__ import annotations

import re

import pytest
from django.utils import translation
from django.utils.translation import gettext

from cityhall.cases.errors import NotAllowed
from cityhall.cases.models import CaseEvent, EventKind
from cityhall.notifications.models import Notification
from cityhall.payments import services
from cityhall.payments.errors import FeeError, InvoiceNotOpen, InvoiceNotPayable, PaymentError
from cityhall.payments.fees import FeeItem
from cityhall.payments.models import (
    InvoiceStatus,
    LedgerEntry,
    LedgerKind,
    LineKind,
    Payment,
    PaymentStatus,
)
from cityhall.payments.models_sandbox import SandboxSession
from cityhall.payments.selectors import invoice_from_token

from .conftest import SCHEDULE

pytestmark = pytest.mark.django_db

NUMBER = re.compile(r"^PAY-\d{4}-\d{5}-[A-HJ-NP-Z2-8]$")


def test_an_invoice_copies_the_fees_and_notes_the_timeline(make_invoice):
    invoice = make_invoice()
    assert NUMBER.match(invoice.number)
    assert invoice.status == InvoiceStatus.OPEN and invoice.total_cents == 13000
    assert invoice.service == "sample" and invoice.currency == "USD" and invoice.resident
    assert [(line.code, line.amount_cents) for line in invoice.lines.all()] == [
        ("application", 5000),
        ("hours", 8000),
    ]
    event = CaseEvent.objects.get(case=invoice.case, kind=EventKind.INVOICE)
    assert event.public and event.payload["invoice"] == invoice.number
    assert not Notification.objects.exists()  # notify_payer=False


def test_the_payer_is_emailed_a_link_in_their_language(make_invoice, submit_case):
    invoice = make_invoice(case=submit_case(language="es"), notify_payer=True)
    email = Notification.objects.get(kind="payment_invoice")
    assert email.language == "es" and email.to_email == "payer@example.org"
    assert invoice.number in email.subject
    [token] = re.findall(r"/es/pay/([^/\s]+)/", email.body_text)
    assert invoice_from_token(token) == invoice
    assert f"/es/pay/{token}/" in email.body_html


def test_extra_lines_and_non_resident_rates(submit_case, schedule):
    invoice = services.create_invoice(
        case=submit_case(),
        schedule=SCHEDULE,
        items=[FeeItem("application")],
        lines=[services.ExtraLine("Sign posting", "Colocación de aviso", 1500)],
        resident=False,
        notify_payer=False,
    )
    assert invoice.total_cents == 7500 + 1500
    assert invoice.lines.last().label("es") == "Colocación de aviso"


def test_an_invoice_for_nothing_is_refused(submit_case):
    with pytest.raises(FeeError):
        services.create_invoice(
            case=submit_case(), lines=[services.ExtraLine("Free", "Gratis", 0)], notify_payer=False
        )


def test_partial_then_full_waiver(invoice, clerk):
    line = services.waive_invoice(
        invoice=invoice, actor=clerk, reason="Hardship", amount_cents=3000
    )
    invoice.refresh_from_db()
    assert line.kind == LineKind.WAIVER and line.amount_cents == -3000
    assert line.label_en == "Fee waived"
    with translation.override("es"):
        assert line.label("es") == gettext("Fee waived")
    assert invoice.total_cents == 10000 and invoice.status == InvoiceStatus.OPEN
    services.waive_invoice(invoice=invoice, actor=clerk, reason="Council decision")
    invoice.refresh_from_db()
    assert invoice.total_cents == 0 and invoice.status == InvoiceStatus.WAIVED
    waivers = LedgerEntry.objects.filter(kind=LedgerKind.WAIVER).order_by("id")
    assert [w.amount_cents for w in waivers] == [-3000, -10000]
    assert waivers[0].memo == "Hardship" and waivers[0].actor == clerk and waivers[0].provider == ""
    assert CaseEvent.objects.filter(case=invoice.case, kind=EventKind.WAIVER).count() == 2
    with pytest.raises(InvoiceNotPayable):
        services.start_checkout(invoice=invoice)


@pytest.mark.parametrize(
    ("amount", "reason", "field"),
    [(0, "x", "amount"), (-5, "x", "amount"), (13001, "x", "amount"), (100, "  ", "reason")],
)
def test_bad_waivers_are_refused(invoice, clerk, amount, reason, field):
    with pytest.raises(PaymentError) as caught:
        services.waive_invoice(invoice=invoice, actor=clerk, reason=reason, amount_cents=amount)
    assert caught.value.field == field
    invoice.refresh_from_db()
    assert invoice.total_cents == 13000 and not LedgerEntry.objects.exists()


@pytest.mark.parametrize("roles", [(), ("permit_reviewer",), ("city_admin",), ("resident",)])
def test_only_finance_clerks_waive_or_cancel(invoice, make_user, roles):
    person = make_user("someone@example.org", roles=roles) if roles else None
    with pytest.raises(NotAllowed):
        services.waive_invoice(invoice=invoice, actor=person, reason="Because")
    with pytest.raises(NotAllowed):
        services.void_invoice(invoice=invoice, actor=person, reason="Because")
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.OPEN and invoice.total_cents == 13000
    assert not invoice.lines.filter(kind=LineKind.WAIVER).exists()
    assert not CaseEvent.objects.filter(
        kind__in=[EventKind.WAIVER, EventKind.INVOICE_VOID]
    ).exists()


def test_cancel_an_invoice(invoice, clerk):
    services.void_invoice(invoice=invoice, actor=clerk, reason="Issued in error")
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.VOID and invoice.voided_by == clerk
    assert invoice.void_reason == "Issued in error"
    event = CaseEvent.objects.get(case=invoice.case, kind=EventKind.INVOICE_VOID)
    assert event.public and event.payload["reason"] == "Issued in error"
    with pytest.raises(InvoiceNotPayable, match="cancelled"):
        services.start_checkout(invoice=invoice)
    with pytest.raises(InvoiceNotOpen):
        services.void_invoice(invoice=invoice, actor=clerk, reason="Again")
    with pytest.raises(InvoiceNotOpen):
        services.waive_invoice(invoice=invoice, actor=clerk, reason="After")


def test_a_service_may_cancel_its_own_invoice(invoice):
    services.void_invoice(invoice=invoice, reason="Application withdrawn", system=True)
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.VOID and invoice.voided_by is None


def test_a_waiver_or_cancellation_closes_pending_checkouts(invoice, clerk):
    payment = services.start_checkout(invoice=invoice)
    assert payment.status == PaymentStatus.PENDING
    services.waive_invoice(invoice=invoice, actor=clerk, reason="Hardship", amount_cents=1000)
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.EXPIRED
    from cityhall.payments.tasks import expire_checkout

    expire_checkout.call(payment.pk)
    assert SandboxSession.objects.get(pk=payment.checkout_reference).status == "expired"
    # The next checkout is for the new amount.
    again = services.start_checkout(invoice=invoice)
    assert again.pk != payment.pk and again.amount_cents == 12000


def test_checkout_adds_the_convenience_fee(invoice, settings):
    settings.CITYHALL_CONVENIENCE_FEE_BPS = 300
    settings.CITYHALL_CONVENIENCE_FEE_CENTS = 25
    payment = services.start_checkout(invoice=invoice, language="es")
    assert payment.fee_cents == 390 + 25
    assert payment.amount_cents == 13000 + 415
    session = SandboxSession.objects.get(pk=payment.checkout_reference)
    assert session.amount_cents == 13415
    assert session.lines[-1]["amount_cents"] == 415
    assert "/es/pay/sandbox/" in payment.checkout_url


def test_a_provider_that_does_not_answer_leaves_nothing_behind(invoice, monkeypatch):
    from cityhall.payments.errors import ProviderUnavailable
    from cityhall.payments.providers import ProviderError, sandbox

    def down(self, **kwargs):
        raise ProviderError("timeout", definitive=False)

    monkeypatch.setattr(sandbox.SandboxProvider, "create_checkout", down)
    with pytest.raises(ProviderUnavailable):
        services.start_checkout(invoice=invoice)
    assert not Payment.objects.exists()
