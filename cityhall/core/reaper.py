"""Tasks claimed by a worker that died (killed, out of memory, machine lost).

django-tasks-db marks a task RUNNING with the worker's id when it claims it
and never looks at it again: if that worker dies mid-task, the task would stay
RUNNING for ever. Each `cityhall worker` writes a heartbeat under the same id
every few seconds (core/scheduler.py), so a RUNNING task whose worker has not
been heard from for CITYHALL_WORKER_STALE_SECONDS is put back in the queue,
once (a conditional UPDATE: two reapers cannot both requeue it), and another
worker runs it. Tasks are written to be safe to run twice (DESIGN.md).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from .models import WorkerHeartbeat

logger = logging.getLogger(__name__)


def requeue_tasks_of_dead_workers(*, now=None) -> int:
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.WORKER_STALE_SECONDS)
    alive = set(
        WorkerHeartbeat.objects.filter(last_seen_at__gte=stale).values_list("worker_id", flat=True)
    )
    # Started long enough ago that a live worker would have written a heartbeat since.
    running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, started_at__lt=stale)
    requeued = 0
    rows = running.values_list("id", "worker_ids", "task_path", "started_at")
    for task_id, worker_ids, path, started_at in rows:
        if worker_ids and worker_ids[-1] in alive:
            continue
        requeued += DBTaskResult.objects.filter(
            id=task_id, status=TaskResultStatus.RUNNING, started_at=started_at
        ).update(status=TaskResultStatus.READY, run_after=timezone.now(), started_at=None)
        logger.warning(
            "requeued task %s (%s): its worker %s stopped answering",
            task_id,
            path,
            worker_ids[-1] if worker_ids else "?",
        )
    return requeued
