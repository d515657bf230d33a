"""Police reports under load: API submissions through gunicorn, then approvals
turned into PDFs and emails by one worker.

    .venv/bin/python bench/bench_police.py [--database-url postgres://...] [--web-workers 3]
        [--clients 16] [--duration 15] [--bare-duration 10] [--approvals 300]
        [--quiet-wait 600] [--quiet-below 0.15]

Part 1 starts `cityhall serve` (gunicorn, sync workers) on a free loopback
port and has `--clients` threads POST complete reports (five items each,
distinct serial numbers, an Idempotency-Key each) to /api/v1/police/reports
for `--duration` seconds over keep-alive-capable http.client connections.
It counts 201s, anything else (target: none) and any "database is locked" in
an answer or in the server's log, and prints requests/s and latency
percentiles. Then it measures GET /livez (a Django view that does not touch
the database, through the whole middleware stack) with the same clients, as
the ceiling of this server on this machine. (Until 2026-12-07 this was GET
/api/v1/services, which has read the published built services from the
database since the service builder landed, so it was no longer bare.)

Part 2 creates `--approvals` submitted reports, starts one `cityhall worker`
with EMAIL_URL pointing at an aiosmtpd server on loopback, approves every
report through decisions.approve_report in this process and waits until each
approved report's email with its PDF has arrived. It prints approvals/s end
to end (first approval to last email) and the approval -> email latency.
The acknowledgement emails of those reports are taken off the queue first,
so the worker's time is the approvals' (PDF, email, records hand-off).

Before each part it waits (up to --quiet-wait seconds) until the machine's
CPU use by everything else falls under --quiet-below, and prints whether it did.

Targets: >= 150 submissions/s on PostgreSQL and >= 50/s on SQLite with no
"database is locked"; >= 50 approvals/s -> PDF -> email with one worker.
A throwaway SQLite database under a temporary directory is used unless
--database-url is given (that database is migrated and its cases, emails,
tasks and idempotency records are emptied first).
"""

from __future__ import annotations

import argparse
import email
import email.policy
import http.client
import json
import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CATEGORIES = ["75", "25", "04", "07", "65", "09", "17", "74", "26", "06", "36", "76"]
LOCKED = b"database is locked"


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def machine(database_url: str) -> str:
    import sqlite3

    memory = ""
    try:
        with open("/proc/meminfo") as handle:
            kb = int(handle.readline().split()[1])
        memory = f", {kb / 1024 / 1024:.0f} GB memory"
    except OSError:
        pass
    from django.db import connection

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


def cpu_busy(seconds: float = 2.0) -> float:
    """The machine's CPU use (0..1, all cores) over the next `seconds`, from /proc/stat."""

    def sample():
        with open("/proc/stat") as handle:
            fields = [int(v) for v in handle.readline().split()[1:]]
        idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
        return idle, sum(fields)

    idle_before, total_before = sample()
    time.sleep(seconds)
    idle_after, total_after = sample()
    total = total_after - total_before
    return 1 - (idle_after - idle_before) / total if total else 0.0


def wait_for_quiet(limit: float, max_wait: float) -> None:
    """Waits (up to max_wait seconds) until other work uses less than `limit` of the
    CPU, so the figures are this program's; says so when it never got quiet."""
    if max_wait <= 0:
        return
    started = time.time()
    busy = cpu_busy()
    while busy >= limit and time.time() - started < max_wait:
        busy = cpu_busy(5)
    waited = time.time() - started
    load = " / ".join(f"{v:.2f}" for v in os.getloadavg())
    if busy < limit:
        print(f"  quiet: CPU {busy:.0%} busy after {waited:.0f} s of waiting (load {load})")
    else:
        print(
            f"  NOT QUIET: CPU still {busy:.0%} busy after {waited:.0f} s; running anyway "
            f"(load {load})"
        )


