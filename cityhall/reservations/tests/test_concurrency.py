"""Never double-booked: many parallel connections racing for the same time
(one per thread; SQLite in WAL mode with IMMEDIATE transactions, and
PostgreSQL with its exclusion constraint). Exactly one wins; every other is
told the time was just taken, with alternatives."""

from __future__ import annotations

import json
from itertools import combinations

import pytest
from django.db import IntegrityError, connection, transaction
from django.test import Client

from cityhall.accounts.services import issue_api_token
from cityhall.reservations import services
from cityhall.reservations.errors import SlotTaken
from cityhall.reservations.models import Booking, Occurrence
from cityhall.testing import in_parallel as run_in_parallel

from .conftest import at, day_ahead, details

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 12


def in_parallel(work, count=THREADS):
    return run_in_parallel(work, count)


@pytest.fixture
def people(make_user):
    return [make_user(f"resident{i}@example.org", roles=["resident"]) for i in range(THREADS)]


def assert_no_overlaps():
    """No two active times of one unit overlap, buffers included."""
    rows = list(
        Occurrence.objects.filter(active=True).values_list(
            "unit_id", "blocked_from", "blocked_until"
        )
    )
    for (unit_a, from_a, until_a), (unit_b, from_b, until_b) in combinations(rows, 2):
        assert unit_a != unit_b or until_a <= from_b or until_b <= from_a, (from_a, from_b)


def test_many_residents_racing_for_one_time_one_wins(free_unit, people):
    day = day_ahead()
    start, end = at(day, 10), at(day, 12)

    def attempt(i):
        return services.book_slot(
            user=people[i], unit=free_unit, start=start, end=end, details=details()
        ).pk

    results, errors = in_parallel(attempt)

    assert len(results) == 1, (results, errors)
    assert len(errors) == THREADS - 1
    for error in errors.values():
        assert isinstance(error, SlotTaken), repr(error)
        assert "just taken" in str(error)
        assert error.alternatives  # somewhere else to go
    assert Booking.objects.count() == 1
    assert_no_overlaps()


def test_overlapping_times_with_buffers_racing(paid_unit, people):
    """Different, overlapping asks (the buffer after each counts): still no overlap."""
    day = day_ahead()
    asks = [(at(day, 9 + i % 6), at(day, 11 + i % 6)) for i in range(THREADS)]

    def attempt(i):
        start, end = asks[i]
        return services.book_slot(
            user=people[i], unit=paid_unit, start=start, end=end, details=details()
        ).pk

    results, errors = in_parallel(attempt)

    assert results, errors
    assert all(isinstance(e, SlotTaken) for e in errors.values()), errors
    assert_no_overlaps()
    # 9-11, 12-14 (11:00-11:30 kept free after the first) and 15-17 at most... at least two fit.
    assert 2 <= len(results) <= 3


def test_racing_through_the_api_gives_one_201_and_409s(free_unit, people):
    tokens = [issue_api_token(user=person).raw for person in people]
    day = day_ahead()
    payload = json.dumps(
        {
            "unit": free_unit.pk,
            "start": at(day, 14).isoformat(),
            "end": at(day, 15).isoformat(),
            "attendees": 10,
            "purpose": "Race",
        }
    )

    def attempt(i):
        response = Client().post(
            "/api/v1/bookings",
            data=payload,
            content_type="application/json",
            headers={"Authorization": f"Bearer {tokens[i]}"},
        )
        return response.status_code, response.json()

    results, errors = in_parallel(attempt)

    assert not errors, errors
    statuses = sorted(status for status, _body in results.values())
    assert statuses == [201] + [409] * (THREADS - 1), results
    for status, body in results.values():
        if status == 409:
            assert body["error"]["code"] == "slot_taken" and body["error"]["alternatives"]
    assert_no_overlaps()


