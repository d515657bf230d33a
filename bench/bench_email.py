"""A burst of 1,000 emails delivered by one worker to a loopback SMTP server.

Target (issue 3): 95% delivered within 10 seconds of being queued.

    .venv/bin/python bench/bench_email.py [--count 1000] [--database-url postgres://...]

Uses a throwaway SQLite database under a temporary directory unless
--database-url is given (that database is migrated and emptied of emails).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


class Receiver:
    def __init__(self):
        self.received: dict[str, float] = {}
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        now = time.time()
        for line in envelope.content.split(b"\r\n"):
            if line.lower().startswith(b"message-id:"):
                with self.lock:
                    self.received.setdefault(line.split(b":", 1)[1].strip().decode(), now)
                break
        return "250 OK"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()

    from aiosmtpd.controller import Controller

    receiver = Receiver()
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(receiver, hostname="127.0.0.1", port=port)
    controller.start()

    var = tempfile.mkdtemp(prefix="cityhall-bench-")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cityhall.settings",
        "DEBUG": "false",
        "SECRET_KEY": "bench-" + "x" * 50,
        "CITYHALL_VAR_DIR": var,
        "DATABASE_URL": args.database_url or f"sqlite:///{var}/bench.sqlite3",
        "EMAIL_URL": f"smtp://127.0.0.1:{port}",
        "CITYHALL_LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    call_command("migrate", verbosity=0)
    from django_tasks_db.models import DBTaskResult

    from cityhall.notifications.models import Notification
    from cityhall.notifications.services import notify

    Notification.objects.all().delete()
    DBTaskResult.objects.all().delete()

    worker = subprocess.Popen(
        [sys.executable, "-m", "cityhall.cli", "worker", "--verbosity", "0"], cwd=ROOT, env=env
    )
    time.sleep(3)  # let the worker start polling, as in production

    queued_at: dict[str, float] = {}
    started = time.time()
    for i in range(args.count):
        with transaction.atomic():
            n = notify(
                to=f"resident{i}@example.org",
                kind="queue_overdue",
                context={
                    "service_name": "Lost property",
                    "count": 1,
                    "oldest_reference": "LP-2026-00001-A",
                    "oldest_submitted_at": None,
                },
            )
        queued_at[n.message_id] = time.time()
    burst = time.time() - started

    deadline = time.time() + 300
    while len(receiver.received) < args.count and time.time() < deadline:
        time.sleep(0.2)
    finished = time.time()
    worker.terminate()
    worker.wait(timeout=30)
    controller.stop()

    latencies = [
        receiver.received[mid] - queued_at[mid] for mid in queued_at if mid in receiver.received
    ]
    delivered = len(latencies)
    within = sum(1 for value in latencies if value <= 10) / args.count
    print(
        f"machine: {platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"database {env['DATABASE_URL'].split(':')[0]}"
    )
    print(
        f"queued {args.count} emails in {burst:.2f} s; delivered {delivered} by one worker "
        f"in {finished - started:.2f} s ({delivered / (finished - started):.0f}/s)"
    )
    if latencies:
        print(
            f"queued -> received: p50 {statistics.median(latencies):.2f} s, "
            f"p95 {percentile(latencies, 0.95):.2f} s, max {max(latencies):.2f} s"
        )
    print(f"delivered within 10 s of being queued: {within:.1%} (target 95%)")
    sys.exit(0 if within >= 0.95 else 1)


if __name__ == "__main__":
    main()
