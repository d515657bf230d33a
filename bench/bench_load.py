"""Mixed load on `cityhall serve` over PostgreSQL: public pages and the submit,
approve, book and pay journeys, beside a bare view, for a bounded time.

    .venv/bin/python bench/bench_load.py [--minutes 10] [--users 12]
        [--database-url postgres://postgres@127.0.0.1:5432/cityhall_load]
        [--web-processes 3] [--workers 1]

The database named by --database-url is dropped and created afresh, migrated,
and given an officer, a resident (API tokens) and 40 paid shelters. Then
`cityhall serve` (gunicorn, --web-processes) and `cityhall worker` (emails,
PDFs, webhooks) start on loopback, and --users threads in this process each
run journeys picked at random, for --minutes:

    weight  journey
    30      public pages: home, facilities page, facilities API, a unit's availability
    10      bare view: GET /livez (the middleware stack, no database)
    20      file a police report (public API)
    15      approve a filed report (officer's token)
    10      book a shelter time (resident's token) and pay it on the sandbox checkout

Every response must be the expected one (201 filed, 200 approved, 201 held,
"paid" on the return page...): anything else is an error and is printed.
Figures: requests per second and p50 / p95 / p99 per endpoint, and errors.
The machine's other work (load average) is printed with them: on a shared
machine, figures are conservative.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cityhall import testing_flows as flows  # noqa: E402


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def fresh_database(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')


def cityhall(*args, env, capture=True):
    return subprocess.run(
        [sys.executable, "-m", "cityhall.cli", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=capture,
        text=True,
    )


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Load:
    """Shared state of the run: timings, errors, reports waiting for an officer, free times."""

    def __init__(self, base, city, zone, deadline):
        from datetime import timedelta

        from django.utils import timezone

        self.base, self.city, self.deadline = base, city, deadline
        self.timings: list[tuple[str, float, int]] = []
        self.errors: list[str] = []
        self.lock = threading.Lock()
        self.filed: list[str] = []
        units = city["units"]
        days = flows.slots(timezone.localdate() + timedelta(days=3), 4 * 80, zone=zone)
        self.free = [(unit, *slot) for slot in days for unit in units]
        random.shuffle(self.free)
        self.counter = 0

    def error(self, text):
        with self.lock:
            self.errors.append(text)

    def next_number(self):
        with self.lock:
            self.counter += 1
            return self.counter


def expect(load, response, status, what):
    if response.status != status:
        load.error(f"{what}: HTTP {response.status} {response.body[:200]!r}")
        return False
    return True


def public_pages(load, client, rng):
    unit = rng.choice(load.city["units"])
    for path, label in [
        ("/", "GET / (home)"),
        ("/reservations/", "GET reservations page"),
        ("/api/v1/facilities", "GET facilities API"),
        (f"/reservations/units/{unit}/", "GET unit page"),
    ]:
        expect(load, client.request("GET", path, label=label), 200, label)


def bare(load, client, rng):
    expect(load, client.request("GET", "/livez", label="GET /livez (bare)"), 200, "livez")


def submit(load, client, rng):
    from django.utils import timezone

    n = load.next_number()
    # Each report from another resident's address: one address filing a report
    # every few seconds for ten minutes is what the public rate limit (30 an hour
    # per address) exists to stop, and the first 10-minute run measured that.
    client.address = f"10.{100 + n // 62500 % 100}.{n // 250 % 250}.{n % 250 + 1}"
    response = flows.submit_report(client, n, now=timezone.now(), key=f"load-{n}")
    if expect(load, response, 201, "submit"):
        with load.lock:
            load.filed.append(response.json()["reference"])


def approve(load, client, rng):
    with load.lock:
        reference = load.filed.pop(0) if load.filed else None
    if reference is None:
        return submit(load, client, rng)
    officer = flows.Client(load.base, token=load.city["officer_token"], timings=load.timings)
    expect(load, flows.approve_report(officer, reference), 200, "approve")
    officer.close()


def book_and_pay(load, client, rng):
    with load.lock:
        slot = load.free.pop() if load.free else None
    if slot is None:
        return
    resident = flows.Client(load.base, token=load.city["resident_token"], timings=load.timings)
    booked = flows.book(resident, *slot)
    resident.close()
    if not expect(load, booked, 201, "book"):
        return
    try:
        state = flows.pay(client, booked.json()["pay_url"])
    except AssertionError as error:
        load.error(f"pay: {error}")
        return
    if state != "paid":
        load.error(f"pay: the return page says {state}")


JOURNEYS = [(public_pages, 30), (bare, 10), (submit, 20), (approve, 15), (book_and_pay, 10)]


def user(load, n):
    rng = random.Random(n)
    # Its own address, as residents have (rate limits count per address).
    client = flows.Client(load.base, address=f"10.{n // 250}.{n % 250}.1", timings=[])
    journeys, weights = zip(*JOURNEYS, strict=True)
    while time.monotonic() < load.deadline:
        journey = rng.choices(journeys, weights)[0]
        try:
            journey(load, client, rng)
        except Exception as error:
            load.error(f"{journey.__name__}: {type(error).__name__}: {error}")
            client.close()
        with load.lock:
            load.timings.extend(client.timings)
        client.timings.clear()
        client.cookies.clear()


def report(load, seconds):
    by_label = defaultdict(list)
    statuses = defaultdict(lambda: defaultdict(int))
    for label, took, status in load.timings:
        by_label[label].append(took * 1000)
        statuses[label][status] += 1
    print(
        f"\n{'endpoint':<26} {'requests':>8} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}  statuses"
    )
    total = 0
    for label in sorted(by_label, key=lambda name: -len(by_label[name])):
        times = by_label[label]
        total += len(times)
        codes = ", ".join(f"{code}×{n}" for code, n in sorted(statuses[label].items()))
        print(
            f"{label:<26} {len(times):>8} {len(times) / seconds:>7.1f} "
            f"{percentile(times, 0.5):>7.1f} {percentile(times, 0.95):>7.1f} "
            f"{percentile(times, 0.99):>7.1f}  {codes}"
        )
    print(f"{'all':<26} {total:>8} {total / seconds:>7.1f}")
    print(f"\nerrors: {len(load.errors)}")
    for line in load.errors[:20]:
        print("  " + line)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--users", type=int, default=12)
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/cityhall_load"
    )
    parser.add_argument("--web-processes", type=int, default=3)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()

    var = Path(tempfile.mkdtemp(prefix="cityhall-load-"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "CITYHALL_VAR_DIR": str(var),
        "DEBUG": "false",
        "SECRET_KEY": "bench-" + "k" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "EMAIL_URL": "mailbox:",
        "CITYHALL_SITE_URL": base,
        "CITYHALL_PAYMENT_PROVIDER": "sandbox",
        "CITYHALL_PROXY_COUNT": "1",
        "CITYHALL_REQUEST_LOG_LEVEL": "WARNING",
        "CITYHALL_LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "cityhall.settings",
    }
    os.environ.update(env)
    print(f"== fresh database {args.database_url}, var {var}")
    fresh_database(args.database_url)
    cityhall("migrate", "--noinput", "-v", "0", env=env)
    cityhall("collectstatic", "--noinput", "-v", "0", env=env)
    city = json.loads(
        cityhall(
            "shell",
            "-v",
            "0",
            "-c",
            "import json; from cityhall.testing_flows import prepare_city; "
            "print(json.dumps(prepare_city(units=40)))",
            env=env,
        ).stdout
    )
    import django

    django.setup()
    from django.utils import timezone

    log = (var / "processes.log").open("w")
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "cityhall.cli", "serve", "--port", str(port),
             "--workers", str(args.web_processes), "--no-collectstatic"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
    ] + [
        subprocess.Popen(
            [sys.executable, "-m", "cityhall.cli", "worker"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
        for _ in range(args.workers)
    ]  # fmt: skip
    try:
        up_by = time.monotonic() + 180
        while True:
            try:
                if flows.Client(base).request("GET", "/livez").status == 200:
                    break
            except OSError:
                if time.monotonic() > up_by:
                    raise SystemExit(f"the server did not start: see {var}/processes.log") from None
                time.sleep(0.3)
        print(
            f"== {args.users} users for {args.minutes:g} min on {base} "
            f"({args.web_processes} web processes, {args.workers} worker)"
        )
        load_before = os.getloadavg()
        started = time.monotonic()
        load = Load(base, city, str(timezone.get_default_timezone()), started + args.minutes * 60)
        threads = [threading.Thread(target=user, args=(load, n)) for n in range(args.users)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        seconds = time.monotonic() - started
        print(
            f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
            f"{platform.python_version()}; load average before {load_before[0]:.2f}, "
            f"after {os.getloadavg()[0]:.2f}"
        )
        report(load, seconds)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=60)
    sys.exit(1 if load.errors else 0)


if __name__ == "__main__":
    main()
