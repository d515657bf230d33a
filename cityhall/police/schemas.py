"""The police API's contract (pydantic, via django-ninja). Field names are the public contract."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from ninja import Field, Schema
from pydantic import field_validator

from .nibrs import PROPERTY_DESCRIPTIONS, RESIDENT_CODES
from .validation import MAX_ITEM_VALUE_CENTS, MAX_ITEMS, MAX_QUANTITY


class ReporterIn(Schema):
    first_name: str = Field(min_length=1, max_length=100)
    last_name: str = Field(min_length=1, max_length=100)
    email: str = Field(max_length=254)
    phone: str = Field(default="", max_length=30)
    address: str = Field(default="", max_length=300)
    language: Literal["en", "es"] = "en"

    @field_validator("first_name", "last_name")
    @classmethod
    def not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value

    @field_validator("email")
    @classmethod
    def email_address(cls, value: str) -> str:
        # The same rule as the HTML form (Django's), so both channels accept the same addresses.
        try:
            validate_email(value.strip())
        except DjangoValidationError as error:
            raise ValueError("enter an email address like name@example.com") from error
        return value.strip()


class IncidentIn(Schema):
    kind: Literal["lost", "stolen"]
    occurred_from: datetime
    occurred_to: datetime | None = None
    address: str = Field(min_length=1, max_length=300)
    narrative: str = Field(min_length=1, max_length=5000)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)

    @field_validator("occurred_from", "occurred_to")
    @classmethod
    def aware(cls, value):
        if value is not None and value.tzinfo is None:
            raise ValueError("include a UTC offset, e.g. 2026-11-20T18:00:00-08:00")
        return value


class ItemIn(Schema):
    category: str = Field(description="NIBRS property description code, e.g. 04 (bicycles)")
    description: str = Field(min_length=1, max_length=300)
    brand: str = Field(default="", max_length=100)
    model: str = Field(default="", max_length=100)
    serial_number: str = Field(default="", max_length=100)
    quantity: int = Field(default=1, ge=1, le=MAX_QUANTITY)
    value_cents: int = Field(default=0, ge=0, le=MAX_ITEM_VALUE_CENTS)

    @field_validator("category")
    @classmethod
    def online_category(cls, value: str) -> str:
        if value not in PROPERTY_DESCRIPTIONS:
            raise ValueError("not a NIBRS property description code")
        if value not in RESIDENT_CODES:
            raise ValueError("this kind of property cannot be reported online; call the police")
        return value


class ReportIn(Schema):
    reporter: ReporterIn
    incident: IncidentIn
    items: list[ItemIn] = Field(min_length=1, max_length=MAX_ITEMS)
    declaration_accepted: bool

    # A field validator, not a model one, so the error is reported at
    # "declaration_accepted" rather than at the whole body.
    @field_validator("declaration_accepted")
    @classmethod
    def declared(cls, value: bool) -> bool:
        if not value:
            raise ValueError("must be true: the reporter confirms the information is true")
        return value


class SubmittedOut(Schema):
    reference: str
    status: str
    expected_decision_at: datetime | None = None


class ItemOut(Schema):
    category: str
    category_name: str
    loss_type: str
    description: str
    brand: str
    model: str
    serial_number: str
    quantity: int
    value_cents: int


class ReportOut(Schema):
    reference: str
    report_number: str | None
    status: str
    channel: str
    kind: str
    submitted_at: datetime | None
    decided_at: datetime | None
    expected_decision_at: datetime | None
    reporter: dict
    incident: dict
    items: list[ItemOut]
    total_value_cents: int


class ReportSummaryOut(Schema):
    reference: str
    report_number: str | None
    status: str
    kind: str
    submitted_at: datetime | None
    total_value_cents: int


class ApproveOut(Schema):
    reference: str
    report_number: str
    status: str


class RejectIn(Schema):
    reason: str = Field(description="A rejection reason code, e.g. outside-jurisdiction")
    note: str = Field(default="", max_length=4000)


class RequestInfoIn(Schema):
    message: str = Field(min_length=1, max_length=4000)


class StatusOut(Schema):
    reference: str
    status: str


class PropertyMatchOut(Schema):
    reference: str
    report_number: str | None
    status: str
    kind: str
    description: str
    brand: str
    model: str
    serial_number: str
    submitted_at: datetime | None
