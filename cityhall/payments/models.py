"""Fee schedules, invoices, payments, refunds and the ledger.

Money is integer cents with a currency code. What must hold however many web
servers and workers run is enforced by the database: one succeeded payment
per invoice (a partial unique index), never more refunded than was paid (a
check constraint, beside the conditional UPDATE in services_refunds.py), one
ledger entry per money movement (unique constraints), one row per provider
event (so a webhook delivered twice is applied once).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models_fees import FeeRule, FeeSchedule, FeeTier, RuleKind, in_language
from .models_sandbox import SandboxEvent, SandboxRefund, SandboxSession

__all__ = [
    "FeeRule",
    "FeeSchedule",
    "FeeTier",
    "Invoice",
    "InvoiceLine",
    "LedgerEntry",
    "Payment",
    "Refund",
    "RuleKind",
    "SandboxEvent",
    "SandboxRefund",
    "SandboxSession",
    "WebhookEvent",
]


# ---- invoices -------------------------------------------------------------


class InvoiceStatus(models.TextChoices):
    # Contexts: "Open" is also a button, and Spanish agrees "paid" with "factura".
    OPEN = "open", pgettext_lazy("invoice status", "Open")
    PAID = "paid", pgettext_lazy("invoice status", "Paid")
    PARTIALLY_REFUNDED = "partially_refunded", pgettext_lazy("invoice status", "Partly refunded")
    REFUNDED = "refunded", pgettext_lazy("invoice status", "Refunded")
    VOID = "void", pgettext_lazy("invoice status", "Cancelled")
    WAIVED = "waived", pgettext_lazy("invoice status", "Waived")


class Invoice(models.Model):
    """What a case owes: lines copied from the fee schedule when it was issued."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    number = models.CharField(_("invoice number"), max_length=24, unique=True)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="invoices")
    service = models.CharField(_("service"), max_length=40, db_index=True)
    schedule = models.ForeignKey(
        FeeSchedule, null=True, blank=True, on_delete=models.PROTECT, related_name="invoices"
    )
    fee_date = models.DateField(_("fees as of"), null=True, blank=True)
    resident = models.BooleanField(_("resident rates"), default=True)
    currency = models.CharField(_("currency"), max_length=3, default="USD")
    total_cents = models.BigIntegerField(_("total, cents"))
    status = models.CharField(
        _("status"), max_length=20, choices=InvoiceStatus.choices, default=InvoiceStatus.OPEN
    )
    due_date = models.DateField(_("due date"))
    created_at = models.DateTimeField(_("issued"), default=timezone.now, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    void_reason = models.TextField(blank=True)

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"], name="invoice_status_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(total_cents__gte=0), name="invoice_total_not_negative"
            )
        ]

    def __str__(self):
        return self.number

    @property
    def is_payable(self) -> bool:
        return self.status == InvoiceStatus.OPEN and self.total_cents > 0

    @property
    def is_overdue(self) -> bool:
        return self.is_payable and self.due_date < timezone.localdate()


class LineKind(models.TextChoices):
    FEE = "fee", _("Fee")
    WAIVER = "waiver", _("Waiver")


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=10, choices=LineKind.choices, default=LineKind.FEE)
    code = models.CharField(max_length=60, blank=True)
    label_en = models.CharField(max_length=200)
    label_es = models.CharField(max_length=200)
    detail_en = models.CharField(max_length=200, blank=True)  # "12.5 hours x $40.00"
    detail_es = models.CharField(max_length=200, blank=True)
    quantity = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    value = models.BigIntegerField(null=True, blank=True)
    amount_cents = models.BigIntegerField()  # negative for a waiver
    reason = models.TextField(blank=True)  # a waiver's reason (staff only)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["invoice", "position", "id"]
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="fee") & Q(amount_cents__gte=0))
                | (Q(kind="waiver") & Q(amount_cents__lt=0)),
                name="invoice_line_sign",
            )
        ]

    def __str__(self):
        return f"{self.invoice_id} {self.label_en}"

    def label(self, language: str | None = None) -> str:
        return in_language(self, "label", language)

    def detail(self, language: str | None = None) -> str:
        return in_language(self, "detail", language)


