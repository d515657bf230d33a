"""The sandbox provider: a hosted checkout page served by CityHall under
/pay/sandbox/, for pilots, demos and tests. No money moves.

It behaves as a real provider does: CityHall redirects the payer to its page,
the payer comes back to the return URL, and the sandbox calls CityHall's
webhook from the worker with an HMAC-signed payload (`Sandbox-Signature:
t=<unix time>,v1=<HMAC-SHA256 of "<t>.<body>">`, the scheme Stripe uses), over
HTTP to CITYHALL_SITE_URL, retrying with backoff when it is not answered.

Test cards: 4242 4242 4242 4242 succeeds; 4000 0000 0000 0002 is declined;
4000 0000 0000 9995 has insufficient funds (the payer stays on the page and
tries another card). Only the last four digits and the outcome are kept.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from cityhall.payments.models_sandbox import SandboxEvent, SandboxRefund, SandboxSession

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

SIGNATURE_HEADER = "Sandbox-Signature"
SUCCEEDS, DECLINED, INSUFFICIENT_FUNDS = "succeeded", "declined", "insufficient_funds"
TEST_CARDS = {
    "4242424242424242": SUCCEEDS,
    "4000000000000002": DECLINED,
    "4000000000009995": INSUFFICIENT_FUNDS,
}
DELIVERY_ATTEMPTS = 8
DELIVERY_RETRY_SECONDS = 30


def _id(prefix: str) -> str:
    return f"{prefix}_sbx_{secrets.token_hex(12)}"


def webhook_secret() -> str:
    return (
        settings.CITYHALL_SANDBOX_WEBHOOK_SECRET
        or salted_hmac("cityhall.payments.sandbox", "webhook-secret").hexdigest()
    )


def sign(body: bytes, *, secret: str, timestamp: int) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def next_business_day(day: date) -> date:
    day += timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _snapshot(session: SandboxSession) -> dict:
    """The session as the sandbox's API and webhooks show it."""
    settled = None
    if session.payment_status == SandboxSession.PaymentStatus.PAID and session.completed_at:
        settled = next_business_day(timezone.localdate(session.completed_at)).isoformat()
    return {
        "id": session.id,
        "object": "checkout.session",
        "status": session.status,
        "payment_status": session.payment_status,
        "amount_total": session.amount_cents,
        "currency": session.currency.lower(),
        "client_reference_id": session.client_reference,
        "metadata": session.metadata,
        "charge": session.charge_id or None,
        "card_last4": session.card_last4 or None,
        "settlement_date": settled,
        "completed_at": int(session.completed_at.timestamp()) if session.completed_at else None,
        "expires_at": int(session.expires_at.timestamp()),
    }


def _outcome(snapshot: dict) -> Outcome:
    completed = snapshot.get("completed_at")
    occurred = (
        datetime.fromtimestamp(completed, tz=timezone.get_default_timezone()) if completed else None
    )
    if snapshot.get("payment_status") == "paid":
        settled = snapshot.get("settlement_date")
        return Outcome(
            state=SUCCEEDED,
            amount_cents=int(snapshot["amount_total"]),
            currency=str(snapshot["currency"]).upper(),
            payment_reference=snapshot.get("charge") or "",
            card_last4=snapshot.get("card_last4") or "",
            settlement_date=date.fromisoformat(settled) if settled else None,
            occurred_at=occurred,
        )
    if snapshot.get("payment_status") == "failed":
        return Outcome(
            state=FAILED,
            card_last4=snapshot.get("card_last4") or "",
            occurred_at=occurred,
            message="card_declined",
        )
    if snapshot.get("status") == "expired":
        return Outcome(state=EXPIRED)
    return Outcome(state=PENDING)


