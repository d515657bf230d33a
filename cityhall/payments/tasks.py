"""Background work for payments. Each task takes ids, re-reads rows and is safe to run twice."""

from __future__ import annotations

from django_tasks import task


@task()
def deliver_sandbox_event(event_id: str) -> str:
    """The sandbox provider calling CityHall's webhook, as a real provider would."""
    from .providers.sandbox import deliver_event

    return deliver_event(event_id)


@task()
def send_receipt(payment_id: int) -> str:
    from .services_payments import send_receipt as run

    return run(payment_id)


@task()
def send_refund(refund_id: int) -> str:
    from .services_refunds import send_refund as run

    return run(refund_id).status


@task()
def sweep_pending_checkouts() -> dict:
    from .services_payments import sweep_pending_checkouts as run

    return run()


@task()
def retry_pending_refunds() -> int:
    from .services_refunds import retry_pending_refunds as run

    return run()


@task()
def expire_checkout(payment_id: int) -> str:
    """Closes a checkout at its provider (best effort: the payment is already
    expired here, and a payment that slips through is refunded automatically)."""
    from .models import Payment
    from .providers import get_provider

    payment = Payment.objects.filter(pk=payment_id).first()
    if payment is None or not payment.checkout_reference:
        return "nothing to do"
    get_provider(payment.provider).expire_checkout(payment)
    return "expired"


@task()
def purge_provider_payloads() -> int:
    """Providers' event bodies carry the payer's email and card details; after
    CITYHALL_PAYMENT_PAYLOAD_RETENTION_DAYS (past chargeback windows and the
    year-end audit) only the event's id, type and outcome stay, which is what
    keeps a redelivered webhook a no-op and the ledger explained."""
    from datetime import timedelta

    from django.conf import settings
    from django.utils import timezone

    from .models import WebhookEvent
    from .models_sandbox import SandboxEvent, SandboxSession

    cutoff = timezone.now() - timedelta(days=settings.CITYHALL_PAYMENT_PAYLOAD_RETENTION_DAYS)
    scrubbed = (
        WebhookEvent.objects.filter(received_at__lt=cutoff).exclude(payload={}).update(payload={})
    )
    SandboxEvent.objects.filter(created_at__lt=cutoff).exclude(payload={}).update(payload={})
    SandboxSession.objects.filter(created_at__lt=cutoff).exclude(customer_email="").update(
        customer_email=""
    )
    return scrubbed
