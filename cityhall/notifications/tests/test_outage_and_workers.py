"""The worker delivering real batches to a loopback SMTP server: an outage in
the middle loses nothing and doubles nothing; two worker processes on one
database never send the same email twice."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from cityhall.notifications.models import Notification, Status
from cityhall.notifications.services import notify
from cityhall.testing import database_url

ROOT = Path(__file__).resolve().parents[3]
pytestmark = pytest.mark.django_db(transaction=True)


def _queue(count: int, prefix: str = "person") -> list[int]:
    return [
        notify(
            to=f"{prefix}{i}@example.org",
            kind="queue_overdue",
            context={
                "service_name": "S",
                "count": 1,
                "oldest_reference": "X",
                "oldest_submitted_at": None,
            },
        ).pk
        for i in range(count)
    ]


def _run_worker(max_tasks=None):
    options = {
        "batch": True,
        "reload": False,
        "startup_delay": False,
        "verbosity": 0,
        "queue_name": "*",
    }
    if max_tasks:
        options["max_tasks"] = max_tasks
    call_command("db_worker", **options)


def _time_passes():
    """Retries were scheduled a minute ahead; bring them due now."""
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    now = timezone.now()
    DBTaskResult.objects.filter(status="READY").update(run_after=now)
    Notification.objects.filter(status=Status.QUEUED).update(next_attempt_at=now)


def test_outage_in_the_middle_of_a_batch(smtp_server, settings):
    settings.CITYHALL_EMAIL_RETRY_SECONDS = 60
    ids = _queue(30)
    _run_worker(max_tasks=10)
    assert len(smtp_server.recorder.messages) == 10
    smtp_server.stop()
    _run_worker()  # every remaining attempt fails and is re-queued a minute ahead
    assert Notification.objects.filter(status=Status.QUEUED, attempts=1).count() == 20
    smtp_server.start()
    _time_passes()
    _run_worker()
    received = smtp_server.recorder.message_ids()
    assert len(received) == 30
    assert len(set(received)) == 30
    expected = {n.message_id for n in Notification.objects.filter(pk__in=ids)}
    assert set(received) == expected
    assert Notification.objects.filter(status=Status.DELIVERED).count() == 30


def test_two_worker_processes_never_send_twice(smtp_server):
    # Hold the first email until a second is being sent at the same time: on a
    # busy machine one worker could otherwise drain the queue before the other
    # has started, and the test would prove nothing about two workers.
    smtp_server.recorder.hold_until_concurrent = 2
    _queue(120)
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE"}},
        "DATABASE_URL": database_url(),
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_server.port}?timeout=60",
        "DEBUG": "false",
        "SECRET_KEY": "test-" + "k" * 50,
    }
    command = [sys.executable, "-m", "cityhall.cli", "worker", "--batch", "--verbosity", "0"]
    workers = [
        subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.PIPE) for _ in range(2)
    ]
    outputs = [w.communicate(timeout=180)[1].decode() for w in workers]
    assert [w.returncode for w in workers] == [0, 0], outputs
    received = smtp_server.recorder.message_ids()
    assert len(received) == 120, outputs
    assert len(set(received)) == 120
    assert Notification.objects.filter(status=Status.DELIVERED, attempts=1).count() == 120
    from django_tasks_db.models import DBTaskResult

    results = list(DBTaskResult.objects.values_list("worker_ids", flat=True))
    assert all(len(ids) == 1 for ids in results)  # each task was claimed once
    assert len({ids[0] for ids in results}) == 2  # and both workers did work
