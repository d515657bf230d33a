"""Fixtures for the reservations tests: a park open 8:00-21:00 every day with a
free shelter, a paid one (hourly, resident and non-resident rates, a
deposit) and one staff approve; residents; a movable clock; the worker."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone

from cityhall.payments.models import FeeRule, FeeSchedule, RuleKind
from cityhall.reservations import services
from cityhall.reservations.models import Facility, FacilityKind, OpeningHours, Unit, UnitKind
from cityhall.reservations.timeutil import wall

SCHEDULE = "test-shelter"


@pytest.fixture(autouse=True)
def _payment_settings(settings):
    settings.CITYHALL_PAYMENT_PROVIDER = "sandbox"
    settings.CITYHALL_CONVENIENCE_FEE_CENTS = 0
    settings.CITYHALL_CONVENIENCE_FEE_BPS = 0
    settings.CITYHALL_SANDBOX_WEBHOOK_SECRET = "sandbox-test-secret"


@pytest.fixture
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def clock_at(monkeypatch):
    """Moves the reservations clock (booking windows, holds, 'in the past')."""

    def move(moment):
        monkeypatch.setattr("cityhall.reservations.clock.now", lambda: moment)
        return moment

    return move


def day_ahead(days: int = 7, weekday: int | None = None) -> date:
    """A local day at least `days` ahead (on `weekday` if given)."""
    day = timezone.localdate() + timedelta(days=days)
    if weekday is not None:
        day += timedelta(days=(weekday - day.weekday()) % 7)
    return day


def at(day: date, hour: int, minute: int = 0):
    return wall(day, time(hour, minute))


def make_schedule(code=SCHEDULE):
    schedule = FeeSchedule.objects.create(
        code=code, name_en="Shelters", name_es="Refugios", effective_from=date(2020, 1, 1)
    )
    FeeRule.objects.create(
        schedule=schedule,
        code="hours",
        label_en="Shelter rental",
        label_es="Alquiler del refugio",
        kind=RuleKind.PER_UNIT,
        unit_en="hours",
        unit_es="horas",
        resident_cents=2500,
        non_resident_cents=4000,
        minimum_cents=5000,
        position=1,
    )
    FeeRule.objects.create(
        schedule=schedule,
        code="deposit",
        label_en="Deposit",
        label_es="Depósito",
        kind=RuleKind.FLAT,
        resident_cents=10000,
        position=2,
    )
    return schedule


def make_facility(name="Alder Park", *, opens=time(8), closes=time(21), days=range(7)):
    facility = Facility.objects.create(
        name=name,
        kind=FacilityKind.PARK,
        address="1200 Alder Park Dr",
        latitude="34.052200",
        longitude="-118.243700",
        phone="(555) 010-0150",
    )
    OpeningHours.objects.bulk_create(
        OpeningHours(facility=facility, weekday=d, opens=opens, closes=closes) for d in days
    )
    return facility


def make_unit(facility, name="Shelter B", **rules):
    values = {
        "kind": UnitKind.SHELTER,
        "capacity": 30,
        "min_duration": timedelta(hours=1),
        "max_duration": timedelta(hours=4),
        "start_interval_minutes": 30,
        "closes_hours_before": 2,
        "terms_en": "Leave it clean.",
        "terms_es": "Déjelo limpio.",
    }
    values.update(rules)
    return Unit.objects.create(facility=facility, name=name, **values)


@pytest.fixture
def park(db):
    return make_facility()


@pytest.fixture
def free_unit(park):
    return make_unit(park, "Shelter B")


@pytest.fixture
def paid_unit(park):
    make_schedule()
    return make_unit(
        park,
        "Shelter A",
        capacity=60,
        min_duration=timedelta(hours=2),
        max_duration=timedelta(hours=8),
        start_interval_minutes=60,
        buffer_after=timedelta(minutes=30),
        fee_schedule=SCHEDULE,
        rate_rule="hours",
        deposit_rule="deposit",
        refund_percent=50,
    )


@pytest.fixture
def approval_unit(park):
    return make_unit(park, "Room 1", kind=UnitKind.ROOM, capacity=40, needs_approval=True)


@pytest.fixture
def manager(make_user):
    return make_user(
        "manager@staff.example.org", roles=["facility_manager"], full_name="Morgan Manager"
    )


@pytest.fixture
def other_resident(make_user):
    return make_user("neighbor@example.org", roles=["resident"], full_name="Sam Neighbor")


def details(attendees=10, purpose="Birthday picnic", resident=True) -> services.Details:
    return services.Details(attendees=attendees, purpose=purpose, resident=resident)


@pytest.fixture
def book(db):
    def make(unit, user, start, end, **kwargs):
        return services.book_slot(
            user=user, unit=unit, start=start, end=end, details=details(**kwargs)
        )

    return make


def run_worker():
    call_command(
        "db_worker", batch=True, reload=False, startup_delay=False, verbosity=0, queue_name="*"
    )