class SandboxProvider:
    name = "sandbox"
    label = _("Sandbox (test, no money moves)")

    def create_checkout(self, *, payment, invoice, success_url, cancel_url, language) -> Checkout:
        from cityhall.payments.selectors import line_rows

        expires_at = timezone.now() + timedelta(minutes=settings.CITYHALL_CHECKOUT_MINUTES)
        with translation.override(language):
            lines = [
                {"label": label, "amount_cents": amount}
                for label, amount in line_rows(invoice, fee_cents=payment.fee_cents)
            ]
            session = SandboxSession.objects.create(
                id=_id("cs"),
                amount_cents=payment.amount_cents,
                currency=payment.currency,
                description=invoice.number,
                lines=lines,
                client_reference=invoice.number,
                metadata={"invoice": invoice.number, "payment": str(payment.public_id)},
                customer_email=invoice.case.contact_email,
                success_url=success_url,
                cancel_url=cancel_url,
                language=language,
                expires_at=expires_at,
            )
            path = reverse("payments:sandbox-checkout", kwargs={"session_id": session.id})
        return Checkout(
            reference=session.id, url=settings.CITY_SITE_URL + path, expires_at=expires_at
        )

    def read_status(self, payment) -> Outcome:
        session = SandboxSession.objects.filter(pk=payment.checkout_reference).first()
        if session is None:
            raise ProviderError("no such checkout session", definitive=True)
        if session.status == SandboxSession.Status.OPEN and session.expires_at <= timezone.now():
            SandboxSession.objects.filter(pk=session.pk, status=SandboxSession.Status.OPEN).update(
                status=SandboxSession.Status.EXPIRED
            )
            session.refresh_from_db()
        return _outcome(_snapshot(session))

    def verify_webhook(self, *, body: bytes, headers) -> ProviderEvent:
        header = headers.get(SIGNATURE_HEADER, "")
        pairs = [part.split("=", 1) for part in header.split(",") if "=" in part]
        try:
            timestamp = int(next(value for key, value in pairs if key.strip() == "t"))
        except (StopIteration, ValueError):
            raise WebhookRejected("missing or malformed signature header") from None
        expected = sign(body, secret=webhook_secret(), timestamp=timestamp).split("v1=", 1)[1]
        given = [value.strip() for key, value in pairs if key.strip() == "v1"]
        if not any(hmac.compare_digest(expected, value) for value in given):
            raise WebhookRejected("signature does not match")
        if abs(time.time() - timestamp) > WEBHOOK_TOLERANCE_SECONDS:
            raise WebhookRejected("stale timestamp")
        try:
            event = json.loads(body)
            snapshot = event["data"]["object"]
            event_id, event_type = str(event["id"]), str(event["type"])
            reference = str(snapshot["id"])
        except (ValueError, KeyError, TypeError):
            raise WebhookRejected("not an event") from None
        acted_on = {
            "checkout.session.completed",
            "checkout.session.payment_failed",
            "checkout.session.expired",
        }
        return ProviderEvent(
            event_id=event_id,
            event_type=event_type,
            checkout_reference=reference,
            outcome=_outcome(snapshot) if event_type in acted_on else None,
            payload=event,
        )

    @transaction.atomic
    def refund(self, *, payment, amount_cents, idempotency_key, reason) -> RefundResult:
        # The charge's row is locked before the key is looked up: the same refund
        # sent twice at once (a clerk and the retry worker) then finds the first
        # one's row instead of both inserting the key (a unique-key error), as
        # Stripe answers the same Idempotency-Key.
        session = (
            SandboxSession.objects.select_for_update().filter(pk=payment.checkout_reference).first()
        )
        done = SandboxRefund.objects.filter(idempotency_key=idempotency_key).first()
        if done is not None:
            return RefundResult(
                reference=done.id, settlement_date=next_business_day(timezone.localdate())
            )
        if session is None or session.payment_status != SandboxSession.PaymentStatus.PAID:
            raise ProviderError("nothing was charged on this checkout", definitive=True)
        if session.refunded_cents + amount_cents > session.amount_cents:
            raise ProviderError("refund is larger than what is left of the charge", definitive=True)
        refund = SandboxRefund.objects.create(
            id=_id("re"),
            session=session,
            amount_cents=amount_cents,
            idempotency_key=idempotency_key,
        )
        session.refunded_cents += amount_cents
        session.save(update_fields=["refunded_cents"])
        return RefundResult(
            reference=refund.id, settlement_date=next_business_day(timezone.localdate())
        )

    def expire_checkout(self, payment) -> None:
        SandboxSession.objects.filter(
            pk=payment.checkout_reference, status=SandboxSession.Status.OPEN
        ).update(status=SandboxSession.Status.EXPIRED)


# ---- the sandbox's side: its checkout page and its webhooks -----------------


@dataclass(frozen=True)
class Attempt:
    outcome: str  # SUCCEEDS, DECLINED, INSUFFICIENT_FUNDS, or "closed"
    redirect_url: str | None


