"""Insights at scale: dashboards and the API from rollups, against raw cases.

    .venv/bin/python bench/bench_insights.py \\
        [--database-url postgres://postgres@127.0.0.1:5432/cityhall_insightsbench] \\
        [--cases 5000000] [--runs 40] [--raw-runs 3] [--reuse]

1. Generates `--cases` cases over the last 24 months on PostgreSQL with
   `INSERT ... SELECT generate_series` (every registered service, the four
   channels, online growing after each service's launch, decisions with a
   log-normal spread, ~10% of closed cases with a survey answer), the demo
   cost inputs and pilots; then `rebuild-insights` (timed). `--reuse` keeps
   what an earlier run generated when the count matches.
2. Measures in this process, with Django's test client (view, template or
   JSON included): the cross-service dashboard `/staff/insights/` (default
   period: the last twelve whole months and this month) signed in as an
   analyst, and `GET /api/v1/insights/services/{code}` with a token, over
   random services: p50 / p95 / max.
3. Computes the same numbers straight from the raw cases (stores.RawStore:
   the cases of the period streamed through the same fact code) and reports
   the ratio.

Target: dashboard and per-service API p95 <= 150 ms with 5,000,000 cases.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/cityhall_insightsbench"


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def machine() -> str:
    import platform

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
    with open("/proc/meminfo") as handle:
        memory = int(handle.readline().split()[1]) / 1024 / 1024
    return f"{cpu}, {os.cpu_count()} cores, {memory:.0f} GB; Python {platform.python_version()}; {database}"


def setup(database_url: str) -> None:
    import psycopg

    name = database_url.rsplit("/", 1)[1]
    with psycopg.connect(database_url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as pg:
        if not pg.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            pg.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("SECRET_KEY", "bench-secret-key-" + "x" * 40)
    os.environ["EMAIL_URL"] = "memory:"
    os.environ["DEBUG"] = "false"
    os.environ["CITYHALL_PLAIN_STATIC"] = "true"  # no collectstatic manifest needed
    os.environ["DJANGO_SETTINGS_MODULE"] = "cityhall.settings"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    call_command("migrate", verbosity=0, interactive=False)


# One INSERT per service and chunk. $-parameters: count, first number, start of
# history, launch, online ceiling, typical decision hours, target hours,
# decided status, service, prefix.
INSERT = """
INSERT INTO cases_case (public_id, reference, service, channel, status, contact_name,
    contact_email, contact_phone, language, created_at, status_changed_at, submitted_at,
    expected_decision_at, decided_at, closed_at)
SELECT gen_random_uuid(), %(prefix)s || '-' || n, %(service)s, channel,
    CASE WHEN submitted IS NULL THEN %(initial)s ELSE %(decided_status)s END,
    'Bench', '', '', CASE WHEN n %% 4 = 0 THEN 'es' ELSE 'en' END,
    created, coalesce(decided, created), submitted,
    submitted + make_interval(hours => %(target_hours)s), decided, decided
FROM (
  SELECT n, created, channel, submitted,
    CASE WHEN submitted IS NULL THEN NULL ELSE least(
      submitted + make_interval(secs => 3600 * (
        exp(ln(%(typical)s * CASE WHEN channel = 'online' THEN 0.6 ELSE 1 END)
            + 0.7 * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()))
        + CASE WHEN channel = 'mail' THEN 48 ELSE 0 END)),
      now() - interval '1 minute') END AS decided
  FROM (
    SELECT n, created, channel,
      CASE WHEN channel = 'online' AND random() < 0.14 THEN NULL
           WHEN channel = 'online' THEN created + interval '12 minutes'
           ELSE created END AS submitted
    FROM (
      SELECT n, created,
        CASE WHEN r < share THEN 'online'
             WHEN r < share + (1 - share) * 0.55 THEN 'counter'
             WHEN r < share + (1 - share) * 0.85 THEN 'phone'
             ELSE 'mail' END AS channel
      FROM (
        SELECT n, created, random() AS r,
          CASE WHEN created < %(launch)s THEN 0
               ELSE %(ceiling)s * (1 - exp(-extract(epoch FROM created - %(launch)s)
                                            / 86400 / 30.4 / 4)) END AS share
        FROM (
          SELECT n, least(%(start)s + (now() - %(start)s) * power(random(), 0.85),
                          now() - interval '30 minutes') AS created
          FROM generate_series(%(first)s, %(first)s + %(count)s - 1) AS n
        ) a
      ) b
    ) c
  ) d
) e
"""

SURVEYS = """
INSERT INTO insights_surveyresponse (case_id, service, channel, satisfaction, trust, comment,
    language, answered_at)
