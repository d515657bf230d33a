"""Two web servers and two workers on one PostgreSQL database, as a city runs
them when it outgrows one machine: police reports filed and approved, shelters
booked (the same time from both servers at once) and paid through both servers
in parallel, while the mail server is down for part of the time. Nothing may be lost, doubled (reports, reference numbers, PDFs,
emails, payments) or double-booked.

Every process is a real `cityhall serve` / `cityhall worker` with production
settings (DEBUG off, the database cache shared by all), files in one shared
folder (CITYHALL_VAR_DIR), emails to a loopback SMTP server.
"""

from __future__ import annotations

import itertools
import subprocess
import sys
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from cityhall import testing_flows as flows
from cityhall.notifications.tests.conftest import SmtpServer
from cityhall.testing import ROOT, free_port, process_env, run_cityhall

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

REPORTS = 16
SLOTS = 6  # each booked from both servers at once
SANDBOX_SECRET = "sandbox-processes-test"


@pytest.fixture
def smtp():
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def city_processes(smtp, tmp_path):
    """Two servers (their base URLs) and two workers, started and stopped."""
    if connection.vendor != "postgresql":
        pytest.skip("Needs PostgreSQL (make test-postgres and CI run it).")
    ports = [free_port(), free_port()]
    env = process_env(
        EMAIL_URL=f"smtp://127.0.0.1:{smtp.port}?timeout=20",
        CITYHALL_CACHE_URL="db://",
        CITYHALL_SITE_URL=f"http://127.0.0.1:{ports[0]}",
        CITYHALL_SANDBOX_WEBHOOK_SECRET=SANDBOX_SECRET,
        CITYHALL_PAYMENT_PROVIDER="sandbox",
        CITYHALL_PROXY_COUNT="1",  # each simulated resident has their own address
        CITYHALL_LOG_LEVEL="WARNING",
        CITYHALL_EMAIL_RETRY_SECONDS="1",  # the mail server comes back within the test
        ALLOWED_HOSTS="127.0.0.1",
    )
    run_cityhall("collectstatic", "--noinput", "-v", "0", env=env)
    # The test database was made with the tests' in-memory cache: no cache table yet.
    run_cityhall("createcachetable", env=env)
    logs = tmp_path / "logs"
    logs.mkdir()
    processes = []

    def start(name, *args):
        log = (logs / f"{name}.log").open("w")
        processes.append(
            (
                name,
                subprocess.Popen(
                    [sys.executable, "-m", "cityhall.cli", *args],
                    cwd=ROOT,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                ),
            )
        )

    for n, port in enumerate(ports):
        start(f"web{n}", "serve", "--port", str(port), "--workers", "2", "--no-collectstatic")
    for n in range(2):
        start(f"worker{n}", "worker", "--interval", "0.2")
    bases = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        for base in bases:
            _wait_until_up(base)
        yield bases
    finally:
        for _name, process in processes:
            process.terminate()
        for name, process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
            print(f"--- {name}\n{(logs / f'{name}.log').read_text()[-3000:]}")


def _wait_until_up(base: str) -> None:
    deadline = time.monotonic() + 240  # a busy CI machine boots gunicorn slowly
    while time.monotonic() < deadline:
        try:
            if flows.Client(base).request("GET", "/healthz").status in {200, 503}:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"{base} did not start")


def _settled(check, *, seconds: float = 180) -> None:
    """Waits for the workers to finish what the requests queued."""
    deadline = time.monotonic() + seconds
    while True:
        problem = check()
        if problem is None:
            return
        if time.monotonic() > deadline:
            raise AssertionError(problem)
        time.sleep(0.5)