# ---- payments and refunds -------------------------------------------------


class PaymentStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("payment status", "Waiting for the payer")
    SUCCEEDED = "succeeded", pgettext_lazy("payment status", "Paid")
    FAILED = "failed", pgettext_lazy("payment status", "Declined")
    EXPIRED = "expired", pgettext_lazy("payment status", "Expired")
    # Money that arrived but could not be applied (invoice cancelled or already
    # paid, wrong amount or currency): refunded automatically and flagged.
    UNAPPLIED = "unapplied", pgettext_lazy("payment status", "Not applied, refunded")


# Only these move a payment; a later event never moves it back (see services_payments).
FINAL_PAYMENT_STATES = {PaymentStatus.SUCCEEDED, PaymentStatus.UNAPPLIED}


class FlagReason(models.TextChoices):
    INVOICE_VOID = "invoice_void", _("Paid after the invoice was cancelled")
    ALREADY_PAID = "already_paid", _("Paid twice")
    INVOICE_CLOSED = "invoice_closed", _("Paid after the invoice was closed")
    AMOUNT_MISMATCH = "amount_mismatch", _("Amount does not match the invoice")
    CURRENCY_MISMATCH = "currency_mismatch", _("Currency does not match the invoice")
    REFUND_FAILED = "refund_failed", _("Automatic refund failed")
    # A provider-side discount of 100%, say: the checkout completed, no money moved.
    NOTHING_TAKEN = "nothing_taken", _("Completed without taking any money")


