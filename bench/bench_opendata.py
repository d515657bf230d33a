"""The permits CSV export (/data/permits-issued.csv) of N permits on PostgreSQL,
beside PostgreSQL's own COPY of the same query in the same run.

Target (issue 11): at least 30% of COPY's rows per second, with memory that
does not grow with the row count.

    .venv/bin/python bench/bench_opendata.py [--rows 1000000]
        [--database-url postgres://postgres@127.0.0.1:5432/cityhall_bench_opendata]

The database is migrated, its cases and permits are emptied, and N issued
permits (case, application, permit, a contractor for one in three) are
inserted with generate_series straight into the tables the dataset reads. The
export is then read through the in-process test client, so the figures
include the view, the validators, the server-side cursor, the BLDS mapping
and the CSV writer; COPY runs the queryset's own SQL
(`COPY (...) TO STDOUT WITH (FORMAT csv)`) and is read the same way, block by
block. Peak memory is the process's resident set sampled every 10 ms during
each run, less the resident set before it.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/cityhall_bench_opendata"
PAGE = os.sysconf("SC_PAGE_SIZE")


def resident_bytes() -> int:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * PAGE


class PeakMemory:
    """The highest resident set seen while the block runs, above where it began."""

    def __enter__(self):
        self.start = self.peak = resident_bytes()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()
        return self

    def _watch(self):
        while not self._stop.wait(0.01):
            self.peak = max(self.peak, resident_bytes())

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, resident_bytes())

    @property
    def growth_mib(self) -> float:
        return (self.peak - self.start) / 1024 / 1024


def machine() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        database = f"PostgreSQL {cursor.fetchone()[0]}"
    cpu = platform.machine()
    with open("/proc/cpuinfo") as handle:
        for line in handle:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return f"{cpu}, {os.cpu_count()} cores; Python {platform.python_version()}; {database}"


def setup(database_url: str) -> None:
    import psycopg

    name = database_url.rsplit("/", 1)[1]
    with psycopg.connect(database_url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            admin.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("SECRET_KEY", "bench-secret-key-" + "x" * 40)
    os.environ["EMAIL_URL"] = "memory:"
    os.environ["DEBUG"] = "false"
    os.environ["DJANGO_SETTINGS_MODULE"] = "cityhall.settings"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.CITYHALL_OPEN_DATA_RATE = "1000000/60"
    call_command("migrate", verbosity=0, interactive=False)


def fill(rows: int) -> float:
    """N issued permits over the last five years, straight into the tables."""
    from django.db import connection, transaction

    from cityhall.permits.demo import create_types
    from cityhall.permits.models import PermitType

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE permits_permitapplication, cases_case CASCADE")
    if not PermitType.objects.exists():
        create_types()
    types = list(PermitType.objects.order_by("pk").values_list("pk", flat=True))
    statements = [
        """INSERT INTO cases_case (id, public_id, reference, service, channel, status,
             contact_name, contact_email, contact_phone, language, created_at, submitted_at,
             status_changed_at)
           SELECT g, gen_random_uuid(), 'BENCH-' || g, 'permit', 'online', 'issued',
             'Private Person', 'private@example.org', '+12135550100', 'en',
             now() - (g % 1800 + 3) * interval '1 day', now() - (g % 1800 + 2) * interval '1 day',
             now() - (g % 1800) * interval '1 day'
           FROM generate_series(1, %(n)s) g""",
        """INSERT INTO permits_permitapplication (id, description, answers, applicant_role,
             street, unit, zip_code, city, state, updated_at, case_id, permit_type_id)
           SELECT g, 'Work number ' || g || ', with a short description',
             jsonb_build_object('valuation', (g % 500) * 10000, 'floor_area', g % 3000),
             'owner', (g % 9000 + 1) || ' N Harbor Blvd', CASE WHEN g % 7 = 0 THEN 'Unit 2'
             ELSE '' END, '90731', 'Port Alder', 'CA', now(), g,
             (%(types)s::bigint[])[1 + g %% %(k)s]
           FROM generate_series(1, %(n)s) g""",
        """INSERT INTO permits_permit (id, number, status, issued_at, valid_from, valid_until,
             completed_at, application_id)
           SELECT g, 'PMT-B-' || lpad(g::text, 8, '0'),
             CASE WHEN g % 5 = 0 THEN 'completed' ELSE 'active' END,
             now() - (g % 1800) * interval '1 day', current_date - g % 1800,
             current_date - g % 1800 + 365,
             CASE WHEN g % 5 = 0 THEN now() - (g % 1800) * interval '1 day' + interval '30 days'
             END, g
           FROM generate_series(1, %(n)s) g""",
        """INSERT INTO permits_contact (role, name, company, email, phone, licence_number,
             application_id)
           SELECT 'contractor', 'Private Person', 'Builder ' || g % 300, 'private@example.org',
             '', 'C-' || g, g
           FROM generate_series(1, %(n)s, 3) g""",
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        for sql in statements:
            sql = sql.replace("g % ", "g %% ")  # a literal % beside the named parameters
            cursor.execute(sql, {"n": rows, "types": types, "k": len(types)})
        for table in ("cases_case", "permits_permitapplication", "permits_permit"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE cases_case, permits_permitapplication, permits_permit")
        cursor.execute("ANALYZE permits_contact, permits_inspection")
    return time.perf_counter() - started


def copy_run(dataset) -> tuple[int, float, float]:
    """(rows, seconds, MiB) for COPY (the export's own query) TO STDOUT."""
    import psycopg
    from django.db import connection

    from cityhall.opendata import exports
    from cityhall.opendata.datasets.permits import _start_of
    from cityhall.permits import public

    query, _limit = exports.parse_query(dataset, {}, paged=False)
    from datetime import timedelta

    queryset = public.blds_queryset(
        issued_from=_start_of(query.start), issued_before=_start_of(query.end + timedelta(days=1))
    )
    sql, params = queryset.query.sql_with_params()
    connection.ensure_connection()
    raw = connection.connection
    statement = psycopg.ClientCursor(raw).mogrify(sql, params)
    lines = 0
    with PeakMemory() as memory:
        started = time.perf_counter()
        copy_sql = f"COPY ({statement}) TO STDOUT WITH (FORMAT csv, HEADER)"
        with raw.cursor() as cursor, cursor.copy(copy_sql) as copy:
            for block in copy:
                lines += bytes(block).count(b"\n")
        seconds = time.perf_counter() - started
    return lines - 1, seconds, memory.growth_mib


def export_run(*, traced: bool = False) -> tuple[int, float, float, int, float]:
    """(rows, seconds, MiB, bytes, tracemalloc peak MiB) for GET
    /data/permits-issued.csv, read to the end."""
    import tracemalloc

    from django.test import Client

    client = Client()
    # A first small download loads the modules, templates and URL resolvers, so
    # what is measured below is the export itself.
    warm = client.get("/data/permits-issued.csv", {"start": "2000-01-01", "end": "2000-01-02"})
    b"".join(warm.streaming_content)
    lines = size = 0
    if traced:
        tracemalloc.start()
    with PeakMemory() as memory:
        started = time.perf_counter()
        response = client.get("/data/permits-issued.csv")
        assert response.status_code == 200, response.status_code
        for chunk in response.streaming_content:
            lines += chunk.count(b"\n")
            size += len(chunk)
        response.close()
        seconds = time.perf_counter() - started
    traced_mib = 0.0
    if traced:
        traced_mib = tracemalloc.get_traced_memory()[1] / 1024 / 1024
        tracemalloc.stop()
    return lines - 1, seconds, memory.growth_mib, size, traced_mib


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument(
        "--tracemalloc",
        action="store_true",
        help="also run the export again under tracemalloc (slower) for Python's own peak",
    )
    parser.add_argument("--keep", action="store_true", help="reuse the rows already there")
    args = parser.parse_args()
    setup(args.database_url)

    from cityhall.opendata import registry

    print(f"machine: {machine()}")
    print(f"PGOPTIONS={os.environ.get('PGOPTIONS', '')!r} (e.g. '-c jit=off')")
    if not args.keep:
        filled = fill(args.rows)
        print(f"inserted {args.rows:,} permits in {filled:.1f} s")
    dataset = registry.get("permits-issued")
    copy_run(dataset)  # warm the cache: both runs then read the same pages from memory
    copied, copy_seconds, copy_mib = copy_run(dataset)
    exported, export_seconds, export_mib, size, _traced = export_run()
    assert exported == copied == args.rows, (exported, copied, args.rows)
    copy_rate, export_rate = copied / copy_seconds, exported / export_seconds
    print(
        f"COPY (same query) TO STDOUT: {copied:,} rows in {copy_seconds:.2f} s = "
        f"{copy_rate:,.0f} rows/s; memory +{copy_mib:.1f} MiB"
    )
    print(
        f"export /data/permits-issued.csv: {exported:,} rows ({size / 1e6:.0f} MB) in "
        f"{export_seconds:.2f} s = {export_rate:,.0f} rows/s; peak memory +{export_mib:.1f} MiB"
    )
    print(f"export / COPY: {100 * export_rate / copy_rate:.0f}% (target >= 30%)")
    if args.tracemalloc:
        *_rest, traced = export_run(traced=True)
        print(f"export under tracemalloc: Python's peak allocation {traced:.1f} MiB")


if __name__ == "__main__":
    main()
