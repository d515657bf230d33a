"""Refunds: partial then full, never more than was paid (in the service and in the
database), only by finance clerks, with a reason; the payer is emailed; a
provider's "no" gives the amount back, an unknown outcome is retried."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from cityhall.cases.errors import NotAllowed
from cityhall.cases.models import CaseEvent, EventKind
from cityhall.notifications.models import Notification
from cityhall.payments import services_payments, services_refunds
from cityhall.payments.errors import RefundError, RefundFailed, RefundTooLarge
from cityhall.payments.models import (
    InvoiceStatus,
    LedgerEntry,
    LedgerKind,
    Payment,
    Refund,
    RefundStatus,
)
from cityhall.payments.models_sandbox import SandboxRefund
from cityhall.payments.providers import ProviderError, sandbox

from .conftest import start_and_pay

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid(client, invoice):
    payment, _back = start_and_pay(client, invoice)
    services_payments.refresh_payment(payment)
    payment.refresh_from_db()
    assert payment.status == "succeeded"
    return payment


def refund(payment, amount, actor, reason="Permit withdrawn"):
    return services_refunds.refund_payment(
        payment=payment, amount_cents=amount, reason=reason, actor=actor
    )


def test_partial_then_full_refund(paid, clerk):
    first = refund(paid, 3000, clerk)
    paid.refresh_from_db()
    assert first.status == RefundStatus.SUCCEEDED and first.provider_reference.startswith("re_sbx_")
    assert paid.refunded_cents == 3000
    assert paid.invoice.status == InvoiceStatus.PARTIALLY_REFUNDED
    entry = LedgerEntry.objects.get(kind=LedgerKind.REFUND)
    assert (entry.amount_cents, entry.refund, entry.actor, entry.memo) == (
        -3000,
        first,
        clerk,
        "Permit withdrawn",
    )
    assert entry.provider_reference == first.provider_reference
    email = Notification.objects.get(kind="payment_refunded")
    assert "$30.00" in email.subject and email.to_email == "payer@example.org"

    refund(paid, 10000, clerk, reason="Application refused")
    paid.refresh_from_db()
    assert paid.refunded_cents == 13000
    assert paid.invoice.status == InvoiceStatus.REFUNDED
    assert CaseEvent.objects.filter(kind=EventKind.REFUND, public=True).count() == 2
    assert Notification.objects.filter(kind="payment_refunded").count() == 2
    with pytest.raises(RefundTooLarge):
        refund(paid, 1, clerk)


def test_a_refund_larger_than_the_payment_is_refused(paid, clerk):
    with pytest.raises(RefundTooLarge) as caught:
        refund(paid, 13001, clerk)
    assert caught.value.remaining_cents == 13000
    refund(paid, 5000, clerk)
    with pytest.raises(RefundTooLarge, match=r"\$80\.00"):
        refund(paid, 8001, clerk)
    with pytest.raises(RefundTooLarge):  # past a database integer: refused, not a crash
        refund(paid, 2**70, clerk)
    paid.refresh_from_db()
    assert paid.refunded_cents == 5000
    assert Refund.objects.count() == 1 and SandboxRefund.objects.count() == 1


@pytest.mark.parametrize("amount", [0, -100, 1.5, True, "100"])
def test_zero_negative_or_odd_amounts_are_refused(paid, clerk, amount):
    with pytest.raises(RefundError):
        refund(paid, amount, clerk)
    assert not Refund.objects.exists()


def test_a_reason_is_required(paid, clerk):
    with pytest.raises(RefundError, match="reason"):
        refund(paid, 100, clerk, reason="   ")
    assert not Refund.objects.exists()


@pytest.mark.parametrize("roles", [(), ("city_admin",), ("permit_reviewer",), ("resident",)])
def test_only_finance_clerks_refund(paid, make_user, roles):
    person = make_user("other@example.org", roles=roles) if roles else None
    with pytest.raises(NotAllowed):
        refund(paid, 100, person)
    paid.refresh_from_db()
    assert paid.refunded_cents == 0
    assert not Refund.objects.exists() and not SandboxRefund.objects.exists()


def test_a_pending_payment_cannot_be_refunded(client, invoice, clerk):
    from cityhall.payments.services import start_checkout

    payment = start_checkout(invoice=invoice)
    with pytest.raises(RefundError, match="went through"):
        refund(payment, 100, clerk)


def test_the_database_refuses_refunds_above_the_amount(paid):
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.filter(pk=paid.pk).update(refunded_cents=13001)
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.filter(pk=paid.pk).update(refunded_cents=-1)


def test_a_provider_no_gives_the_amount_back(paid, clerk, monkeypatch):
    def refuse(self, **kwargs):
        raise ProviderError("charge disputed", definitive=True)

    monkeypatch.setattr(sandbox.SandboxProvider, "refund", refuse)
    with pytest.raises(RefundFailed, match="charge disputed"):
        refund(paid, 3000, clerk)
    paid.refresh_from_db()
    assert paid.refunded_cents == 0
    assert Refund.objects.get().status == RefundStatus.FAILED
    assert not LedgerEntry.objects.filter(kind=LedgerKind.REFUND).exists()
    assert paid.invoice.status == InvoiceStatus.PAID


def test_an_unknown_outcome_stays_reserved_and_is_retried_once(paid, clerk, monkeypatch):
    original = sandbox.SandboxProvider.refund

    def timeout(self, **kwargs):
        raise ProviderError("read timed out", definitive=False)

    monkeypatch.setattr(sandbox.SandboxProvider, "refund", timeout)
    pending = refund(paid, 3000, clerk)
    assert pending.status == RefundStatus.PENDING
    paid.refresh_from_db()
    assert paid.refunded_cents == 3000  # still reserved: it may have gone through

    monkeypatch.setattr(sandbox.SandboxProvider, "refund", original)
    Refund.objects.filter(pk=pending.pk).update(created_at=pending.created_at.replace(year=2000))
    assert services_refunds.retry_pending_refunds() == 1
    assert services_refunds.retry_pending_refunds() == 0
    assert Refund.objects.get().status == RefundStatus.SUCCEEDED
    assert LedgerEntry.objects.filter(kind=LedgerKind.REFUND).count() == 1
    assert SandboxRefund.objects.count() == 1


def test_the_same_refund_sent_twice_refunds_once_at_the_provider(paid, clerk):
    pending = services_refunds.reserve_refund(
        payment=paid, amount_cents=3000, reason="Withdrawn", actor=clerk
    )
    # Two workers racing both reach the provider, with the refund's own key.
    provider = sandbox.SandboxProvider()
    key = str(pending.public_id)
    first = provider.refund(payment=paid, amount_cents=3000, idempotency_key=key, reason="x")
    second = provider.refund(payment=paid, amount_cents=3000, idempotency_key=key, reason="x")
    assert first.reference == second.reference
    services_refunds.send_refund(pending.pk)
    services_refunds.send_refund(pending.pk)
    assert SandboxRefund.objects.count() == 1
    assert LedgerEntry.objects.filter(kind=LedgerKind.REFUND).count() == 1
    assert Refund.objects.get().status == RefundStatus.SUCCEEDED
    assert Notification.objects.filter(kind="payment_refunded").count() == 1


# ---- the refund form ------------------------------------------------------


def test_the_refund_form(staff_client, paid):
    client, clerk = staff_client("finance_clerk")
    url = reverse("payments:staff-payment", args=[paid.pk])
    page = client.get(url)
    assert page.status_code == 200 and "Up to $130.00 can be refunded." in page.content.decode()

    bad = client.post(
        reverse("payments:staff-refund", args=[paid.pk]),
        {"refund-amount": "lots", "refund-reason": "Withdrawn"},
    )
    html = bad.content.decode()
    assert bad.status_code == 200 and "Enter an amount in dollars" in html
    assert 'value="lots"' in html and "Withdrawn</textarea>" in html

    too_much = client.post(
        reverse("payments:staff-refund", args=[paid.pk]),
        {"refund-amount": "130.01", "refund-reason": "Withdrawn"},
    )
    assert "more than is left to refund" in too_much.content.decode()

    done = client.post(
        reverse("payments:staff-refund", args=[paid.pk]),
        {"refund-amount": "$30", "refund-reason": "Withdrawn"},
        follow=True,
    )
    assert "Refunded $30.00" in done.content.decode()
    paid.refresh_from_db()
    assert paid.refunded_cents == 3000
    assert Refund.objects.get().requested_by == clerk


@pytest.mark.parametrize("role", ["city_admin", "permit_reviewer"])
def test_others_cannot_refund_through_the_form(staff_client, paid, role):
    client, _person = staff_client(role)
    response = client.post(
        reverse("payments:staff-refund", args=[paid.pk]),
        {"refund-amount": "30", "refund-reason": "Withdrawn"},
    )
    assert response.status_code == 403
    paid.refresh_from_db()
    assert paid.refunded_cents == 0 and not Refund.objects.exists()


def test_anonymous_people_are_sent_to_sign_in(client, paid):
    response = client.post(
        reverse("payments:staff-refund", args=[paid.pk]),
        {"refund-amount": "30", "refund-reason": "x"},
    )
    assert response.status_code == 302 and "/accounts/" in response["Location"]
    assert not Refund.objects.exists()
