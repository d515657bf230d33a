"""Faults a city's operators will meet: a worker killed in the middle of a task,
the database dropping the app's connections under load."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from cityhall.core.models import WorkerHeartbeat
from cityhall.core.reaper import requeue_tasks_of_dead_workers
from cityhall.core.tests.slow_tasks import write_then_wait
from cityhall.testing import ROOT, process_env, run_cityhall

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _wait_for(check, seconds=90, what="it"):
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def test_a_task_of_a_killed_worker_runs_again_once(tmp_path):
    from django_tasks_db.models import DBTaskResult

    marker = tmp_path / "runs.txt"
    result = write_then_wait.enqueue(str(marker), 120)
    env = process_env()
    worker = subprocess.Popen(
        [sys.executable, "-m", "cityhall.cli", "worker", "--interval", "0.2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(lambda: marker.exists(), what="the task to start")
        _wait_for(lambda: WorkerHeartbeat.objects.exists(), what="the heartbeat")
    finally:
        worker.send_signal(signal.SIGKILL)  # no goodbye: no chance to finish or clean up
        worker.wait(timeout=30)
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == "RUNNING"
    [dead] = row.worker_ids
    # The worker's other thread may have been killed in the middle of a periodic
    # job (the scheduler queues them when the worker starts): on a busy machine
    # (tests in parallel) it often is. Those are the dead worker's tasks too.
    held = [
        ids
        for ids in DBTaskResult.objects.filter(status="RUNNING").values_list(
            "worker_ids", flat=True
        )
        if ids and ids[-1] == dead
    ]

    # Not yet: the worker may only be slow.
    assert requeue_tasks_of_dead_workers() == 0
    # CITYHALL_WORKER_STALE_SECONDS later (moved instead of waited for):
    later = timezone.now() + timedelta(minutes=5)
    assert requeue_tasks_of_dead_workers(now=later) == len(held)
    row.refresh_from_db()
    assert row.status == "READY"
    assert requeue_tasks_of_dead_workers(now=later) == 0  # once

    run_cityhall("worker", "--batch", "--verbosity", "0", env=env)
    row.refresh_from_db()
    assert row.status == "SUCCESSFUL"
    assert len(row.worker_ids) == 2 and row.worker_ids[0] == dead
    assert marker.read_text().split() == ["started", "started", "finished"]


def test_a_live_worker_busy_with_a_long_task_is_left_alone(tmp_path):
    from django_tasks_db.models import DBTaskResult

    result = write_then_wait.enqueue(str(tmp_path / "runs.txt"), 0)
    now = timezone.now()
    DBTaskResult.objects.filter(pk=result.id).update(
        status="RUNNING", started_at=now - timedelta(hours=1), worker_ids=["busy-one"]
    )
    WorkerHeartbeat.objects.create(
        worker_id="busy-one", hostname="h", pid=1, started_at=now, last_seen_at=now
    )
    assert requeue_tasks_of_dead_workers(now=now) == 0