@pytest.mark.postgres_only
def test_the_database_refuses_an_overlap_even_without_the_service(free_unit, resident):
    if connection.vendor != "postgresql":
        pytest.skip("the exclusion constraint is PostgreSQL's")
    day = day_ahead()
    booking = services.book_slot(
        user=resident, unit=free_unit, start=at(day, 10), end=at(day, 12), details=details()
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Occurrence.objects.create(
            booking=booking,
            unit=free_unit,
            start=at(day, 11),
            end=at(day, 13),
            blocked_from=at(day, 11),
            blocked_until=at(day, 13),
        )
    # Touching is not overlapping; an inactive time takes nothing.
    Occurrence.objects.create(
        booking=booking,
        unit=free_unit,
        start=at(day, 12),
        end=at(day, 13),
        blocked_from=at(day, 12),
        blocked_until=at(day, 13),
    )
    Occurrence.objects.create(
        booking=booking,
        unit=free_unit,
        start=at(day, 10),
        end=at(day, 11),
        blocked_from=at(day, 10),
        blocked_until=at(day, 11),
        active=False,
    )


@pytest.mark.postgres_only
def test_a_hold_released_while_its_freed_time_is_offered_does_not_deadlock(paid_unit, make_user):
    """A hold runs out and its time is offered to the waitlist, while another
    run-out hold on the same unit is being released (by the worker, or by a
    resident booking near it). Every booking write locks invoice, then unit,
    then case; the offer, made with the unit locked, must not go on to lock the
    other hold's invoice, or each waits for the other until PostgreSQL aborts one."""
    import threading
    import time
    from datetime import timedelta

    from django.db import connections
    from django.utils import timezone

    from cityhall.payments.models import Invoice
    from cityhall.reservations import lifecycle, waitlist
    from cityhall.reservations.models import Unit, WaitlistEntry, WaitlistStatus

    if connection.vendor != "postgresql":
        pytest.skip("row locks and deadlock detection")
    day = day_ahead()
    first, second, waiting = (
        make_user(f"{name}@example.org", roles=["resident"]) for name in ("ann", "ben", "cat")
    )
    ran_out = services.book_slot(
        user=first, unit=paid_unit, start=at(day, 10), end=at(day, 12), details=details()
    )
    near = services.book_slot(
        user=second, unit=paid_unit, start=at(day, 14), end=at(day, 16), details=details()
    )
    entry = waitlist.join_waitlist(
        user=waiting, unit=paid_unit, start=at(day, 10), end=at(day, 12), details=details()
    )
    past = timezone.now() - timedelta(minutes=5)
    Booking.objects.filter(pk__in=[ran_out.pk, near.pk]).update(hold_expires_at=past)
    Occurrence.objects.filter(booking__in=[ran_out, near]).update(held_until=past)

    holding = threading.Event()
    errors = []

    def release_the_near_hold():
        # release_hold's own order: the invoice, then (a moment later) the unit.
        try:
            with transaction.atomic():
                Invoice.objects.select_for_update().get(pk=near.invoice_id)
                holding.set()
                time.sleep(0.5)  # the other side takes the unit meanwhile
                Unit.objects.select_for_update().get(pk=paid_unit.pk)
        except Exception as error:  # asserted below
            errors.append(error)
        finally:
            holding.set()
            connections.close_all()

    def release_the_first_hold():
        try:
            holding.wait(10)
            lifecycle.release_hold(ran_out.pk, now=timezone.now())
        except Exception as error:  # asserted below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=release_the_near_hold),
        threading.Thread(target=release_the_first_hold),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors, errors  # before the fix: psycopg.errors.DeadlockDetected
    ran_out.case.refresh_from_db()
    assert ran_out.case.status == "expired"
    entry.refresh_from_db()
    assert entry.status == WaitlistStatus.OFFERED  # the freed time went to the waitlist
    assert WaitlistEntry.objects.filter(status=WaitlistStatus.OFFERED).count() == 1
