"""Applying what providers report: webhooks, the return page's check, the
sweeper. Whatever the order and however often a report arrives, a payment is
applied once and only moves forward:

    pending ──► succeeded          (the invoice is paid)
        │  └──► unapplied          (money that cannot be applied: refunded and flagged)
        ├─────► failed / expired   (a later success still wins: money did move)

A success for an invoice that is cancelled, waived or already paid, or whose
amount or currency does not match, is not applied: it is refunded in full
automatically and flagged for finance staff. The invoice row is locked first,
so two successes for one invoice are decided one after the other; the partial
unique index on payments is the last word.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy

from cityhall.cases.models import EventKind
from cityhall.cases.services import add_event

from . import ledger
from .models import (
    FINAL_PAYMENT_STATES,
    FlagReason,
    Invoice,
    InvoiceStatus,
    LedgerKind,
    Payment,
    PaymentStatus,
    WebhookEvent,
)
from .providers import EXPIRED, FAILED, SUCCEEDED, Outcome, Provider, ProviderError, get_provider

logger = logging.getLogger(__name__)

# What apply_outcome did, also stored on each webhook event.
APPLIED, UNAPPLIED, ALREADY, RECORDED_FAILURE, RECORDED_EXPIRY, NO_CHANGE = (
    "applied",
    "unapplied",
    "already applied",
    "failed",
    "expired",
    "no change",
)


def apply_outcome(*, payment: Payment, outcome: Outcome, source: str) -> str:
    """Moves the payment to what the provider says, once. Safe to call any number of times."""
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().get(pk=payment.invoice_id)
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        if outcome.state == SUCCEEDED:
            result = _succeed(invoice, locked, outcome, source)
        elif outcome.state in (FAILED, EXPIRED) and locked.status == PaymentStatus.PENDING:
            result = _stop(invoice, locked, outcome)
        else:
            result = ALREADY if locked.status in FINAL_PAYMENT_STATES else NO_CHANGE
    payment.refresh_from_db()
    return result


def _flag_for(invoice: Invoice, payment: Payment, received: int, currency: str) -> str | None:
    if currency != payment.currency:
        return FlagReason.CURRENCY_MISMATCH
    if received != payment.amount_cents:
        return FlagReason.AMOUNT_MISMATCH
    if invoice.status == InvoiceStatus.VOID:
        return FlagReason.INVOICE_VOID
    if invoice.status in {
        InvoiceStatus.PAID,
        InvoiceStatus.PARTIALLY_REFUNDED,
        InvoiceStatus.REFUNDED,
    }:
        return FlagReason.ALREADY_PAID
    if invoice.status != InvoiceStatus.OPEN:
        return FlagReason.INVOICE_CLOSED
    if invoice.total_cents + payment.fee_cents != payment.amount_cents:
        return FlagReason.AMOUNT_MISMATCH  # the invoice changed after this checkout opened
    return None


def _succeed(invoice: Invoice, payment: Payment, outcome: Outcome, source: str) -> str:
    if payment.status in FINAL_PAYMENT_STATES:
        return ALREADY
    now = timezone.now()
    received = payment.amount_cents if outcome.amount_cents is None else int(outcome.amount_cents)
    currency = (outcome.currency or payment.currency).upper()
    payment.completed_at = outcome.occurred_at or now
    payment.provider_reference = outcome.payment_reference or payment.provider_reference
    payment.card_last4 = outcome.card_last4 or payment.card_last4
    payment.settlement_date = outcome.settlement_date
    payment.failure_message = ""
    if received <= 0:
        return _nothing_taken(invoice, payment, received, currency, source)
    flag = _flag_for(invoice, payment, received, currency)
    if flag is None:
        payment.status = PaymentStatus.SUCCEEDED
        try:
            with transaction.atomic():
                payment.save()
        except IntegrityError:
            # Another success was recorded for this invoice after all: the index decides.
            payment.refresh_from_db()
            flag = FlagReason.ALREADY_PAID
            payment.completed_at = outcome.occurred_at or now
            payment.provider_reference = outcome.payment_reference or payment.provider_reference
    if flag is None:
        invoice.status, invoice.paid_at = InvoiceStatus.PAID, payment.completed_at
        invoice.save(update_fields=["status", "paid_at"])
        common = {
            "invoice": invoice,
            "payment": payment,
            "provider_reference": payment.provider_reference,
            "settlement_date": payment.settlement_date,
            "occurred_at": payment.completed_at,
        }
        ledger.record(
            kind=LedgerKind.CHARGE, amount_cents=payment.amount_cents - payment.fee_cents, **common
        )
        if payment.fee_cents:
            ledger.record(kind=LedgerKind.CONVENIENCE_FEE, amount_cents=payment.fee_cents, **common)
        _on_timeline(
            invoice, payment, payment.amount_cents, payment.currency, outcome="paid", source=source
        )
        _tell_the_service(invoice)
        from .tasks import send_receipt

        # Queued in this transaction: the task exists exactly when the payment does.
        send_receipt.enqueue(payment.pk)
        return APPLIED
    return _unapplied(invoice, payment, received, currency, flag, source)


def _on_timeline(
    invoice, payment, cents: int, currency: str, *, outcome: str, kind=EventKind.PAYMENT, **more
):
    """The payment on its case's timeline: public when it went through (the
    resident sees "paid"), for staff otherwise (`more`: flag, source, message)."""
    add_event(
        case=invoice.case,
        kind=kind,
        payload={
            "invoice": invoice.number,
            "payment": payment.pk,
            "subject": f"{invoice.number} · {ledger.format_money(cents, currency)}",
            "outcome": outcome,
            **more,
        },
        public=outcome == "paid",
    )


def _tell_the_service(invoice: Invoice) -> None:
    """The service's own step on payment (a held booking is confirmed), in this
    transaction: if it fails, the payment is not recorded either, and the
    provider's retry (or the sweeper) applies both later."""
    from cityhall.cases import registry

    try:
        hook = getattr(registry.get(invoice.service), "on_invoice_paid", None)
    except LookupError:
        return
    if hook is not None:
        hook(invoice)


