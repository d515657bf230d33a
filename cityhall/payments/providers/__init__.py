"""Payment providers behind one interface.

A provider hosts the checkout page (card data never reaches CityHall), tells
what became of a checkout when asked, sends signed webhooks, and refunds. The
rest of the payments app speaks only this interface:

    create_checkout(payment, ...) -> Checkout        the hosted page's URL
    read_status(payment) -> Outcome                   asked on return and by the sweeper
    verify_webhook(body, headers) -> ProviderEvent    signature and freshness first
    refund(payment, amount, idempotency_key) -> RefundResult
    expire_checkout(payment)                          best effort, when an invoice changes

`sandbox` (the default) is served by CityHall itself for trying things out;
`stripe` is Stripe Checkout. CITYHALL_PAYMENT_PROVIDER chooses the one new
checkouts use; webhooks and refunds always go to the provider a payment was
made with, so switching providers leaves older payments working.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol

from django.conf import settings

# How old a webhook's signed timestamp may be (Stripe's default tolerance).
WEBHOOK_TOLERANCE_SECONDS = 300

PENDING, SUCCEEDED, FAILED, EXPIRED = "pending", "succeeded", "failed", "expired"


@dataclass(frozen=True)
class Checkout:
    reference: str
    url: str
    expires_at: datetime


@dataclass(frozen=True)
class Outcome:
    """What the provider says about a checkout."""

    state: str  # PENDING, SUCCEEDED, FAILED or EXPIRED
    amount_cents: int | None = None
    currency: str = ""
    payment_reference: str = ""
    card_last4: str = ""
    settlement_date: date | None = None
    occurred_at: datetime | None = None
    message: str = ""


@dataclass(frozen=True)
class ProviderEvent:
    event_id: str
    event_type: str
    checkout_reference: str
    outcome: Outcome | None  # None: an event CityHall does not act on
    payload: dict = field(default_factory=dict)


@dataclass(frozen=True)
class RefundResult:
    reference: str
    settlement_date: date | None = None


class WebhookRejected(Exception):
    """Bad, missing, forged or stale signature, or a body that is not an event."""


class ProviderError(Exception):
    """`definitive`: the provider answered no (nothing happened). Otherwise the
    outcome is unknown (timeout, 5xx) and the call must be retried with the same
    idempotency key before anything is released."""

    def __init__(self, message: str, *, definitive: bool):
        super().__init__(message)
        self.definitive = definitive


class Provider(Protocol):
    name: str
    label: str

    def create_checkout(
        self, *, payment, invoice, success_url: str, cancel_url: str, language: str
    ) -> Checkout: ...

    def read_status(self, payment) -> Outcome: ...

    def verify_webhook(self, *, body: bytes, headers) -> ProviderEvent: ...

    def refund(
        self, *, payment, amount_cents: int, idempotency_key: str, reason: str
    ) -> RefundResult: ...

    def expire_checkout(self, payment) -> None: ...


def get_provider(name: str) -> Provider:
    if name == "sandbox":
        from .sandbox import SandboxProvider

        return SandboxProvider()
    if name == "stripe":
        from .stripe import StripeProvider

        return StripeProvider()
    raise LookupError(f"no payment provider {name!r}")


def default_provider() -> Provider:
    return get_provider(settings.CITYHALL_PAYMENT_PROVIDER)


PROVIDER_NAMES = ("sandbox", "stripe")
