"""Every write to invoices: issuing one for a case, waiving, cancelling, and
starting a checkout. One transaction each; the timeline event and the ledger
entry are written in the same transaction as the change.

Applying what providers report is in services_payments.py, refunds in
services_refunds.py.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cityhall.cases.errors import NotAllowed
from cityhall.cases.models import Case, EventKind
from cityhall.cases.references import next_reference
from cityhall.cases.services import add_event
from cityhall.core import audit
from cityhall.core.models import AuditAction
from cityhall.core.roles import FINANCE_CLERK

from . import ledger
from .errors import FeeError, InvoiceNotOpen, InvoiceNotPayable, PaymentError, ProviderUnavailable
from .fees import FeeItem, convenience_fee_cents, estimate_fee
from .models import (
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    LedgerKind,
    LineKind,
    Payment,
    PaymentStatus,
)
from .providers import ProviderError, default_provider

logger = logging.getLogger(__name__)

# Invoice numbers read like case references: PAY-2026-00017-K.
INVOICE_PREFIX = "PAY"
# A pending checkout is handed out again rather than opening a second one,
# unless it is about to expire.
REUSE_MARGIN = timedelta(minutes=5)


@dataclass(frozen=True)
class ExtraLine:
    """A fee that is not on a schedule (a fixed charge a service sets itself)."""

    label_en: str
    label_es: str
    amount_cents: int
    code: str = ""


def quoted_on(case: Case) -> date:
    """The day a case's fees are taken from: the day it was submitted (or opened).

    A schedule that starts later does not change what an earlier case owes,
    even when its invoice is issued after the new schedule took effect.
    """
    return timezone.localdate(case.submitted_at or case.created_at)


def require_finance_clerk(actor) -> None:
    if actor is None or not actor.has_role(FINANCE_CLERK):
        raise NotAllowed()


def _subject(invoice: Invoice, cents: int | None = None) -> str:
    amount = invoice.total_cents if cents is None else cents
    return f"{invoice.number} · {ledger.format_money(amount, invoice.currency)}"


@transaction.atomic
def create_invoice(
    *,
    case: Case,
    schedule: str | None = None,
    items: Sequence[FeeItem] = (),
    lines: Sequence[ExtraLine] = (),
    resident: bool = True,
    fee_date: date | None = None,
    due_date: date | None = None,
    actor=None,
    notify_payer: bool = True,
) -> Invoice:
    """An open invoice for a case: the schedule's fees for `items` as quoted on
    `fee_date` (the case's submission day by default), plus any `lines`.
    Emails the payer a link to pay it unless `notify_payer` is False."""
    fee_date = fee_date or quoted_on(case)
    currency = settings.CITYHALL_CURRENCY
    version = None
    rows: list[InvoiceLine] = []
    if schedule:
        estimate = estimate_fee(schedule=schedule, items=items, resident=resident, on=fee_date)
        version, currency = estimate.schedule, estimate.currency
        rows = [
            InvoiceLine(
                kind=LineKind.FEE,
                code=line.code,
                label_en=line.label_en,
                label_es=line.label_es,
                detail_en=line.detail_en,
                detail_es=line.detail_es,
                quantity=line.quantity,
                value=line.value,
                amount_cents=line.amount_cents,
                created_by=actor,
            )
            for line in estimate.lines
        ]
    elif items:
        raise ValueError("fee items need a schedule")
    for extra in lines:
        if extra.amount_cents < 0:
            raise ValueError("an extra line cannot be negative; waive instead")
        rows.append(
            InvoiceLine(
                kind=LineKind.FEE,
                code=extra.code,
                label_en=extra.label_en,
                label_es=extra.label_es,
                amount_cents=extra.amount_cents,
                created_by=actor,
            )
        )
    total = sum(row.amount_cents for row in rows)
    if total <= 0:
        raise FeeError(_("These fees come to nothing: there is nothing to invoice."))
    invoice = Invoice.objects.create(
        number=next_reference(INVOICE_PREFIX, gapless=True),
        case=case,
        service=case.service,
        schedule=version,
        fee_date=fee_date if version else None,
        resident=resident,
        currency=currency,
        total_cents=total,
        due_date=due_date
        or timezone.localdate() + timedelta(days=settings.CITYHALL_INVOICE_DUE_DAYS),
        created_by=actor,
    )
    for position, row in enumerate(rows, start=1):
        row.invoice, row.position = invoice, position
    InvoiceLine.objects.bulk_create(rows)
    add_event(
        case=case,
        kind=EventKind.INVOICE,
        actor=actor,
        payload={
            "invoice": invoice.number,
            "subject": _subject(invoice),
            "outcome": "issued",
            "total_cents": total,
        },
        public=True,
    )
    if notify_payer and case.contact_email:
        _email_invoice(invoice)
    return invoice


def _email_invoice(invoice: Invoice) -> None:
    from cityhall.notifications.services import notify

    from .selectors import pay_url

    case = invoice.case
    notify(
        to=case.contact_email,
        kind="payment_invoice",
        language=case.language,
        case=case,
        context={
            "invoice": invoice,
            "total": ledger.format_money(invoice.total_cents, invoice.currency),
            "pay_url": pay_url(invoice, case.language),
        },
    )


def _locked_open(invoice: Invoice) -> Invoice:
    locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if locked.status != InvoiceStatus.OPEN:
        raise InvoiceNotOpen(
            _("This invoice is no longer open (%(status)s).")
            % {"status": locked.get_status_display()}
        )
    return locked


def _close_pending_checkouts(invoice: Invoice) -> None:
    """Checkouts opened for the old amount must not be paid: expire them here and,
    after commit, at the provider. A payment that slips through anyway is
    refunded automatically (services_payments.apply_outcome)."""
    pending = list(invoice.payments.filter(status=PaymentStatus.PENDING))
    if not pending:
        return
    Payment.objects.filter(pk__in=[p.pk for p in pending], status=PaymentStatus.PENDING).update(
        status=PaymentStatus.EXPIRED, completed_at=timezone.now()
    )

    from .tasks import expire_checkout

    for payment in pending:
        expire_checkout.enqueue(payment.pk)


@transaction.atomic
def waive_invoice(
    *, invoice: Invoice, actor, reason: str, amount_cents: int | None = None
) -> InvoiceLine:
    """Takes some or all of an open invoice off (finance clerks only). The whole
    amount left closes it as waived."""
    require_finance_clerk(actor)
    reason = (reason or "").strip()
    if not reason:
        raise PaymentError(_("Give the reason for the waiver."), field="reason")
    invoice = _locked_open(invoice)
    amount = invoice.total_cents if amount_cents is None else amount_cents
    if amount <= 0:
        raise PaymentError(_("Enter an amount more than zero."), field="amount")
    if amount > invoice.total_cents:
        raise PaymentError(
            _("That is more than the invoice's %(total)s.")
            % {"total": ledger.format_money(invoice.total_cents, invoice.currency)},
            field="amount",
        )
    position = (
        invoice.lines.order_by("-position").values_list("position", flat=True).first() or 0
    ) + 1
    with translation.override("en"):
        label_en = _("Fee waived")
    with translation.override("es"):
        label_es = _("Fee waived")
    line = InvoiceLine.objects.create(
        invoice=invoice,
        position=position,
        kind=LineKind.WAIVER,
        label_en=label_en,
        label_es=label_es,
        amount_cents=-amount,
        reason=reason,
        created_by=actor,
    )
    invoice.total_cents -= amount
    fields = ["total_cents"]
    if invoice.total_cents == 0:
        invoice.status = InvoiceStatus.WAIVED
        fields.append("status")
    invoice.save(update_fields=fields)
    ledger.record(
        kind=LedgerKind.WAIVER, amount_cents=-amount, invoice=invoice, actor=actor, memo=reason
    )
    _close_pending_checkouts(invoice)
    add_event(
        case=invoice.case,
        kind=EventKind.WAIVER,
        actor=actor,
        payload={
            "invoice": invoice.number,
            "subject": _subject(invoice, -amount),
            "outcome": "waived",
            "amount_cents": amount,
            "reason": reason,
        },
        public=True,
    )
    audit.record(
        AuditAction.INVOICE_WAIVED,
        actor=actor,
        object_type="invoice",
        object_id=invoice.number,
        payload={"case": invoice.case.reference, "amount_cents": amount},
    )
    return line


@transaction.atomic
def void_invoice(*, invoice: Invoice, reason: str, actor=None, system: bool = False) -> Invoice:
    """Cancels an open invoice: by a finance clerk, or by a service's own code
    (`system=True`, e.g. an application withdrawn before payment). A paid
    invoice is refunded instead."""
    if not system:
        require_finance_clerk(actor)
    reason = (reason or "").strip()
    if not reason:
        raise PaymentError(_("Give the reason for cancelling the invoice."), field="reason")
    invoice = _locked_open(invoice)
    invoice.status = InvoiceStatus.VOID
    invoice.voided_at, invoice.voided_by, invoice.void_reason = timezone.now(), actor, reason
    invoice.save(update_fields=["status", "voided_at", "voided_by", "void_reason"])
    if actor is not None:
        audit.record(
            AuditAction.INVOICE_VOIDED,
            actor=actor,
            object_type="invoice",
            object_id=invoice.number,
            payload={"case": invoice.case.reference, "system": system},
        )
    _close_pending_checkouts(invoice)
    add_event(
        case=invoice.case,
        kind=EventKind.INVOICE_VOID,
        actor=actor,
        payload={
            "invoice": invoice.number,
            "subject": _subject(invoice),
            "outcome": "cancelled",
            "reason": reason,
        },
        public=True,
    )
    return invoice


def _check_payable(invoice: Invoice) -> None:
    if invoice.status == InvoiceStatus.VOID:
        raise InvoiceNotPayable(_("This invoice was cancelled: there is nothing to pay."))
    if invoice.status == InvoiceStatus.WAIVED:
        raise InvoiceNotPayable(_("This fee was waived: there is nothing to pay."))
    if invoice.status != InvoiceStatus.OPEN:
        raise InvoiceNotPayable(_("This invoice is already paid."))


def _check_service_allows(invoice: Invoice) -> None:
    from cityhall.cases import registry

    try:
        ask = getattr(registry.get(invoice.service), "payment_problem", None)
    except LookupError:
        return
    problem = ask(invoice) if ask else None
    if problem:
        raise InvoiceNotPayable(problem)


def start_checkout(*, invoice: Invoice, language: str = "en") -> Payment:
    """A hosted checkout for the invoice's amount due (plus any convenience fee).

    Refused for an invoice that is paid, cancelled or waived. The invoice row
    is locked, so two clicks on "Pay" get the same checkout, not two."""
    from .selectors import pay_url, return_url

    provider = default_provider()
    language = language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
    with transaction.atomic():
        invoice = (
            Invoice.objects.select_related("case")
            .select_for_update(of=("self",))
            .get(pk=invoice.pk)
        )
        _check_payable(invoice)
        _check_service_allows(invoice)
        fee = convenience_fee_cents(invoice.total_cents)
        amount = invoice.total_cents + fee
        reusable = (
            invoice.payments.filter(
                status=PaymentStatus.PENDING,
                provider=provider.name,
                amount_cents=amount,
                currency=invoice.currency,
                expires_at__gt=timezone.now() + REUSE_MARGIN,
            )
            .exclude(checkout_url="")
            .order_by("-created_at")
            .first()
        )
        if reusable is not None:
            return reusable
        payment = Payment.objects.create(
            invoice=invoice,
            provider=provider.name,
            amount_cents=amount,
            fee_cents=fee,
            currency=invoice.currency,
            language=language,
        )
        try:
            checkout = provider.create_checkout(
                payment=payment,
                invoice=invoice,
                success_url=return_url(invoice, payment, language),
                cancel_url=pay_url(invoice, language),
                language=language,
            )
        except ProviderError as error:
            logger.warning("checkout for %s failed at %s: %s", invoice.number, provider.name, error)
            raise ProviderUnavailable() from error
        payment.checkout_reference = checkout.reference
        payment.checkout_url = checkout.url
        payment.expires_at = checkout.expires_at
        payment.save(update_fields=["checkout_reference", "checkout_url", "expires_at"])
        return payment