class CpuMeter:
    """CPU seconds (user + system) spent by some processes between start() and stop().

    On a shared machine the wall-clock rates depend on what else runs; the CPU
    each operation costs does not (much), so the bench prints both. Processes
    are a process tree (gunicorn and its workers; the task worker) and the
    PostgreSQL backends whose application_name (PGAPPNAME) is given.
    """

    TICK = os.sysconf("SC_CLK_TCK")

    def __init__(self, *, root_pids=(), pg_application=""):
        self.root_pids = list(root_pids)
        self.pg_application = pg_application
        self.before: dict[int, float] = {}
        self.after: dict[int, float] = {}

    @classmethod
    def cpu(cls, pid: int) -> float | None:
        try:
            with open(f"/proc/{pid}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) / cls.TICK  # utime + stime

    def _pids(self) -> set[int]:
        pids = set()
        parents: dict[int, list[int]] = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat") as handle:
                        ppid = int(handle.read().rsplit(")", 1)[1].split()[1])
                except (OSError, IndexError, ValueError):
                    continue
                parents.setdefault(ppid, []).append(int(entry))
        todo = list(self.root_pids)
        while todo:
            pid = todo.pop()
            pids.add(pid)
            todo.extend(parents.get(pid, []))
        if self.pg_application:
            from django.db import connection

            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pid FROM pg_stat_activity WHERE application_name = %s",
                    [self.pg_application],
                )
                pids.update(pid for (pid,) in cursor.fetchall())
        return pids

    def _sample(self) -> dict[int, float]:
        return {pid: cpu for pid in self._pids() if (cpu := self.cpu(pid)) is not None}

    def start(self):
        self.before = self._sample()

    def stop(self):
        self.after = self._sample()

    def seconds(self) -> float:
        return sum(cpu - self.before.get(pid, 0.0) for pid, cpu in self.after.items())


def print_cpu(what: str, count: int, parts: dict[str, float]) -> float:
    """Prints CPU ms per operation by part; returns the total per operation (s)."""
    if not count:
        return 0.0
    per = {name: seconds / count for name, seconds in parts.items()}
    total = sum(per.values())
    detail = ", ".join(f"{name} {value * 1000:.1f}" for name, value in per.items())
    print(f"  CPU per {what}: {total * 1000:.1f} ms ({detail})")
    return total


# ---- part 1: submissions through the API ------------------------------------


def report_body(client: int, number: int, occurred_from: str, occurred_to: str) -> bytes:
    items = [
        {
            "category": CATEGORIES[(number + k) % len(CATEGORIES)],
            "description": f"Item {k + 1} of report {client}-{number}",
            "brand": "Acme",
            "model": f"M{k}",
            "serial_number": f"BX{client:02d}-{number:06d}-{k}",
            "quantity": 1,
            "value_cents": 9_900,
        }
        for k in range(5)
    ]
    return json.dumps(
        {
            "reporter": {
                "first_name": "Ana",
                "last_name": f"García {client}",
                "email": f"resident{client}.{number}@example.org",
                "phone": "(213) 555-0147",
                "language": "es" if number % 2 else "en",
            },
            "incident": {
                "kind": "stolen" if number % 2 else "lost",
                "occurred_from": occurred_from,
                "occurred_to": occurred_to,
                "address": "200 N Spring St",
                "narrative": "Taken from the rack outside the library while I was inside.",
            },
            "items": items,
            "declaration_accepted": True,
        }
    ).encode()


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.statuses: dict[int, int] = {}
        self.locked = 0
        self.errors: list[str] = []
        self.samples: list[str] = []

    def add(self, status: int, latency: float, body: bytes) -> None:
        with self.lock:
            self.latencies.append(latency)
            self.statuses[status] = self.statuses.get(status, 0) + 1
            if LOCKED in body:
                self.locked += 1
            if status >= 300 and len(self.samples) < 5:
                self.samples.append(f"{status} {body[:300]!r}")


def drive(port: int, *, clients: int, seconds: float, make_request) -> tuple[Tally, float]:
    """`clients` threads, each with its own connection, send make_request(client, n) until time is up."""
    tally = Tally()
    barrier = threading.Barrier(clients + 1)
    deadline_box: list[float] = []

    def run(client: int):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        barrier.wait()
        deadline = deadline_box[0]
        number = 0
        while time.perf_counter() < deadline:
            method, path, body, headers = make_request(client, number)
            started = time.perf_counter()
            try:
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                payload = response.read()
                status = response.status
                if response.getheader("Connection", "").lower() == "close":
                    connection.close()  # gunicorn's sync workers close after each answer
            except (OSError, http.client.HTTPException) as error:
                connection.close()
                with tally.lock:
                    tally.errors.append(f"{error.__class__.__name__}: {error}")
                number += 1
                continue
            tally.add(status, time.perf_counter() - started, payload)
            number += 1
        connection.close()

    threads = [threading.Thread(target=run, args=(c,), daemon=True) for c in range(clients)]
    for thread in threads:
        thread.start()
    started = time.perf_counter()
    deadline_box.append(started + seconds)
    barrier.wait()
    for thread in threads:
        thread.join()
    return tally, time.perf_counter() - started