def test_two_servers_and_two_workers_lose_and_double_nothing(city_processes, smtp):
    from cityhall.cases.models import Case
    from cityhall.documents.models import Document
    from cityhall.notifications.models import Notification, Status
    from cityhall.payments.models import Payment, PaymentStatus, WebhookEvent
    from cityhall.police.models import PoliceReport
    from cityhall.reservations.models import Occurrence

    servers = city_processes
    city = flows.prepare_city(units=1)
    now = timezone.now()
    pool = ThreadPoolExecutor(max_workers=8)

    def client(i, **kwargs):
        return flows.Client(servers[i % 2], address=f"198.51.100.{i % 250 + 1}", **kwargs)

    # -- police reports, filed through both servers at once; four of them retried
    #    on the other server with the same Idempotency-Key (a lost answer).
    keys = {i: str(uuid.uuid4()) for i in range(REPORTS)}
    filed = list(
        pool.map(lambda i: flows.submit_report(client(i), i, now=now, key=keys[i]), range(REPORTS))
    )
    assert [r.status for r in filed] == [201] * REPORTS, [r.body[:300] for r in filed]
    retried = list(
        pool.map(lambda i: flows.submit_report(client(i + 1), i, now=now, key=keys[i]), range(4))
    )
    assert [r.status for r in retried] == [200] * 4
    references = [r.json()["reference"] for r in filed]
    assert [r.json()["reference"] for r in retried] == references[:4]
    assert len(set(references)) == REPORTS
    assert PoliceReport.objects.count() == REPORTS

    # -- the mail server goes down while reports are approved and shelters booked.
    smtp.stop()

    # -- each approved from both servers at once: one wins, the other is told 409.
    def approve_twice(reference):
        officers = [flows.Client(base, token=city["officer_token"]) for base in servers]
        both = list(
            ThreadPoolExecutor(2).map(lambda c: flows.approve_report(c, reference), officers)
        )
        return sorted(r.status for r in both)

    assert list(pool.map(approve_twice, references)) == [[200, 409]] * REPORTS

    # -- the same shelter time booked from both servers at once, for several times.
    first_day = timezone.localdate() + timedelta(days=5)
    times = flows.slots(first_day, SLOTS, zone=str(timezone.get_default_timezone()))
    unit = city["units"][0]

    def book_from_both(slot):
        residents = [flows.Client(base, token=city["resident_token"]) for base in servers]
        both = list(ThreadPoolExecutor(2).map(lambda c: flows.book(c, unit, *slot), residents))
        return both

    outcomes = list(pool.map(book_from_both, times))
    held = []
    for both in outcomes:
        assert sorted(r.status for r in both) == [201, 409], [r.body[:300] for r in both]
        held += [r.json() for r in both if r.status == 201]

    # -- each paid on the sandbox checkout, half through each server.
    states = list(pool.map(lambda i: flows.pay(client(i), held[i]["pay_url"]), range(len(held))))
    assert states == ["paid"] * SLOTS

    smtp.start()  # back: the emails that waited go out now, once each

    # -- the workers finish: one PDF and one approval email per report, a receipt
    #    and a confirmation per booking, every email sent once.
    def pending():
        undone = Notification.objects.exclude(status=Status.DELIVERED).count()
        documents = Document.objects.filter(kind="police_report").count()
        webhooks = WebhookEvent.objects.count()
        if undone or documents < REPORTS or webhooks < SLOTS:
            return f"{undone} emails unsent, {documents} PDFs, {webhooks} webhooks"
        return None

    _settled(pending)
    time.sleep(2)  # anything doubled late would show up now
    _settled(pending)

    reports = PoliceReport.objects.select_related("case")
    numbers = [r.report_number for r in reports]
    assert all(numbers) and len(set(numbers)) == REPORTS
    assert {r.case.status for r in reports} == {"approved"}
    per_case = Counter(
        Document.objects.filter(kind="police_report").values_list("case_id", flat=True)
    )
    assert set(per_case.values()) == {1}
    for document in Document.objects.filter(kind="police_report"):
        assert document.file.storage.exists(document.file.name)

    kinds = Counter(Notification.objects.values_list("case_id", "kind", "to_email"))
    assert set(kinds.values()) == {1}, [k for k, n in kinds.items() if n > 1]
    received = smtp.recorder.message_ids()
    assert len(received) == len(set(received)) == Notification.objects.count()
    assert set(received) == {n.message_id for n in Notification.objects.all()}

    active = list(Occurrence.objects.filter(active=True, unit_id=unit).order_by("start"))
    assert len(active) == SLOTS
    for earlier, later in itertools.pairwise(active):
        assert earlier.blocked_until <= later.blocked_from  # no double booking
    assert set(
        Case.objects.filter(pk__in=[o.booking.case_id for o in active]).values_list(
            "status", flat=True
        )
    ) == {"confirmed"}
    paid = Counter(
        Payment.objects.filter(status=PaymentStatus.SUCCEEDED).values_list("invoice_id", flat=True)
    )
    assert len(paid) == SLOTS and set(paid.values()) == {1}
    case_references = list(Case.objects.values_list("reference", flat=True))
    assert len(case_references) == len(set(case_references))
