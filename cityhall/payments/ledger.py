"""Writing the ledger: one signed entry per money movement (and per waiver),
in the transaction of the change it records. Entries are never updated."""

from __future__ import annotations

from django.utils import timezone

from cityhall.core.money import format_cents

from .models import Invoice, LedgerEntry, LedgerKind, Payment, Refund


def format_money(cents: int, currency: str = "USD") -> str:
    if currency.upper() == "USD":
        return format_cents(cents)
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) / 100:,.2f} {currency.upper()}"


def record(
    *,
    kind: str,
    amount_cents: int,
    invoice: Invoice,
    payment: Payment | None = None,
    refund: Refund | None = None,
    currency: str | None = None,
    provider_reference: str = "",
    settlement_date=None,
    occurred_at=None,
    actor=None,
    memo: str = "",
) -> LedgerEntry:
    if kind not in LedgerKind.values:
        raise ValueError(f"unknown ledger kind {kind!r}")
    return LedgerEntry.objects.create(
        kind=kind,
        amount_cents=amount_cents,
        currency=(currency or (payment.currency if payment else invoice.currency)).upper(),
        service=invoice.service,
        provider=payment.provider if payment else "",
        provider_reference=provider_reference,
        invoice=invoice,
        payment=payment,
        refund=refund,
        occurred_at=occurred_at or timezone.now(),
        settlement_date=settlement_date,
        actor=actor,
        memo=memo[:300],
    )