def print_tally(name: str, tally: Tally, elapsed: float, expected: int) -> float:
    done = len(tally.latencies)
    good = tally.statuses.get(expected, 0)
    rate = good / elapsed
    others = {s: n for s, n in sorted(tally.statuses.items()) if s != expected}
    print(f"{name}: {done} requests in {elapsed:.1f} s -> {rate:.0f} successful/s")
    if tally.latencies:
        ms = [v * 1000 for v in tally.latencies]
        print(
            f"  latency ms: p50 {statistics.median(ms):.1f}, p95 {percentile(ms, 0.95):.1f}, "
            f"p99 {percentile(ms, 0.99):.1f}, max {max(ms):.1f}"
        )
    print(
        f"  {expected}: {good}; other answers: {others or 'none'}; connection errors: "
        f"{len(tally.errors)}; 'database is locked' in answers: {tally.locked}"
    )
    for sample in tally.samples:
        print(f"    e.g. {sample}")
    for error in tally.errors[:3]:
        print(f"    e.g. {error}")
    return rate


def wait_for_http(port: int, path: str, *, timeout: float, process) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited with {process.returncode}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", path)
            connection.getresponse().read()  # 200, or 503 while no worker runs: it is up
            connection.close()
            return
        except OSError:
            time.sleep(0.25)
    raise SystemExit(f"the server did not answer {path} within {timeout:.0f} s")


def part_submissions(args, env, var: str) -> dict:
    port = free_port()
    log_path = Path(var) / "server.log"
    with open(log_path, "wb") as log:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "cityhall.cli",
                "serve",
                "--port",
                str(port),
                "--workers",
                str(args.web_workers),
            ],
            cwd=ROOT,
            env={**env, "PGAPPNAME": "cityhall-bench-web"},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    postgres = env["DATABASE_URL"].startswith("postgres")
    server_cpu = CpuMeter(root_pids=[server.pid])
    database_cpu = CpuMeter(pg_application="cityhall-bench-web" if postgres else "")
    try:
        wait_for_http(port, "/healthz", timeout=180, process=server)
        from django.utils import timezone

        start = timezone.now() - timedelta(days=2)
        occurred_from = start.isoformat()
        occurred_to = (start + timedelta(hours=3)).isoformat()
        host = f"127.0.0.1:{port}"

        def submission(client, number):
            return (
                "POST",
                "/api/v1/police/reports",
                report_body(client, number, occurred_from, occurred_to),
                {
                    "Content-Type": "application/json",
                    "Host": host,
                    "Idempotency-Key": str(uuid.uuid4()),
                },
            )

        def bare(_client, _number):
            return ("GET", "/livez", None, {"Host": host})

        # Warm-up: every gunicorn worker imports lazily on its first requests.
        drive(port, clients=args.clients, seconds=2, make_request=bare)
        wait_for_quiet(args.quiet_below, args.quiet_wait)
        print(
            f"\nPart 1: {args.clients} clients, {args.web_workers} gunicorn sync workers, "
            f"{args.duration:.0f} s of submissions (5 items each)"
        )
        server_cpu.start()
        database_cpu.start()
        clients_cpu = time.process_time()
        submitted, elapsed = drive(
            port, clients=args.clients, seconds=args.duration, make_request=submission
        )
        clients_cpu = time.process_time() - clients_cpu
        server_cpu.stop()
        database_cpu.stop()
        submit_rate = print_tally("POST /api/v1/police/reports", submitted, elapsed, 201)
        parts = {"web workers": server_cpu.seconds()}
        if postgres:
            parts["PostgreSQL"] = database_cpu.seconds()
        parts[f"the {args.clients} clients"] = clients_cpu
        per_submission = print_cpu("submission", len(submitted.latencies), parts)
        if per_submission:
            print(
                f"    i.e. at most {os.cpu_count()} cores / {per_submission * 1000:.1f} ms "
                f"= {os.cpu_count() / per_submission:.0f}/s on this machine with nothing else running"
            )
        bare_tally, bare_elapsed = drive(
            port, clients=args.clients, seconds=args.bare_duration, make_request=bare
        )
        bare_rate = print_tally(
            "GET /livez (bare view: no database)", bare_tally, bare_elapsed, 200
        )
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    log_text = log_path.read_bytes()
    locked_in_log = log_text.count(LOCKED)
    tracebacks = log_text.count(b"Traceback")
    print(
        f"  server log: 'database is locked' x{locked_in_log}, tracebacks x{tracebacks} "
        f"({log_path})"
    )
    from cityhall.police.models import PoliceReport, PropertyItem

    stored = PoliceReport.objects.count()
    print(
        f"  stored: {stored} reports, {PropertyItem.objects.count()} items "
        f"(answered 201: {submitted.statuses.get(201, 0)})"
    )
    return {
        "submit_rate": submit_rate,
        "bare_rate": bare_rate,
        "non_201": sum(n for s, n in submitted.statuses.items() if s != 201)
        + len(submitted.errors),
        "locked": submitted.locked + locked_in_log,
    }