SELECT id, service, channel, s, greatest(1, least(5, s - 1 + (random() * 2.6)::int)), '',
    language, least(closed_at + make_interval(hours => (1 + random() * 71)::int), now())
FROM (
  SELECT id, service, channel, language, closed_at,
    greatest(1, least(5, round(
      CASE channel WHEN 'online' THEN 4.5 WHEN 'counter' THEN 3.7 WHEN 'phone' THEN 3.4
                   ELSE 3.2 END
      - CASE WHEN decided_at > expected_decision_at THEN 0.7 ELSE 0 END
      + 0.9 * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()))))::int AS s
  FROM cases_case WHERE closed_at IS NOT NULL AND submitted_at IS NOT NULL AND random() < 0.1
) x
"""


def midnight(day):
    from datetime import datetime, time

    from django.utils import timezone

    return timezone.make_aware(datetime.combine(day, time.min))


def generate(total: int) -> None:
    from datetime import timedelta

    from django.db import connection
    from django.utils import timezone

    from cityhall.cases import registry
    from cityhall.insights import rollups
    from cityhall.insights.demo_costs import months_ago, profile_of, seed_cost_models, seed_rates

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE cases_caseevent, cases_case, insights_surveyresponse, insights_casefact, "
            "insights_rollup, insights_costmodel, insights_staffrate, insights_digitalservicecost, "
            "insights_pilot, insights_councilreport CASCADE"
        )
    today = timezone.localdate()
    services = registry.all_services()
    weights = {s.code: profile_of(s.code).weight for s in services}
    seed_rates(services, today)
    started = time.monotonic()
    for service in services:
        p = profile_of(service.code)
        count = round(total * weights[service.code] / sum(weights.values()))
        seed_cost_models(
            service, expected_online_per_month=count / 24 * p.online_share * 0.7, today=today
        )
        decided = next(s.code for s in service.workflow.states.values() if s.decided)
        launch = months_ago(today, p.launch_months_ago) + timedelta(days=9)
        chunk = 500_000
        for first in range(1, count + 1, chunk):
            with connection.cursor() as cursor:
                cursor.execute(
                    INSERT,
                    {
                        "count": min(chunk, count - first + 1),
                        "first": first,
                        "start": midnight(months_ago(today, 24)),
                        "launch": midnight(launch),
                        "ceiling": p.online_share,
                        "typical": p.decision_hours,
                        "target_hours": int(service.target_time.total_seconds() // 3600),
                        "decided_status": decided,
                        "initial": service.workflow.initial,
                        "service": service.code,
                        "prefix": "BENCH" + service.prefix,
                    },
                )
            print(
                f"  {service.code}: {min(first + chunk - 1, count):,} / {count:,} cases", flush=True
            )
    with connection.cursor() as cursor:
        cursor.execute(SURVEYS)
        cursor.execute("ANALYZE")
    print(f"generated in {time.monotonic() - started:.0f} s", flush=True)
    started = time.monotonic()
    rows = rollups.rebuild()
    print(
        f"rebuild-insights: {rows:,} rollup rows in {time.monotonic() - started:.0f} s", flush=True
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def timed(fn, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        out.append((time.perf_counter() - started) * 1000)
    return out


def summary(values) -> str:
    return (
        f"p50 {statistics.median(values):.1f} / p95 {percentile(values, 0.95):.1f} / "
        f"max {max(values):.1f} ms"
    )


def measure(runs: int, raw_runs: int) -> None:
    from django.contrib.auth.models import Group
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from cityhall.accounts.models import User
    from cityhall.accounts.services import issue_api_token
    from cityhall.cases import registry
    from cityhall.cases.models import Case
    from cityhall.insights.forms import default_period
    from cityhall.insights.kpis import compute
    from cityhall.insights.stores import RawStore

    analyst, _ = User.objects.get_or_create(
        email="bench-analyst@staff.example.org", defaults={"is_staff": True}
    )
    analyst.groups.add(Group.objects.get(name="analyst"))
    device = TOTPDevice.objects.filter(user=analyst).first() or TOTPDevice.objects.create(
        user=analyst, name="bench", confirmed=True
    )
    client = Client()
    client.force_login(analyst)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    token = issue_api_token(user=analyst, name="bench").raw
    codes = [s.code for s in registry.all_services()]
    start, end = default_period()

    def dashboard():
        response = client.get("/staff/insights/")
        assert response.status_code == 200, response.status_code

    def api(code):
        response = client.get(
            f"/api/v1/insights/services/{code}", HTTP_AUTHORIZATION=f"Bearer {token}"
        )
        assert response.status_code == 200, response.content[:300]

    print(f"{Case.objects.count():,} cases; period {start} to {end}; services {', '.join(codes)}")
    for _ in range(3):  # warm: templates, connections, caches of the database
        dashboard()
        api(codes[0])
    board = timed(dashboard, runs)
    rng = random.Random(7)
    per_service = timed(lambda: api(rng.choice(codes)), runs)
    rollup_compute = timed(lambda: compute(None, start=start, end=end), runs)
    print(f"dashboard /staff/insights/:            {summary(board)}")
    print(f"API /api/v1/insights/services/{{code}}:  {summary(per_service)}")
    print(f"KPIs of every service from rollups:    {summary(rollup_compute)}")
    if not raw_runs:
        return
    raw_results = []
    raw = timed(
        lambda: raw_results.append(compute(None, start=start, end=end, store=RawStore())),
        raw_runs,
    )
    one = codes[0]
    raw_one = timed(lambda: compute([one], start=start, end=end, store=RawStore()), raw_runs)
    one_rollups = timed(lambda: compute([one], start=start, end=end), runs)
    print(f"KPIs of every service from raw cases:  {summary(raw)}")
    print(
        f"ratio raw / rollups (every service):   {statistics.median(raw) / statistics.median(rollup_compute):.0f}x"
    )
    print(
        f"ratio raw / rollups ({one}):  "
        f"{statistics.median(raw_one) / statistics.median(one_rollups):.0f}x "
        f"({statistics.median(raw_one):.0f} ms vs {statistics.median(one_rollups):.1f} ms)"
    )
    # The same figures either way (the bench's own check).
    a, b = compute(None, start=start, end=end), raw_results[-1]
    same = all(
        (x.completed, x.cost_per_transaction_cents, x.savings.hard, x.median_hours)
        == (y.completed, y.cost_per_transaction_cents, y.savings.hard, y.median_hours)
        for x, y in zip(a, b, strict=True)
    )
    print(f"rollups and raw cases agree: {same}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--cases", type=int, default=5_000_000)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--raw-runs", type=int, default=3)
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        parser.error("this benchmark generates its cases with PostgreSQL's generate_series")
    setup(args.database_url)
    from cityhall.cases.models import Case

    print(machine())
    if not (args.reuse and abs(Case.objects.count() - args.cases) <= args.cases // 100):
        generate(args.cases)
    measure(args.runs, args.raw_runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