def _in_english(text) -> str:
    # Stored for the record, whatever language the request that caused it spoke.
    with translation.override("en"):
        return str(text)


def _unapplied(invoice, payment, received: int, currency: str, flag: str, source: str) -> str:
    from .services_refunds import reserve_refund
    from .tasks import send_refund

    payment.expected_cents, payment.expected_currency = payment.amount_cents, payment.currency
    payment.status = PaymentStatus.UNAPPLIED
    payment.amount_cents, payment.currency = received, currency
    payment.fee_cents = min(payment.fee_cents, received)
    payment.flagged_at, payment.flag_reason = timezone.now(), flag
    payment.save()
    ledger.record(
        kind=LedgerKind.UNAPPLIED,
        amount_cents=received,
        invoice=invoice,
        payment=payment,
        currency=currency,
        provider_reference=payment.provider_reference,
        settlement_date=payment.settlement_date,
        occurred_at=payment.completed_at,
        memo=_in_english(FlagReason(flag).label),
    )
    refund = reserve_refund(
        payment=payment,
        amount_cents=received,
        reason=_in_english(FlagReason(flag).label),
        actor=None,
        automatic=True,
    )
    _on_timeline(
        invoice, payment, received, currency, outcome="unapplied", flag=flag, source=source
    )
    logger.warning("payment %s for %s not applied: %s", payment.pk, invoice.number, flag)
    send_refund.enqueue(refund.pk)
    return UNAPPLIED


def _nothing_taken(invoice, payment, received: int, currency: str, source: str) -> str:
    """The provider says the checkout completed but took no money (a 100% discount
    set up at the provider, say). Nothing to apply and nothing to refund: the
    payment is recorded as not gone through, the invoice stays open, and finance
    staff are flagged to look at the provider's set-up."""
    if payment.flag_reason == FlagReason.NOTHING_TAKEN:
        return ALREADY  # the same news again (the provider retries, the return page asks)
    payment.status = PaymentStatus.FAILED
    payment.failure_message = _in_english(
        gettext_lazy("The payment provider completed the checkout without taking any money.")
    )
    payment.flagged_at, payment.flag_reason = timezone.now(), FlagReason.NOTHING_TAKEN
    payment.save()
    _on_timeline(
        invoice,
        payment,
        received,
        currency,
        outcome="nothing taken",
        flag=FlagReason.NOTHING_TAKEN,
        source=source,
    )
    logger.warning(
        "payment %s for %s: completed with %s taken", payment.pk, invoice.number, received
    )
    return RECORDED_FAILURE


def _stop(invoice: Invoice, payment: Payment, outcome: Outcome) -> str:
    payment.status = PaymentStatus.FAILED if outcome.state == FAILED else PaymentStatus.EXPIRED
    payment.completed_at = outcome.occurred_at or timezone.now()
    payment.failure_message = outcome.message[:300]
    payment.card_last4 = outcome.card_last4 or payment.card_last4
    payment.save(update_fields=["status", "completed_at", "failure_message", "card_last4"])
    if outcome.state == FAILED:
        _on_timeline(
            invoice,
            payment,
            payment.amount_cents,
            payment.currency,
            outcome="declined",
            kind=EventKind.PAYMENT_FAILED,
            message=outcome.message,
        )
        return RECORDED_FAILURE
    return RECORDED_EXPIRY