# ---- part 2: approvals -> PDF -> email with one worker ------------------------


class Inbox:
    """Counts emails carrying the report PDF, by the report number in the file name.

    The first such email is parsed in full (a real application/pdf part that
    starts with %PDF); the rest are matched on the raw bytes, so the receiver
    (in this process, on the same cores) takes little of the machine.
    """

    FILENAME = re.compile(rb'filename="?police-report-([A-Z0-9-]+)\.pdf')

    def __init__(self):
        self.lock = threading.Lock()
        self.arrived: dict[str, float] = {}
        self.other = 0
        self.checked = False
        self.pdf_ok = False

    async def handle_DATA(self, server, session, envelope):
        now = time.perf_counter()
        numbers = [m.decode() for m in self.FILENAME.findall(envelope.content)]
        if numbers and not self.checked:
            message = email.message_from_bytes(envelope.content, policy=email.policy.default)
            pdfs = [
                part.get_payload(decode=True)
                for part in message.iter_attachments()
                if part.get_content_type() == "application/pdf"
            ]
            self.checked = True
            self.pdf_ok = bool(pdfs and pdfs[0].startswith(b"%PDF") and len(pdfs[0]) > 1000)
        with self.lock:
            if numbers:
                for number in numbers:
                    self.arrived.setdefault(number, now)
            else:
                self.other += 1
        return "250 OK"


