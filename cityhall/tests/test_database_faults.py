"""PostgreSQL drops the app's connections while residents file reports.

The test terminates every connection to its own test database with
pg_terminate_backend, several times during the load, instead of restarting
PostgreSQL: on developers' and CI machines one PostgreSQL server holds every
session's databases, and a restart would break the others' tests. To the web
processes it is the same event: their connections are closed under them
mid-request or between requests, as in a restart or a failover.

Requests that meet a dead connection fail cleanly (a 5xx answer, never a hung
or reset connection); the resident's retry with the same Idempotency-Key gives
one report, never two or half of one; the same processes serve again without
a restart (CONN_HEALTH_CHECKS reopens the connection at the next request).
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
import uuid
from collections import Counter

import pytest
from django.db import connection
from django.utils import timezone

from cityhall import testing_flows as flows
from cityhall.testing import ROOT, free_port, process_env, run_cityhall

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

RESIDENTS = 4
REPORTS_EACH = 12


def _terminate_the_apps_connections() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def test_requests_fail_cleanly_and_the_app_recovers_when_connections_drop(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("Needs PostgreSQL (make test-postgres and CI run it).")
    from cityhall.cases.models import Case
    from cityhall.police.models import PoliceReport

    port = free_port()
    env = process_env(CITYHALL_PUBLIC_SUBMIT_RATE="100000/3600", ALLOWED_HOSTS="127.0.0.1")
    run_cityhall("collectstatic", "--noinput", "-v", "0", env=env)
    log = (tmp_path / "web.log").open("w")
    command = [sys.executable, "-m", "cityhall.cli", "serve", "--port", str(port)]
    server = subprocess.Popen(
        [*command, "--workers", "2", "--no-collectstatic"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    statuses: Counter = Counter()
    outcomes: dict[str, str] = {}
    lock = threading.Lock()
    done = threading.Event()
    now = timezone.now()

    def resident(r: int) -> None:
        client = flows.Client(base, timeout=30)
        for i in range(REPORTS_EACH):
            key = str(uuid.uuid4())
            for _attempt in range(30):
                try:
                    response = flows.submit_report(client, r * 100 + i, now=now, key=key)
                except OSError as error:  # would be an unclean failure: counted, then retried
                    client.close()
                    with lock:
                        statuses[type(error).__name__] += 1
                    time.sleep(0.2)
                    continue
                with lock:
                    statuses[response.status] += 1
                if response.status in {200, 201}:
                    with lock:
                        outcomes[key] = response.json()["reference"]
                    break
                time.sleep(0.2)
            time.sleep(0.05)

    try:
        deadline = time.monotonic() + 240  # a busy CI machine boots gunicorn slowly
        while True:
            try:
                if flows.Client(base).request("GET", "/livez").status == 200:
                    break
            except OSError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.3)
        threads = [threading.Thread(target=resident, args=(r,)) for r in range(RESIDENTS)]
        for thread in threads:
            thread.start()
        killed = 0
        # Often, so that some land in the middle of a request, not only between them.
        while any(thread.is_alive() for thread in threads):
            time.sleep(0.3)
            killed += _terminate_the_apps_connections()
        for thread in threads:
            thread.join(timeout=300)
        done.set()
        assert killed > 0

        # Every report filed once, whole; none half-written, none twice.
        assert len(outcomes) == RESIDENTS * REPORTS_EACH, statuses
        assert len(set(outcomes.values())) == len(outcomes)
        assert PoliceReport.objects.count() == len(outcomes)
        assert Case.objects.filter(service="police_report").count() == len(outcomes)
        assert not PoliceReport.objects.filter(items__isnull=True).exists()
        # Failures were answers (5xx), never dropped connections.
        assert set(statuses) <= {200, 201, 500, 503}, statuses
        # The same processes serve again, without a restart.
        assert server.poll() is None
        assert flows.submit_report(flows.Client(base), 999, now=now).status == 201
        print(f"statuses: {dict(statuses)}, connections terminated: {killed}")
    finally:
        server.terminate()
        server.wait(timeout=30)
