"""The sandbox provider's own records, as a real provider keeps them on its side.

CityHall's payment code never reads these: it talks to the sandbox only
through the provider interface (providers/sandbox.py) and its signed webhooks,
as it would to Stripe. Card numbers are never stored: an attempt keeps the
last four digits and the test outcome.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class SandboxSession(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "open"
        COMPLETE = "complete", "complete"
        EXPIRED = "expired", "expired"

    class PaymentStatus(models.TextChoices):
        UNPAID = "unpaid", "unpaid"
        PAID = "paid", "paid"
        FAILED = "failed", "failed"

    id = models.CharField(primary_key=True, max_length=64)
    amount_cents = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    description = models.CharField(max_length=300)
    lines = models.JSONField(default=list)  # [{"label": ..., "amount_cents": ...}]
    client_reference = models.CharField(max_length=64)
    metadata = models.JSONField(default=dict)
    customer_email = models.EmailField(blank=True)
    success_url = models.URLField(max_length=2000)
    cancel_url = models.URLField(max_length=2000)
    language = models.CharField(max_length=8, default="en")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    payment_status = models.CharField(
        max_length=10, choices=PaymentStatus.choices, default=PaymentStatus.UNPAID
    )
    charge_id = models.CharField(max_length=64, blank=True)
    card_last4 = models.CharField(max_length=4, blank=True)
    attempts = models.JSONField(default=list)  # [{"at", "last4", "outcome"}]
    refunded_cents = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "sandbox checkout session"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(refunded_cents__gte=0)
                & models.Q(refunded_cents__lte=models.F("amount_cents")),
                name="sandbox_refunds_within_amount",
            )
        ]

    def __str__(self):
        return self.id


class SandboxRefund(models.Model):
    id = models.CharField(primary_key=True, max_length=64)
    session = models.ForeignKey(SandboxSession, on_delete=models.CASCADE, related_name="refunds")
    amount_cents = models.BigIntegerField()
    idempotency_key = models.CharField(max_length=255, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "sandbox refund"

    def __str__(self):
        return self.id


class SandboxEvent(models.Model):
    """A webhook the sandbox owes CityHall; the worker delivers it, retrying as providers do."""

    id = models.CharField(primary_key=True, max_length=64)
    session = models.ForeignKey(SandboxSession, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(max_length=100)
    payload = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = "sandbox webhook event"

    def __str__(self):
        return f"{self.type} {self.id}"
