"""The reservations API's contract (pydantic, via django-ninja). Field names are the public contract.

Times go out as ISO 8601 with the city's UTC offset; they come in as ISO 8601
with any offset (a time without one is refused: it would be ambiguous)."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema
from pydantic import field_validator

from .timeutil import FIRST_DAY, LAST_DAY, is_sane_day


class UnitSummaryOut(Schema):
    id: int
    name: str
    kind: str
    capacity: int
    needs_approval: bool
    free: bool


class FacilityOut(Schema):
    id: int
    name: str
    kind: str
    address: str
    latitude: float | None
    longitude: float | None
    amenities: list[str]
    units: list[UnitSummaryOut]


class HoursOut(Schema):
    weekday: int
    opens: str
    closes: str


class ClosureOut(Schema):
    first_day: str
    last_day: str
    closed: bool
    opens: str | None
    closes: str | None
    reason: str


class UnitOut(UnitSummaryOut):
    description: str
    accessibility: str
    amenities: list[str]
    min_duration_minutes: int
    max_duration_minutes: int
    start_interval_minutes: int
    buffer_before_minutes: int
    buffer_after_minutes: int
    opens_days_ahead: int
    closes_hours_before: int
    residents_first_days: int
    max_active_per_person: int | None
    allow_overnight: bool
    cancel_hours_before: int
    refund_percent: int
    rate: dict | None
    busy_ics: str


class FacilityDetailOut(Schema):
    id: int
    name: str
    kind: str
    address: str
    latitude: float | None
    longitude: float | None
    description: str
    accessibility: str
    phone: str
    email: str
    amenities: list[str]
    photos: list[dict]
    time_zone: str
    hours: list[HoursOut]
    closures: list[ClosureOut]
    units: list[UnitOut]


class SlotOut(Schema):
    start: str = Field(description="ISO 8601 with the city's offset")
    end: str = Field(description="start plus the shortest booking")
    max_end: str = Field(description="the latest end a booking from this start may have")


class AvailabilityOut(Schema):
    unit: int
    start: str
    end: str
    time_zone: str
    slots: list[SlotOut]


class BookingIn(Schema):
    unit: int
    start: datetime = Field(description="ISO 8601 with an offset, e.g. 2026-12-01T18:00:00-08:00")
    end: datetime
    attendees: int
    purpose: str = Field(max_length=300)
    resident: bool = Field(default=True, description="resident rates and booking window")

    @field_validator("start", "end")
    @classmethod
    def aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("include a UTC offset, e.g. 2026-12-01T18:00:00-08:00")
        if not is_sane_day(value.date()):
            raise ValueError(f"use a date between {FIRST_DAY} and {LAST_DAY}")
        return value


class TimeOut(Schema):
    id: int
    start: str
    end: str
    active: bool


class BookingOut(Schema):
    reference: str
    status: str
    unit: int
    start: str
    end: str
    times: list[TimeOut]
    attendees: int
    purpose: str
    hold_expires_at: str | None
    price_cents: int
    deposit_cents: int
    total_cents: int
    pay_url: str | None
    booking_url: str


class CancelIn(Schema):
    reason: str = Field(default="", max_length=2000)


class CancelledOut(BookingOut):
    refund_cents: int