class Payment(models.Model):
    """One checkout at a payment provider for an invoice, and what became of it."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payments")
    provider = models.CharField(_("provider"), max_length=20)
    checkout_reference = models.CharField(_("checkout reference"), max_length=255, blank=True)
    checkout_url = models.URLField(max_length=2000, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    provider_reference = models.CharField(_("provider reference"), max_length=255, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.PENDING
    )
    amount_cents = models.BigIntegerField(_("amount, cents"))
    fee_cents = models.BigIntegerField(_("convenience fee, cents"), default=0)
    currency = models.CharField(_("currency"), max_length=3)
    refunded_cents = models.BigIntegerField(_("refunded, cents"), default=0)
    card_last4 = models.CharField(_("card ending"), max_length=4, blank=True)
    failure_message = models.CharField(max_length=300, blank=True)
    language = models.CharField(max_length=8, default="en")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    completed_at = models.DateTimeField(null=True, blank=True, db_index=True)
    settlement_date = models.DateField(_("settlement date"), null=True, blank=True)
    flagged_at = models.DateTimeField(null=True, blank=True, db_index=True)
    flag_reason = models.CharField(max_length=30, choices=FlagReason.choices, blank=True)
    # What the invoice expected, when the provider reported a different amount or currency.
    expected_cents = models.BigIntegerField(null=True, blank=True)
    expected_currency = models.CharField(max_length=3, blank=True)
    flag_note = models.TextField(blank=True)  # the finance clerk's note on review
    flag_resolved_at = models.DateTimeField(null=True, blank=True)
    flag_resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    receipt = models.ForeignKey(
        "documents.Document", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    receipt_emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "expires_at"], name="payment_status_idx")]
        constraints = [
            # Never pay twice: the database itself refuses a second success.
            models.UniqueConstraint(
                fields=["invoice"],
                condition=Q(status="succeeded"),
                name="payment_one_success_per_invoice",
            ),
            models.UniqueConstraint(
                fields=["provider", "checkout_reference"],
                condition=~Q(checkout_reference=""),
                name="payment_checkout_unique",
            ),
            models.CheckConstraint(
                condition=Q(amount_cents__gt=0)
                & Q(fee_cents__gte=0)
                & Q(fee_cents__lte=F("amount_cents")),
                name="payment_amounts_sane",
            ),
            models.CheckConstraint(
                condition=Q(refunded_cents__gte=0) & Q(refunded_cents__lte=F("amount_cents")),
                name="payment_refunds_within_amount",
            ),
        ]

    def __str__(self):
        return f"{self.provider} {self.checkout_reference or self.pk}"

    @property
    def refundable_cents(self) -> int:
        if self.status not in FINAL_PAYMENT_STATES:
            return 0
        return self.amount_cents - self.refunded_cents

    @property
    def amount_mismatch(self) -> bool:
        """The provider reported another amount or currency than the invoice expected."""
        return self.expected_cents is not None and (
            self.expected_cents != self.amount_cents or self.expected_currency != self.currency
        )

    @property
    def needs_review(self) -> bool:
        return self.flagged_at is not None and self.flag_resolved_at is None


class RefundStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("refund status", "Being refunded")
    SUCCEEDED = "succeeded", pgettext_lazy("refund status", "Refunded")
    FAILED = "failed", pgettext_lazy("refund status", "Refund failed")


class Refund(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    amount_cents = models.BigIntegerField(_("amount, cents"))
    reason = models.TextField(_("reason"))
    automatic = models.BooleanField(default=False)
    status = models.CharField(
        max_length=10, choices=RefundStatus.choices, default=RefundStatus.PENDING
    )
    provider_reference = models.CharField(max_length=255, blank=True)
    failure_message = models.CharField(max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_cents__gt=0), name="refund_amount_positive")
        ]

    def __str__(self):
        return f"refund {self.pk} of {self.payment_id}"


# ---- ledger ---------------------------------------------------------------


class LedgerKind(models.TextChoices):
    CHARGE = "charge", _("Payment")
    CONVENIENCE_FEE = "convenience_fee", _("Convenience fee")
    UNAPPLIED = "unapplied", _("Payment not applied")
    REFUND = "refund", pgettext_lazy("ledger entry", "Refund")
    WAIVER = "waiver", _("Waiver (no money moves)")


CASH_KINDS = (
    LedgerKind.CHARGE,
    LedgerKind.CONVENIENCE_FEE,
    LedgerKind.UNAPPLIED,
    LedgerKind.REFUND,
)


class LedgerEntry(models.Model):
    """One money movement (or waiver), signed: money in is positive. Written in the
    same transaction as the change it records, never updated afterwards."""

    kind = models.CharField(max_length=20, choices=LedgerKind.choices)
    amount_cents = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    service = models.CharField(max_length=40, db_index=True)
    provider = models.CharField(max_length=20, blank=True)
    provider_reference = models.CharField(max_length=255, blank=True)
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="ledger_entries")
    payment = models.ForeignKey(
        Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="ledger_entries"
    )
    refund = models.OneToOneField(
        Refund, null=True, blank=True, on_delete=models.PROTECT, related_name="ledger_entry"
    )
    occurred_at = models.DateTimeField(db_index=True)
    settlement_date = models.DateField(null=True, blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    memo = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["occurred_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["payment", "kind"],
                condition=Q(kind__in=["charge", "convenience_fee", "unapplied"]),
                name="ledger_one_entry_per_payment_kind",
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind__in=["charge", "convenience_fee", "unapplied"]) & Q(amount_cents__gt=0)
                )
                | (Q(kind__in=["refund", "waiver"]) & Q(amount_cents__lt=0)),
                name="ledger_entry_sign",
            ),
        ]

    def __str__(self):
        return f"{self.kind} {self.amount_cents} {self.currency}"


class WebhookEvent(models.Model):
    """Every verified provider event, once: the unique id makes a redelivery a no-op."""

    provider = models.CharField(max_length=20)
    event_id = models.CharField(max_length=255)
    event_type = models.CharField(max_length=100)
    payload = models.JSONField()
    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    outcome = models.CharField(max_length=40, blank=True)
    payment = models.ForeignKey(
        Payment, null=True, blank=True, on_delete=models.SET_NULL, related_name="webhook_events"
    )

    class Meta:
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")
        constraints = [
            models.UniqueConstraint(fields=["provider", "event_id"], name="webhook_event_once")
        ]

    def __str__(self):
        return f"{self.provider} {self.event_id}"