def refresh_payment(payment: Payment) -> Payment:
    """Asks the provider about a pending payment and applies the answer (the
    return page does this, so it shows the truth before the webhook arrives)."""
    if payment.status != PaymentStatus.PENDING or not payment.checkout_reference:
        return payment
    try:
        outcome = get_provider(payment.provider).read_status(payment)
    except ProviderError as error:
        logger.warning("could not read payment %s at %s: %s", payment.pk, payment.provider, error)
        return payment
    apply_outcome(payment=payment, outcome=outcome, source="status check")
    return payment


def receive_webhook(*, provider: Provider, body: bytes, headers) -> str:
    """Verifies, stores once and applies one provider event. Raises WebhookRejected
    before touching the database when the signature is missing, forged or stale."""
    event = provider.verify_webhook(body=body, headers=headers)
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = WebhookEvent.objects.create(
                    provider=provider.name,
                    event_id=event.event_id[:255],
                    event_type=event.event_type[:100],
                    payload=event.payload,
                )
        except IntegrityError:
            return "duplicate"
        payment = None
        if event.checkout_reference:
            payment = Payment.objects.filter(
                provider=provider.name, checkout_reference=event.checkout_reference
            ).first()
        if event.outcome is None:
            outcome = "ignored"
        elif payment is None:
            outcome = "unmatched"
            logger.warning(
                "%s event %s names unknown checkout %s",
                provider.name,
                event.event_id,
                event.checkout_reference,
            )
        else:
            outcome = apply_outcome(payment=payment, outcome=event.outcome, source="webhook")
        record.outcome, record.payment = outcome, payment
        record.save(update_fields=["outcome", "payment"])
    return outcome


def sweep_pending_checkouts(*, now=None) -> dict:
    """Safety net run by the worker. Asks providers about checkouts past their
    expiry (a lost webhook must not leave a paid invoice open; the answer is
    applied like a webhook's), and queues again receipts whose task failed."""
    from .tasks import send_receipt

    now = now or timezone.now()
    stale = list(
        Payment.objects.filter(
            status=PaymentStatus.PENDING, expires_at__lt=now - timedelta(minutes=5)
        ).exclude(checkout_reference="")[:500]
    )
    for payment in stale:
        refresh_payment(payment)
    unsent = list(
        Payment.objects.filter(
            status=PaymentStatus.SUCCEEDED,
            receipt_emailed_at__isnull=True,
            completed_at__lt=now - timedelta(minutes=10),
        ).values_list("pk", flat=True)[:500]
    )
    for pk in unsent:
        send_receipt.enqueue(pk)
    return {"checkouts": len(stale), "receipts": len(unsent)}


def issue_receipt(payment: Payment):
    """The payment's PDF receipt (issued once, on first need)."""
    from cityhall.documents.services import issue_document

    from .receipts import receipt_content

    with transaction.atomic():
        locked = (
            Payment.objects.select_for_update().select_related("invoice__case").get(pk=payment.pk)
        )
        if locked.status != PaymentStatus.SUCCEEDED:
            raise ValueError("only a payment that went through has a receipt")
        if locked.receipt_id is None:
            case = locked.invoice.case
            document = issue_document(case=case, kind="payment_receipt", **receipt_content(locked))
            locked.receipt = document
            locked.save(update_fields=["receipt"])
        payment.receipt = locked.receipt
    return payment.receipt


def send_receipt(payment_id: int) -> str:
    """Issues the receipt and emails it to the payer, once, in the case's language."""
    from cityhall.notifications.services import Attachment, notify

    with transaction.atomic():
        payment = (
            Payment.objects.select_for_update().select_related("invoice__case").get(pk=payment_id)
        )
        if payment.status != PaymentStatus.SUCCEEDED:
            return "not paid"
        if payment.receipt_emailed_at is not None:
            return "already sent"
        document = issue_receipt(payment)
        case = payment.invoice.case
        if case.contact_email:
            notify(
                to=case.contact_email,
                kind="payment_receipt",
                language=case.language,
                case=case,
                context={
                    "invoice": payment.invoice,
                    "payment": payment,
                    "amount": ledger.format_money(payment.amount_cents, payment.currency),
                    "document": document,
                },
                attachments=[
                    Attachment(
                        f"receipt-{payment.invoice.number}.pdf",
                        "application/pdf",
                        document.file.name,
                    )
                ],
            )
        payment.receipt_emailed_at = timezone.now()
        payment.save(update_fields=["receipt_emailed_at"])
    return "sent"


@transaction.atomic
def resolve_flag(*, payment: Payment, actor, note: str = "") -> Payment:
    """A finance clerk has looked at a flagged payment."""
    from .services import require_finance_clerk

    require_finance_clerk(actor)
    locked = Payment.objects.select_for_update().get(pk=payment.pk)
    if locked.flagged_at is None or locked.flag_resolved_at is not None:
        return locked
    locked.flag_resolved_at, locked.flag_resolved_by = timezone.now(), actor
    locked.flag_note = note.strip()
    locked.save(update_fields=["flag_resolved_at", "flag_resolved_by", "flag_note"])
    return locked