def part_approvals(args, env) -> dict:
    from aiosmtpd.controller import Controller
    from django.contrib.auth.models import Group
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from cityhall.accounts.models import User
    from cityhall.notifications.models import Notification
    from cityhall.police import decisions, services
    from cityhall.police.models import PoliceReport

    inbox = Inbox()
    smtp_port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()

    officer = User.objects.filter(email="bench-officer@staff.example.org").first()
    if officer is None:
        officer = User.objects.create_user(
            email="bench-officer@staff.example.org", password=uuid.uuid4().hex
        )
    officer.groups.add(Group.objects.get_or_create(name="police_reviewer")[0])
    officer.full_name = "Dana Whitfield"
    officer.save()
    officer = User.objects.get(pk=officer.pk)  # fresh role cache

    n = args.approvals
    who = "one worker" if args.task_workers == 1 else f"{args.task_workers} workers"
    from django.conf import settings

    who += f" ({args.worker_threads or settings.CITYHALL_WORKER_THREADS} threads each)"
    how = (
        "approved in one transaction, then timed from its commit"
        if args.backlog
        else ("approved one by one while the worker runs")
    )
    print(f"\nPart 2: {n} submitted reports {how}; PDF and email by {who}")
    start = timezone.now() - timedelta(days=1)
    created = time.perf_counter()
    reports = [
        services.file_report(
            reporter=services.Reporter(
                first_name="Ana", last_name="García", email=f"approve{i}@example.org", language="es"
            ),
            incident=services.Incident(
                kind="stolen",
                occurred_from=start,
                occurred_to=start + timedelta(hours=2),
                location="200 N Spring St",
                narrative="Taken from the rack outside the library.",
            ),
            items=[
                services.ItemInput(
                    category=CATEGORIES[k],
                    description=f"Item {k + 1}",
                    brand="Acme",
                    serial_number=f"AP-{i}-{k}",
                    value_cents=9_900,
                )
                for k in range(5)
            ],
            declaration_accepted=True,
        )
        for i in range(n)
    ]
    print(f"  created {n} submitted reports in {time.perf_counter() - created:.1f} s")
    # Only the approvals' work is measured: the acknowledgements of these reports
    # (and anything left from part 1) are taken off the queue.
    DBTaskResult.objects.all().delete()
    Notification.objects.filter(status="queued").update(status="delivered")

    worker_env = {
        **env,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "PGAPPNAME": "cityhall-bench-worker",
    }
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "cityhall.cli",
                "worker",
                "--verbosity",
                "0",
                *(["--threads", str(args.worker_threads)] if args.worker_threads else []),
            ],
            cwd=ROOT,
            env=worker_env,
        )
        for _ in range(args.task_workers)
    ]
    time.sleep(3)  # the worker is polling, as in production
    wait_for_quiet(args.quiet_below, args.quiet_wait)
    postgres = env["DATABASE_URL"].startswith("postgres")
    worker_cpu = CpuMeter(root_pids=[w.pid for w in workers])
    database_cpu = CpuMeter(pg_application="cityhall-bench-worker" if postgres else "")
    if not args.backlog:
        worker_cpu.start()
        database_cpu.start()
    approved_at: dict[str, float] = {}
    if args.backlog:
        # Every approval in one transaction: the worker, already polling, finds
        # all the tasks at once when it commits. The clock starts at the commit,
        # so the officers' side (web requests, elsewhere in a city) is not
        # counted against the worker on this two-core machine.
        from django.db import transaction

        with transaction.atomic():
            numbers = [
                decisions.approve_report(
                    report=PoliceReport.objects.select_related("case").get(pk=report.pk),
                    officer=officer,
                )
                for report in reports
            ]
        first = approvals_done = time.perf_counter()
        approved_at = dict.fromkeys(numbers, first)
        worker_cpu.start()
        database_cpu.start()
    else:
        first = time.perf_counter()
        for report in reports:
            report = PoliceReport.objects.select_related("case").get(pk=report.pk)
            number = decisions.approve_report(report=report, officer=officer)
            approved_at[number] = time.perf_counter()
        approvals_done = time.perf_counter()
    deadline = time.perf_counter() + max(120, n)
    while time.perf_counter() < deadline:
        with inbox.lock:
            if len(inbox.arrived) >= n:
                break
        time.sleep(0.05)
    finished = max(inbox.arrived.values()) if inbox.arrived else time.perf_counter()
    worker_cpu.stop()
    database_cpu.stop()
    for worker in workers:
        worker.terminate()
    for worker in workers:
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
    controller.stop()

    arrived = {k: v for k, v in inbox.arrived.items() if k in approved_at}
    elapsed = finished - first
    rate = len(arrived) / elapsed if elapsed > 0 else 0.0
    latencies = [arrived[k] - approved_at[k] for k in arrived]
    if not args.backlog:
        print(
            f"  approvals in this process: {n} in {approvals_done - first:.2f} s "
            f"({n / (approvals_done - first):.0f}/s)"
        )
    start_label = "commit of the approvals" if args.backlog else "first approval"
    print(
        f"  emails with the PDF received: {len(arrived)}/{n} "
        f"(other emails: {inbox.other}); {start_label} -> last email {elapsed:.2f} s "
        f"-> {rate:.0f} approvals/s end to end"
    )
    if latencies:
        print(
            f"  approval -> email received: p50 {statistics.median(latencies):.2f} s, "
            f"p95 {percentile(latencies, 0.95):.2f} s, max {max(latencies):.2f} s"
        )
    print(f"  the first email's attachment is a real PDF: {'yes' if inbox.pdf_ok else 'NO'}")
    parts = {"task worker": worker_cpu.seconds()}
    if postgres:
        parts["PostgreSQL for the worker"] = database_cpu.seconds()
    per_approval = print_cpu("approval, in the worker", len(arrived), parts)
    if per_approval:
        print(
            f"    i.e. at most 1 / {per_approval * 1000:.1f} ms = {1 / per_approval:.0f}/s "
            "for one worker (it waits on the database and the mail server in turn)"
        )
    return {"approval_rate": rate, "delivered": len(arrived) if inbox.pdf_ok else 0}


