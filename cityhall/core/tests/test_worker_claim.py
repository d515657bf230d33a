"""The worker's one-statement claim on PostgreSQL (core/worker.py ClaimingWorker)."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone
from django_tasks_db.compat import DEFAULT_TASK_BACKEND_ALIAS
from django_tasks_db.models import DBTaskResult

from cityhall.core.tests import slow_tasks
from cityhall.core.worker import ClaimingWorker

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres():
    if connection.vendor != "postgresql":
        pytest.skip("SKIP LOCKED: on SQLite the library's own loop runs")
    slow_tasks.RUNS.clear()


def _worker(worker_id="claimer", queues=("*",), batch=True) -> ClaimingWorker:
    worker = ClaimingWorker(
        queue_names=list(queues),
        interval=0.01,
        batch=batch,
        backend_name=DEFAULT_TASK_BACKEND_ALIAS,
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    )
    return worker


def test_the_claim_takes_the_task_the_library_would_and_marks_it_running():
    later = slow_tasks.note.using(run_after=timezone.now() + timedelta(hours=1)).enqueue(1)
    low = slow_tasks.note.using(priority=0).enqueue(2)
    other_queue = slow_tasks.note.using(priority=50).enqueue(3)
    DBTaskResult.objects.filter(pk=other_queue.id).update(queue_name="reports")
    high = slow_tasks.note.using(priority=10).enqueue(4)

    worker = _worker(queues=("default",))
    first = worker.claim_next()
    assert first.pk == DBTaskResult.objects.get(pk=high.id).pk  # highest priority first
    assert first.status == "RUNNING" and first.worker_ids == ["claimer"]
    assert first.started_at is not None
    assert first.args_kwargs == {"args": [4], "kwargs": {}}  # JSON read back as the ORM would
    stored = DBTaskResult.objects.get(pk=first.pk)
    assert stored.status == "RUNNING" and stored.worker_ids == ["claimer"]  # committed

    assert worker.claim_next().pk == DBTaskResult.objects.get(pk=low.id).pk
    assert worker.claim_next() is None  # not due yet, or another queue
    assert DBTaskResult.objects.get(pk=later.id).status == "READY"
    assert DBTaskResult.objects.get(pk=other_queue.id).status == "READY"
    assert _worker(queues=("*",)).claim_next().pk == DBTaskResult.objects.get(pk=other_queue.id).pk


def test_a_task_run_again_keeps_the_ids_of_every_worker_that_took_it():
    result = slow_tasks.note.enqueue(7)
    DBTaskResult.objects.filter(pk=result.id).update(worker_ids=["dead-worker"])
    claimed = _worker().claim_next()
    assert claimed.worker_ids == ["dead-worker", "claimer"]  # the reaper reads the last


def test_the_loop_runs_each_task_once_and_records_its_outcome():
    results = [slow_tasks.note.enqueue(n) for n in range(5)]
    _worker().run()
    rows = DBTaskResult.objects.filter(pk__in=[r.id for r in results])
    assert sorted(slow_tasks.RUNS) == list(range(5))
    assert {(row.status, tuple(row.worker_ids)) for row in rows} == {("SUCCESSFUL", ("claimer",))}
    assert sorted(row.return_value for row in rows) == list(range(5))


def test_workers_on_parallel_connections_never_take_the_same_task():
    """Six workers, each on its own connection, drain one queue: every task
    runs exactly once (SKIP LOCKED passes over a row another claim holds)."""
    count = 150
    for n in range(count):
        slow_tasks.note.enqueue(n)
    errors = []

    def drain(i: int) -> None:
        try:
            _worker(worker_id=f"w{i}").run()
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=drain, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not errors, errors
    assert sorted(slow_tasks.RUNS) == list(range(count)), "a task ran twice or never"
    rows = list(DBTaskResult.objects.values_list("status", "worker_ids"))
    assert Counter(status for status, _ in rows) == {"SUCCESSFUL": count}
    assert all(len(ids) == 1 for _, ids in rows)
    assert len({ids[0] for _, ids in rows}) > 1, "one worker took them all: no parallelism shown"