def open_session(session_id: str) -> SandboxSession | None:
    session = SandboxSession.objects.filter(pk=session_id).first()
    if (
        session is not None
        and session.status == SandboxSession.Status.OPEN
        and session.expires_at <= timezone.now()
    ):
        SandboxSession.objects.filter(pk=session.pk, status=SandboxSession.Status.OPEN).update(
            status=SandboxSession.Status.EXPIRED
        )
        session.refresh_from_db()
    return session


@transaction.atomic
def pay(*, session_id: str, card_number: str) -> Attempt:
    """One try with a test card. The card number is used here and forgotten."""
    session = SandboxSession.objects.select_for_update().get(pk=session_id)
    now = timezone.now()
    if session.status == SandboxSession.Status.OPEN and session.expires_at <= now:
        session.status = SandboxSession.Status.EXPIRED
        session.save(update_fields=["status"])
        _queue_event(session, "checkout.session.expired")
    if session.status != SandboxSession.Status.OPEN:
        return Attempt("closed", session.success_url)
    outcome = TEST_CARDS.get(card_number)
    if outcome is None:
        raise ValueError("the sandbox accepts its test cards only")
    session.attempts = [
        *session.attempts,
        {"at": now.isoformat(), "last4": card_number[-4:], "outcome": outcome},
    ]
    fields = ["attempts"]
    if outcome == INSUFFICIENT_FUNDS:
        session.save(update_fields=fields)
        return Attempt(outcome, None)
    session.status = SandboxSession.Status.COMPLETE
    session.card_last4 = card_number[-4:]
    session.completed_at = now
    fields += ["status", "card_last4", "completed_at", "payment_status"]
    if outcome == SUCCEEDS:
        session.payment_status = SandboxSession.PaymentStatus.PAID
        session.charge_id = _id("ch")
        fields.append("charge_id")
        event_type = "checkout.session.completed"
    else:
        session.payment_status = SandboxSession.PaymentStatus.FAILED
        event_type = "checkout.session.payment_failed"
    session.save(update_fields=fields)
    _queue_event(session, event_type)
    return Attempt(outcome, session.success_url)


def _queue_event(session: SandboxSession, event_type: str) -> SandboxEvent:
    from cityhall.payments.tasks import deliver_sandbox_event

    event_id = _id("evt")
    event = SandboxEvent.objects.create(
        id=event_id,
        session=session,
        type=event_type,
        payload={
            "id": event_id,
            "object": "event",
            "type": event_type,
            "created": int(time.time()),
            "data": {"object": _snapshot(session)},
        },
    )
    deliver_sandbox_event.enqueue(event_id)
    return event


def webhook_url() -> str:
    return settings.CITY_SITE_URL + reverse(
        "payments-plain:webhook", kwargs={"provider": "sandbox"}
    )


def deliver_event(event_id: str) -> str:
    """POSTs one event to CityHall's webhook, signed now; retried later when not acknowledged."""
    from cityhall.payments.tasks import deliver_sandbox_event

    event = SandboxEvent.objects.filter(pk=event_id).first()
    if event is None or event.delivered_at is not None:
        return "nothing to do"
    url = webhook_url()
    if not url.startswith(("http://", "https://")):
        raise ValueError("CITYHALL_SITE_URL must be an http(s) address")
    body = json.dumps(event.payload, sort_keys=True).encode()
    request = urllib.request.Request(  # noqa: S310  (scheme checked above)
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "CityHall-Sandbox/1.0",
            SIGNATURE_HEADER: sign(body, secret=webhook_secret(), timestamp=int(time.time())),
        },
    )
    error = ""
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            status = response.status
    except urllib.error.HTTPError as failure:
        status, error = failure.code, f"HTTP {failure.code}"
    except (urllib.error.URLError, OSError) as failure:
        status, error = None, str(getattr(failure, "reason", failure))[:300]
    attempts = event.attempts + 1
    if status is not None and 200 <= status < 300:
        SandboxEvent.objects.filter(pk=event_id).update(
            delivered_at=timezone.now(), attempts=attempts, last_error=""
        )
        return "delivered"
    SandboxEvent.objects.filter(pk=event_id).update(attempts=attempts, last_error=error)
    logger.warning("sandbox webhook %s attempt %s: %s", event_id, attempts, error)
    if attempts < DELIVERY_ATTEMPTS:
        delay = timedelta(seconds=min(DELIVERY_RETRY_SECONDS * 2 ** (attempts - 1), 3600))
        deliver_sandbox_event.using(run_after=timezone.now() + delay).enqueue(event_id)
        return "retrying"
    return "gave up"
