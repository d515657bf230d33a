"""Facility reservations at scale: availability, search, and a booking race.

    .venv/bin/python bench/bench_reservations.py [--database-url postgres://...]
        [--units 500] [--bookings 200000] [--clients 16] [--slots 100]

Builds 500 units (50 facilities open 7:00-23:00 every day, ten units each,
some with a 30-minute buffer after each booking) and 200,000 confirmed
bookings spread over the days around today, then measures, in this process:

1. one unit's week of free start times, as the API computes them
   (availability.slots_between), and the same through GET
   /api/v1/units/{id}/availability with the test client (view and JSON
   included): p50 / p95 / max over random units and weeks;
2. the search across every unit for one evening (18:00-21:00), as the search
   page runs it (availability.search): p50 / p95 / max;
3. `--clients` threads (one database connection each, distinct residents)
   racing for the same `--slots` free times through services.book_slot, each
   trying every slot in its own random order: bookings/s, attempts/s, and
   the check that no two active times of a unit overlap (target: none).

Targets: week availability p95 <= 20 ms; evening search p95 <= 200 ms; zero
overlaps. A throwaway SQLite database under a temporary directory is used
unless --database-url is given (that database is migrated and its
reservation rows, cases and tasks are emptied first).
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import tempfile
import threading
import time
from datetime import timedelta
from itertools import combinations
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def machine() -> str:
    import sqlite3

    from django.db import connection

    memory = ""
    try:
        with open("/proc/meminfo") as handle:
            memory = f", {int(handle.readline().split()[1]) / 1024 / 1024:.0f} GB memory"
    except OSError:
        pass
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            database = f"PostgreSQL {cursor.fetchone()[0]}"
    else:
        database = f"SQLite {sqlite3.sqlite_version} (WAL, IMMEDIATE)"
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores{memory}; Python {platform.python_version()}; {database}"


def setup(database_url: str | None) -> None:
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)
        os.environ["CITYHALL_VAR_DIR"] = tempfile.mkdtemp(prefix="cityhall-bench-res-")
    os.environ.setdefault("SECRET_KEY", "bench-secret-key-" + "x" * 40)
    os.environ["EMAIL_URL"] = "memory:"
    os.environ["DEBUG"] = "false"
    os.environ["DJANGO_SETTINGS_MODULE"] = "cityhall.settings"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]  # the in-process client

    call_command("migrate", verbosity=0, interactive=False)


def empty() -> None:
    from django.db import connection

    tables = [
        "reservations_waitlistentry",
        "reservations_occurrence",
        "reservations_booking",
        "reservations_block",
        "reservations_hoursexception",
        "reservations_openinghours",
        "reservations_unit_amenities",
        "reservations_unit",
        "reservations_facilityphoto",
        "reservations_facility_amenities",
        "reservations_facility",
    ]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"DELETE FROM {table}")
    from django_tasks_db.models import DBTaskResult

    from cityhall.cases.models import Case, CaseEvent

    CaseEvent.objects.filter(case__service="facility_booking").delete()
    Case.objects.filter(service="facility_booking").delete()
    DBTaskResult.objects.all().delete()


def build(units_count: int, bookings_count: int):
    from datetime import time as clock_time

    from django.db import transaction
    from django.utils import timezone

    from cityhall.accounts.models import User
    from cityhall.cases.models import Case
    from cityhall.reservations.models import (
        Booking,
        Facility,
        FacilityKind,
        Occurrence,
        OpeningHours,
        Unit,
        UnitKind,
    )
    from cityhall.reservations.timeutil import wall

    started = time.perf_counter()
    owner, _created = User.objects.get_or_create(email="bench-owner@example.org")
    facilities = [
        Facility(name=f"Bench Park {i:03d}", kind=FacilityKind.PARK, address=f"{i} Bench St")
        for i in range(units_count // 10)
    ]
    Facility.objects.bulk_create(facilities)
    facilities = list(Facility.objects.filter(name__startswith="Bench Park").order_by("pk"))
    OpeningHours.objects.bulk_create(
        OpeningHours(facility=f, weekday=d, opens=clock_time(7), closes=clock_time(23))
        for f in facilities
        for d in range(7)
    )
    kinds = [UnitKind.SHELTER, UnitKind.ROOM, UnitKind.FIELD, UnitKind.HALL, UnitKind.COURT]
    Unit.objects.bulk_create(
        Unit(
            facility=facilities[i // 10],
            name=f"Unit {i:03d}",
            kind=kinds[i % len(kinds)],
            capacity=20 + (i % 8) * 10,
            min_duration=timedelta(hours=1),
            max_duration=timedelta(hours=4),
            start_interval_minutes=30,
            buffer_after=timedelta(minutes=30) if i % 3 == 0 else timedelta(0),
            closes_hours_before=1,
            opens_days_ahead=120,
        )
        for i in range(units_count)
    )
    units = list(Unit.objects.filter(facility__in=facilities).order_by("pk"))

    # Three bookings a day per unit (10-12, 14-16, 18-20), on the days around today.
    per_unit = bookings_count // units_count
    days = -(-per_unit // 3)
    today = timezone.localdate()
    first_day = today - timedelta(days=days // 2)
    hours = [(10, 12), (14, 16), (18, 20)]
    rows = []
    for unit in units:
        made = 0
        for offset in range(days):
            for start_hour, end_hour in hours:
                if made == per_unit:
                    break
                day = first_day + timedelta(days=offset)
                rows.append(
                    (unit, wall(day, clock_time(start_hour)), wall(day, clock_time(end_hour)))
                )
                made += 1
    rows = rows[:bookings_count]
    now = timezone.now()
    batch = 5000
    for first in range(0, len(rows), batch):
        chunk = rows[first : first + batch]
        with transaction.atomic():
            cases = Case.objects.bulk_create(
                Case(
                    reference=f"BENCH-{first + k:08d}",
                    service="facility_booking",
                    status="confirmed",
                    contact_email="bench-owner@example.org",
                    applicant=owner,
                    submitted_at=now,
                    decided_at=now,
                )
                for k in range(len(chunk))
            )
            bookings = Booking.objects.bulk_create(
                Booking(case=case, unit=unit, user=owner, attendees=10, purpose="Bench")
                for case, (unit, _s, _e) in zip(cases, chunk, strict=True)
            )
            Occurrence.objects.bulk_create(
                Occurrence(
                    booking=booking,
                    unit=unit,
                    start=start,
                    end=end,
                    blocked_from=start - unit.buffer_before,
                    blocked_until=end + unit.buffer_after,
                )
                for booking, (unit, start, end) in zip(bookings, chunk, strict=True)
            )
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(
        f"built {len(units)} units, {Occurrence.objects.count():,} booked times "
        f"in {time.perf_counter() - started:.1f} s"
    )
    return units, first_day, days


def timed(function, runs: int) -> list[float]:
    times = []
    for _run in range(runs):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return times


def summary(label: str, times: list[float]) -> str:
    return (
        f"{label}: p50 {statistics.median(times):.1f} ms, p95 {percentile(times, 0.95):.1f} ms, "
        f"max {max(times):.1f} ms ({len(times)} runs)"
    )


def measure_reads(units, runs: int):
    from datetime import time as clock_time

    from django.test import Client
    from django.utils import timezone

    from cityhall.reservations import availability, clock
    from cityhall.reservations.timeutil import iso, start_of_day

    rng = random.Random(7)
    today = timezone.localdate()

    def week():
        unit = rng.choice(units)
        first = today + timedelta(days=rng.randint(1, 60))
        return unit, start_of_day(first), start_of_day(first + timedelta(days=7))

    def selector():
        unit, first, last = week()
        slots = availability.slots_between(unit, first, last, now=clock.now())
        assert slots

    client = Client()

    def api():
        unit, first, last = week()
        response = client.get(
            f"/api/v1/units/{unit.pk}/availability", {"start": iso(first), "end": iso(last)}
        )
        assert response.status_code == 200 and response.json()["slots"]

    def search():
        day = today + timedelta(days=rng.randint(1, 60))
        results = availability.search(
            day=day, time_from=clock_time(18), time_to=clock_time(21), now=clock.now()
        )
        assert len(results) == len(units)  # 20:00-21:00 is free everywhere (buffers aside)

    timed(selector, 10)  # warm up
    timed(api, 10)
    lines = [
        summary("availability, one unit, one week (selector)", timed(selector, runs)),
        summary("availability, one unit, one week (GET /api/v1/…/availability)", timed(api, runs)),
        summary(f"search, all {len(units)} units, one evening", timed(search, max(runs // 4, 20))),
    ]
    for line in lines:
        print(line)
    return lines


def race(units, clients: int, slots_count: int):
    from django.db import connection
    from django.utils import timezone

    from cityhall.accounts.models import User
    from cityhall.reservations import services
    from cityhall.reservations.errors import SlotTaken
    from cityhall.reservations.models import Booking, Occurrence
    from cityhall.reservations.timeutil import wall

    # 100 free times: ten units, ten two-hour times each, on a day with no bookings.
    day = timezone.localdate() + timedelta(days=100)
    from datetime import time as clock_time

    targets = []
    for unit in units[:10]:
        for k in range(slots_count // 10):
            start = wall(day, clock_time(7)) + timedelta(minutes=90 * k)
            targets.append((unit, start, start + timedelta(hours=1)))
    people = [
        User.objects.get_or_create(email=f"bench-racer{i}@example.org")[0] for i in range(clients)
    ]
    before = Booking.objects.count()
    barrier = threading.Barrier(clients)
    tally = {"won": 0, "taken": 0, "errors": 0}
    lock = threading.Lock()
    failures = []

    def run(i):
        order = list(range(len(targets)))
        random.Random(i).shuffle(order)
        barrier.wait()
        for index in order:
            unit, start, end = targets[index]
            try:
                services.book_slot(
                    user=people[i],
                    unit=unit,
                    start=start,
                    end=end,
                    details=services.Details(10, "Race"),
                )
                outcome = "won"
            except SlotTaken:
                outcome = "taken"
            except Exception as error:  # counted and shown: the target is none
                outcome = "errors"
                failures.append(repr(error))
            with lock:
                tally[outcome] += 1
        connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    made = Booking.objects.count() - before
    rows = list(
        Occurrence.objects.filter(
            active=True, unit__in=units[:10], start__date__gte=day - timedelta(days=1)
        ).values_list("unit_id", "blocked_from", "blocked_until")
    )
    overlaps = sum(
        1
        for (ua, fa, ta), (ub, fb, tb) in combinations(rows, 2)
        if ua == ub and fa < tb and fb < ta
    )
    attempts = sum(tally.values())
    line = (
        f"race: {clients} clients x {len(targets)} slots: {tally['won']} booked "
        f"({made} bookings), {tally['taken']} told 'just taken', {tally['errors']} errors, "
        f"{overlaps} overlaps; {elapsed:.1f} s, {attempts / elapsed:.0f} attempts/s, "
        f"{tally['won'] / elapsed:.1f} bookings/s"
    )
    print(line)
    if failures:
        print("  first errors:", failures[:3])
    return line, overlaps, tally


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url")
    parser.add_argument("--units", type=int, default=500)
    parser.add_argument("--bookings", type=int, default=200_000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--slots", type=int, default=100)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    setup(args.database_url)
    if not args.database_url:
        import atexit
        import shutil

        atexit.register(shutil.rmtree, os.environ["CITYHALL_VAR_DIR"], ignore_errors=True)
    print(machine())
    empty()
    units, _first_day, _days = build(args.units, args.bookings)
    measure_reads(units, args.runs)
    _line, overlaps, tally = race(units, args.clients, args.slots)
    return 1 if overlaps or tally["errors"] or tally["won"] != args.slots else 0


if __name__ == "__main__":
    sys.exit(main())
