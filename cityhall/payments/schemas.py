"""The payments API's contract (pydantic, via django-ninja). Field names are the public contract."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal
from uuid import UUID

from ninja import Field, Schema
from pydantic import field_validator

from .services_refunds import MAX_REFUND_CENTS


class FeeItemIn(Schema):
    code: str = Field(
        min_length=1, max_length=60, description="A rule of the schedule, e.g. valuation"
    )
    quantity: Decimal | None = Field(
        default=None, gt=0, le=1_000_000, description="Units for per-unit fees (hours, square feet)"
    )
    value: int | None = Field(
        default=None,
        ge=0,
        le=10**15,
        description="What a tiered fee is worked out from, e.g. a valuation in cents",
    )


class FeeEstimateIn(Schema):
    schedule: str = Field(min_length=1, max_length=60, description="e.g. building-permit")
    date: dt.date | None = Field(
        default=None, description="The schedule in effect on this day (today)"
    )
    resident: bool = True
    items: list[FeeItemIn] = Field(min_length=1, max_length=50)
    language: Literal["en", "es"] = Field(default="en", description="For the descriptions")


class FeeLineOut(Schema):
    code: str
    description: str
    detail: str
    quantity: Decimal | None
    value: int | None
    unit_cents: int | None
    amount_cents: int


class FeeEstimateOut(Schema):
    schedule: str
    schedule_name: str
    effective_from: dt.date
    date: dt.date
    resident: bool
    currency: str
    lines: list[FeeLineOut]
    total_cents: int


class InvoiceLineOut(Schema):
    kind: str
    code: str
    description: str
    detail: str
    amount_cents: int


class InvoicePaymentOut(Schema):
    id: UUID
    status: str
    provider: str
    amount_cents: int
    convenience_fee_cents: int
    refunded_cents: int
    currency: str
    completed_at: dt.datetime | None
    receipt_url: str | None


class InvoiceOut(Schema):
    number: str
    case_reference: str
    service: str
    status: str
    currency: str
    total_cents: int
    due_date: dt.date
    created_at: dt.datetime
    paid_at: dt.datetime | None
    lines: list[InvoiceLineOut]
    payments: list[InvoicePaymentOut]
    pay_url: str | None


class CheckoutOut(Schema):
    invoice: str
    payment_id: UUID
    provider: str
    checkout_url: str
    expires_at: dt.datetime | None
    amount_cents: int
    convenience_fee_cents: int
    currency: str


class RefundIn(Schema):
    amount_cents: int = Field(
        gt=0,
        le=MAX_REFUND_CENTS,
        description="Cents to refund; at most what is left of the payment",
    )
    reason: str = Field(min_length=1, max_length=1000)

    @field_validator("reason")
    @classmethod
    def not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()


class RefundOut(Schema):
    id: int
    payment_id: int
    status: str
    amount_cents: int
    currency: str
    provider_reference: str
    payment_refunded_cents: int
    invoice_status: str
