"""Stripe Checkout through the official `stripe` library.

A Checkout Session per payment (one line for the invoice, one for the
convenience fee), created with an idempotency key so a retried request never
opens a second session. Webhooks are verified with the library
(`Stripe-Signature`, five minutes' tolerance); the events acted on are
`checkout.session.completed` (when paid), `…async_payment_succeeded`,
`…async_payment_failed` and `…expired`. The settlement date is the charge's
balance transaction `available_on`, read with the session when it is paid.

Settings: CITYHALL_STRIPE_SECRET_KEY, CITYHALL_STRIPE_WEBHOOK_SECRET, and
CITYHALL_STRIPE_API_BASE (tests point it at a local server that plays Stripe).
"""

from __future__ import annotations

import json
import logging
import time
from datetime import UTC, date, datetime, timedelta

import stripe
from django.conf import settings
from django.utils import timezone

from . import (
    EXPIRED,
    FAILED,
    PENDING,
    SUCCEEDED,
    WEBHOOK_TOLERANCE_SECONDS,
    Checkout,
    Outcome,
    ProviderError,
    ProviderEvent,
    RefundResult,
    WebhookRejected,
)

logger = logging.getLogger(__name__)

# Stripe refuses a session that expires sooner than this.
MIN_CHECKOUT_MINUTES = 30
EXPAND = ["payment_intent.latest_charge.balance_transaction", "payment_intent.payment_method"]


def _client() -> stripe.StripeClient:
    key = settings.CITYHALL_STRIPE_SECRET_KEY
    if not key:
        raise ProviderError("CITYHALL_STRIPE_SECRET_KEY is not set", definitive=True)
    return stripe.StripeClient(
        key,
        base_addresses={"api": settings.CITYHALL_STRIPE_API_BASE},
        max_network_retries=2,
        # The library waits 80 s by default, three times: a resident would stare
        # at a spinning page for four minutes. Past this, the outcome is unknown
        # (ProviderError, not definitive): the page says so and the webhook or the
        # sweeper settles it later.
        http_client=stripe.new_default_http_client(
            timeout=settings.CITYHALL_PAYMENT_PROVIDER_TIMEOUT_SECONDS
        ),
    )


def _error(error: stripe.StripeError) -> ProviderError:
    # Connection trouble, rate limits and Stripe's own 5xx leave the outcome
    # unknown; anything else is a definite "no".
    unknown = isinstance(
        error, stripe.APIConnectionError | stripe.RateLimitError | stripe.APIError
    ) or (error.http_status is not None and error.http_status >= 500)
    return ProviderError(
        f"{error.__class__.__name__}: {error.user_message or error}", definitive=not unknown
    )


def _get(obj, key, default=None):
    if obj is None:
        return default
    try:
        value = obj[key]
    except (KeyError, TypeError, IndexError):
        return default
    return default if value is None else value


def _settlement(intent) -> date | None:
    available = _get(_get(_get(intent, "latest_charge"), "balance_transaction"), "available_on")
    if isinstance(available, int):
        return timezone.localdate(datetime.fromtimestamp(available, tz=UTC))
    return None


def _outcome(session, *, paid_event: bool = False) -> Outcome:
    """What a Checkout Session (as the API or an event shows it) says."""
    intent = _get(session, "payment_intent")
    intent_id = intent if isinstance(intent, str) else _get(intent, "id", "")
    charge = _get(intent, "latest_charge") if not isinstance(intent, str) else None
    last4 = (
        _get(_get(_get(intent, "payment_method"), "card"), "last4", "")
        if not isinstance(intent, str)
        else ""
    )
    if _get(session, "payment_status") in {"paid", "no_payment_required"} or paid_event:
        return Outcome(
            state=SUCCEEDED,
            amount_cents=_get(session, "amount_total"),
            currency=str(_get(session, "currency", "")).upper(),
            payment_reference=intent_id or _get(charge, "id", ""),
            card_last4=str(last4)[-4:],
            settlement_date=_settlement(intent) if not isinstance(intent, str) else None,
        )
    if _get(session, "status") == "expired":
        return Outcome(state=EXPIRED)
    return Outcome(state=PENDING)


