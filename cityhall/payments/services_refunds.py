"""Refunds: full or partial, by finance clerks, with a reason; and the
automatic ones for money that could not be applied.

A refund first reserves its amount on the payment with one conditional
UPDATE (`refunded = refunded + x WHERE refunded + x <= amount`), so however
many clerks, tabs or workers refund at once, the total never passes what was
paid; a check constraint on the row says the same. Then the provider is
called with the refund's own idempotency key, outside any transaction. A
definite "no" releases the reservation; an unknown outcome (timeout) leaves
the refund pending for the worker to retry with the same key.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from cityhall.cases.models import EventKind
from cityhall.cases.services import add_event

from . import ledger
from .errors import RefundError, RefundFailed, RefundTooLarge
from .models import (
    FINAL_PAYMENT_STATES,
    FlagReason,
    Invoice,
    InvoiceStatus,
    LedgerKind,
    Payment,
    PaymentStatus,
    Refund,
    RefundStatus,
)
from .providers import ProviderError, RefundResult, get_provider

logger = logging.getLogger(__name__)

MAX_REFUND_ATTEMPTS = 10
# More than any payment ($10 trillion): refused before it reaches a database integer.
MAX_REFUND_CENTS = 10**15
# A refund still pending after this long was interrupted: the worker sends it again.
RETRY_AFTER = timedelta(minutes=2)


def reserve_refund(
    *, payment: Payment, amount_cents: int, reason: str, actor, automatic: bool = False
) -> Refund:
    """Claims `amount_cents` of what is left on the payment and records a pending refund."""
    if isinstance(amount_cents, bool) or not isinstance(amount_cents, int) or amount_cents <= 0:
        raise RefundError(_("Enter an amount more than zero."), field="amount")
    reason = (reason or "").strip()
    if not reason:
        raise RefundError(_("Give the reason for the refund."), field="reason")
    with transaction.atomic():
        claimed = amount_cents <= MAX_REFUND_CENTS and (
            Payment.objects.filter(pk=payment.pk, status__in=FINAL_PAYMENT_STATES)
            .alias(after=F("refunded_cents") + amount_cents)
            .filter(after__lte=F("amount_cents"))
            .update(refunded_cents=F("refunded_cents") + amount_cents)
        )
        if not claimed:
            current = Payment.objects.get(pk=payment.pk)
            if current.status not in FINAL_PAYMENT_STATES:
                raise RefundError(_("Only a payment that went through can be refunded."))
            raise RefundTooLarge(current.amount_cents - current.refunded_cents)
        refund = Refund.objects.create(
            payment=payment,
            amount_cents=amount_cents,
            reason=reason,
            automatic=automatic,
            requested_by=actor,
        )
        from cityhall.core import audit
        from cityhall.core.models import AuditAction

        audit.record(
            AuditAction.PAYMENT_REFUNDED,
            actor=actor,
            object_type="payment",
            object_id=payment.pk,
            payload={"refund": refund.pk, "amount_cents": amount_cents, "automatic": automatic},
        )
        return refund


def refund_payment(*, payment: Payment, amount_cents: int, reason: str, actor) -> Refund:
    """Refunds part or all of a payment (finance clerks only) and emails the payer.
    Raises RefundTooLarge, RefundError, or RefundFailed when the provider says no."""
    from .services import require_finance_clerk

    require_finance_clerk(actor)
    refund = reserve_refund(payment=payment, amount_cents=amount_cents, reason=reason, actor=actor)
    refund = send_refund(refund.pk)
    if refund.status == RefundStatus.FAILED:
        raise RefundFailed(
            _("The payment service refused the refund: %(why)s") % {"why": refund.failure_message}
        )
    return refund


def send_refund(refund_id: int) -> Refund:
    """Asks the provider to make a pending refund, then records the answer. Safe
    to run twice: the provider sees the same idempotency key."""
    Refund.objects.filter(pk=refund_id, status=RefundStatus.PENDING).update(
        attempts=F("attempts") + 1
    )
    refund = Refund.objects.select_related("payment").get(pk=refund_id)
    if refund.status != RefundStatus.PENDING:
        return refund
    payment = refund.payment
    try:
        result = get_provider(payment.provider).refund(
            payment=payment,
            amount_cents=refund.amount_cents,
            idempotency_key=str(refund.public_id),
            reason=refund.reason,
        )
    except ProviderError as error:
        logger.warning("refund %s at %s: %s", refund.pk, payment.provider, error)
        if error.definitive or refund.attempts >= MAX_REFUND_ATTEMPTS:
            _fail(refund, str(error))
        refund.refresh_from_db()
        return refund
    _complete(refund, result)
    refund.refresh_from_db()
    return refund


@transaction.atomic
def _complete(refund: Refund, result: RefundResult) -> None:
    invoice = Invoice.objects.select_for_update().get(pk=refund.payment.invoice_id)
    payment = Payment.objects.select_for_update().get(pk=refund.payment_id)
    claimed = Refund.objects.filter(pk=refund.pk, status=RefundStatus.PENDING).update(
        status=RefundStatus.SUCCEEDED,
        provider_reference=result.reference[:255],
        completed_at=timezone.now(),
    )
    if not claimed:
        return
    refund.refresh_from_db()
    ledger.record(
        kind=LedgerKind.REFUND,
        amount_cents=-refund.amount_cents,
        invoice=invoice,
        payment=payment,
        refund=refund,
        provider_reference=refund.provider_reference,
        settlement_date=result.settlement_date,
        occurred_at=refund.completed_at,
        actor=refund.requested_by,
        memo=refund.reason,
    )
    if payment.status == PaymentStatus.SUCCEEDED:
        done = (
            payment.refunds.filter(status=RefundStatus.SUCCEEDED).aggregate(
                total=Sum("amount_cents")
            )["total"]
            or 0
        )
        invoice.status = (
            InvoiceStatus.REFUNDED
            if done >= payment.amount_cents
            else InvoiceStatus.PARTIALLY_REFUNDED
        )
        invoice.save(update_fields=["status"])
    amount = ledger.format_money(refund.amount_cents, payment.currency)
    add_event(
        case=invoice.case,
        kind=EventKind.REFUND,
        actor=refund.requested_by,
        payload={
            "invoice": invoice.number,
            "payment": payment.pk,
            "refund": refund.pk,
            "subject": f"{invoice.number} · {amount}",
            "outcome": "refunded",
            "automatic": refund.automatic,
        },
        public=True,
    )
    case = invoice.case
    if case.contact_email:
        from cityhall.notifications.services import notify

        notify(
            to=case.contact_email,
            kind="payment_refunded",
            language=case.language,
            case=case,
            context={
                "invoice": invoice,
                "payment": payment,
                "refund": refund,
                "amount": amount,
                "automatic": refund.automatic,
            },
        )


@transaction.atomic
def _fail(refund: Refund, message: str) -> None:
    claimed = Refund.objects.filter(pk=refund.pk, status=RefundStatus.PENDING).update(
        status=RefundStatus.FAILED, failure_message=message[:300], completed_at=timezone.now()
    )
    if not claimed:
        return
    # Give the reserved amount back, so it can be refunded another way.
    Payment.objects.filter(pk=refund.payment_id).update(
        refunded_cents=F("refunded_cents") - refund.amount_cents
    )
    if refund.automatic:
        Payment.objects.filter(pk=refund.payment_id).update(
            flag_reason=FlagReason.REFUND_FAILED, flag_resolved_at=None, flag_resolved_by=None
        )


def retry_pending_refunds(*, now=None) -> int:
    """Safety net run by the worker: refunds left pending (a crash, a timeout) are sent again."""
    now = now or timezone.now()
    cutoff = now - RETRY_AFTER
    pending = list(
        Refund.objects.filter(status=RefundStatus.PENDING, created_at__lt=cutoff).values_list(
            "pk", flat=True
        )[:200]
    )
    for pk in pending:
        send_refund(pk)
    return len(pending)