# ---- main --------------------------------------------------------------------


def empty_tables() -> None:
    """A --database-url database keeps earlier runs' rows: start from no cases."""
    from django.db import connection
    from django_tasks_db.models import DBTaskResult

    from cityhall.cases.models import Case, ReferenceSequence
    from cityhall.core.models import IdempotencyRecord
    from cityhall.documents.models import Document
    from cityhall.notifications.models import Notification

    if connection.vendor == "postgresql":
        tables = [
            m._meta.db_table
            for m in (
                Case,
                ReferenceSequence,
                IdempotencyRecord,
                Notification,
                DBTaskResult,
                Document,
            )
        ]
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
    else:
        for model in (
            Document,
            Notification,
            Case,
            ReferenceSequence,
            IdempotencyRecord,
            DBTaskResult,
        ):
            model.objects.all().delete()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--web-workers", type=int, default=3)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--duration", type=float, default=15)
    parser.add_argument("--bare-duration", type=float, default=10)
    parser.add_argument("--approvals", type=int, default=300)
    parser.add_argument(
        "--task-workers", type=int, default=1, help="`cityhall worker` processes in part 2"
    )
    parser.add_argument(
        "--backlog",
        action="store_true",
        help="part 2: approve every report in one transaction first, then time the "
        "worker from its commit to the last email (the worker's own rate)",
    )
    parser.add_argument(
        "--worker-threads",
        type=int,
        default=0,
        help="tasks each worker runs at once (`cityhall worker --threads`); default: its own",
    )
    parser.add_argument(
        "--cache-url",
        default="",
        help="CITYHALL_CACHE_URL for the server (rate-limit counters); default: the settings' (db://)",
    )
    parser.add_argument(
        "--quiet-wait",
        type=float,
        default=600,
        help="seconds to wait before each part for other work to stop (0: do not wait)",
    )
    parser.add_argument(
        "--quiet-below",
        type=float,
        default=0.15,
        help="the CPU use (0..1, all cores) under which the machine counts as quiet",
    )
    parser.add_argument("--skip-submissions", action="store_true")
    parser.add_argument("--skip-approvals", action="store_true")
    args = parser.parse_args()

    var = tempfile.mkdtemp(prefix="cityhall-bench-")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cityhall.settings",
        "DEBUG": "false",
        "SECRET_KEY": "bench-" + "x" * 50,
        "CITYHALL_VAR_DIR": var,
        "DATABASE_URL": args.database_url or f"sqlite:///{var}/bench.sqlite3",
        "CITYHALL_PUBLIC_SUBMIT_RATE": "100000000/60",
        "EMAIL_URL": "memory:",
        "CITYHALL_LOG_LEVEL": "WARNING",
        "CITYHALL_RMS_URL": "",
    }
    if args.cache_url:
        env["CITYHALL_CACHE_URL"] = args.cache_url
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if args.database_url:
        empty_tables()

    print(f"machine: {machine(env['DATABASE_URL'])}")
    print(f"database: {env['DATABASE_URL'].split('@')[-1]}")
    print(f"cache (rate-limit counters): {env.get('CITYHALL_CACHE_URL', 'db:// (default)')}")
    print(f"command: {' '.join(sys.argv)}")
    results: dict = {}
    if not args.skip_submissions:
        results.update(part_submissions(args, env, var))
    if not args.skip_approvals:
        from django.db import connection

        connection.close()
        results.update(part_approvals(args, env))

    postgres = env["DATABASE_URL"].startswith("postgres")
    failures = []
    if "submit_rate" in results:
        target = 150 if postgres else 50
        if results["submit_rate"] < target:
            failures.append(f"submissions {results['submit_rate']:.0f}/s < {target}/s")
        if results["non_201"]:
            failures.append(f"{results['non_201']} submissions not answered 201")
        if results["locked"]:
            failures.append(f"'database is locked' x{results['locked']}")
    if "approval_rate" in results:
        if results["approval_rate"] < 50:
            failures.append(f"approvals {results['approval_rate']:.0f}/s < 50/s")
        if results["delivered"] < args.approvals:
            failures.append(f"only {results['delivered']}/{args.approvals} PDFs emailed")
    print("\ntargets: " + ("met" if not failures else "MISSED: " + "; ".join(failures)))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