class StripeProvider:
    name = "stripe"
    label = "Stripe"

    def create_checkout(self, *, payment, invoice, success_url, cancel_url, language) -> Checkout:
        from cityhall.payments.selectors import payer_description

        currency = payment.currency.lower()
        line_items = [
            {
                "quantity": 1,
                "price_data": {
                    "currency": currency,
                    "unit_amount": payment.amount_cents - payment.fee_cents,
                    "product_data": {"name": payer_description(invoice, language)},
                },
            }
        ]
        if payment.fee_cents:
            line_items.append(
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": currency,
                        "unit_amount": payment.fee_cents,
                        "product_data": {
                            "name": "Cargo por pago en línea"
                            if language == "es"
                            else "Online payment fee"
                        },
                    },
                }
            )
        metadata = {
            "invoice": invoice.number,
            "payment": str(payment.public_id),
            "case": invoice.case.reference,
            "service": invoice.service,
        }
        minutes = max(settings.CITYHALL_CHECKOUT_MINUTES, MIN_CHECKOUT_MINUTES)
        expires_at = timezone.now() + timedelta(minutes=minutes)
        params = {
            "mode": "payment",
            "line_items": line_items,
            "client_reference_id": invoice.number,
            "metadata": metadata,
            "payment_intent_data": {"metadata": metadata},
            "success_url": success_url
            + ("&" if "?" in success_url else "?")
            + "session_id={CHECKOUT_SESSION_ID}",
            "cancel_url": cancel_url,
            "expires_at": int(expires_at.timestamp()),
            "locale": "es" if language == "es" else "en",
        }
        if invoice.case.contact_email:
            params["customer_email"] = invoice.case.contact_email
        try:
            session = _client().v1.checkout.sessions.create(
                params=params, options={"idempotency_key": f"checkout-{payment.public_id}"}
            )
        except stripe.StripeError as error:
            raise _error(error) from error
        return Checkout(reference=session.id, url=session.url, expires_at=expires_at)

    def read_status(self, payment) -> Outcome:
        try:
            session = _client().v1.checkout.sessions.retrieve(
                payment.checkout_reference, params={"expand": EXPAND}
            )
        except stripe.StripeError as error:
            raise _error(error) from error
        return _outcome(session)

    def verify_webhook(self, *, body: bytes, headers) -> ProviderEvent:
        secret = settings.CITYHALL_STRIPE_WEBHOOK_SECRET
        if not secret:
            raise WebhookRejected("CITYHALL_STRIPE_WEBHOOK_SECRET is not set")
        header = headers.get("Stripe-Signature", "")
        try:
            stripe.WebhookSignature.verify_header(
                body, header, secret, tolerance=WEBHOOK_TOLERANCE_SECONDS
            )
        except stripe.SignatureVerificationError as error:
            raise WebhookRejected(str(error)) from None
        # The library only refuses old timestamps; a signature dated in the future is as suspect.
        try:
            stamp = int(dict(p.split("=", 1) for p in header.split(",") if "=" in p)["t"])
        except (KeyError, ValueError):
            raise WebhookRejected("malformed signature header") from None
        if stamp > time.time() + WEBHOOK_TOLERANCE_SECONDS:
            raise WebhookRejected("timestamp in the future")
        try:
            event = json.loads(body)
            event_id, event_type = str(event["id"]), str(event["type"])
            session = event["data"]["object"]
        except (ValueError, KeyError, TypeError):
            raise WebhookRejected("not an event") from None
        if not event_type.startswith("checkout.session."):
            return ProviderEvent(event_id, event_type, "", None, event)
        reference = str(_get(session, "id", ""))
        outcome: Outcome | None = None
        if event_type in {"checkout.session.completed", "checkout.session.async_payment_succeeded"}:
            if _get(session, "payment_status") in {"paid", "no_payment_required"}:
                outcome = self._with_settlement(session)
        elif event_type == "checkout.session.async_payment_failed":
            outcome = Outcome(state=FAILED, message="async_payment_failed")
        elif event_type == "checkout.session.expired":
            outcome = Outcome(state=EXPIRED)
        return ProviderEvent(event_id, event_type, reference, outcome, event)

    def _with_settlement(self, session: dict) -> Outcome:
        """The event's facts, with the settlement date and card read from the API (best effort)."""
        outcome = _outcome(session, paid_event=True)
        try:
            full = _client().v1.checkout.sessions.retrieve(session["id"], params={"expand": EXPAND})
        except (stripe.StripeError, ProviderError) as error:
            logger.warning("stripe: could not read settlement for %s: %s", session.get("id"), error)
            return outcome
        detail = _outcome(full, paid_event=True)
        return Outcome(
            state=SUCCEEDED,
            amount_cents=outcome.amount_cents,
            currency=outcome.currency,
            payment_reference=detail.payment_reference or outcome.payment_reference,
            card_last4=detail.card_last4,
            settlement_date=detail.settlement_date,
        )

    def refund(self, *, payment, amount_cents, idempotency_key, reason) -> RefundResult:
        if not payment.provider_reference:
            raise ProviderError("this payment has no payment intent to refund", definitive=True)
        try:
            refund = _client().v1.refunds.create(
                params={
                    "payment_intent": payment.provider_reference,
                    "amount": amount_cents,
                    "metadata": {"payment": str(payment.public_id), "reason": reason[:450]},
                },
                options={"idempotency_key": f"refund-{idempotency_key}"},
            )
        except stripe.StripeError as error:
            raise _error(error) from error
        if _get(refund, "status") in {"failed", "canceled"}:
            raise ProviderError(f"refund {refund.id} {refund.status}", definitive=True)
        return RefundResult(reference=refund.id)

    def expire_checkout(self, payment) -> None:
        try:
            _client().v1.checkout.sessions.expire(payment.checkout_reference)
        except (stripe.StripeError, ProviderError) as error:
            logger.info("stripe: could not expire %s: %s", payment.checkout_reference, error)
