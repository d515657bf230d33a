"""Heartbeat and periodic jobs, run in threads beside each `cityhall worker`.

django-tasks has no scheduler, so each worker process runs this loop. Every
worker tries to claim each due job with one conditional UPDATE; the database
lets exactly one win, so a job is queued once per period however many
workers run. The task itself then runs on whichever worker picks it up.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from datetime import timedelta

from django.db import close_old_connections, connection, transaction
from django.db.models import Q
from django.utils import timezone

from .models import PeriodicJob, WorkerHeartbeat
from .registry import registry

logger = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 10


def beat(*, worker_id: str, started_at) -> None:
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "hostname": socket.gethostname()[:255],
            "pid": os.getpid(),
            "started_at": started_at,
            "last_seen_at": timezone.now(),
        },
    )


def claim_due_job(name: str, every) -> bool:
    """True for exactly one caller per period."""
    now = timezone.now()
    PeriodicJob.objects.get_or_create(name=name)
    with transaction.atomic():
        claimed = PeriodicJob.objects.filter(
            Q(last_enqueued_at__isnull=True) | Q(last_enqueued_at__lte=now - every), name=name
        ).update(last_enqueued_at=now)
    return claimed == 1


def enqueue_due_jobs() -> list[str]:
    queued = []
    for job in registry.periodic.values():
        if claim_due_job(job.name, job.every):
            job.task.enqueue()
            queued.append(job.name)
    return queued


def forget_worker(worker_id: str) -> None:
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()
    # Rows of workers that were killed without saying goodbye.
    WorkerHeartbeat.objects.filter(last_seen_at__lt=timezone.now() - timedelta(days=1)).delete()


class SchedulerThread(threading.Thread):
    def __init__(self, *, worker_id: str, interval: float = HEARTBEAT_SECONDS):
        super().__init__(name="cityhall-scheduler", daemon=True)
        self.worker_id = worker_id
        self.interval = interval
        self.started_at = timezone.now()
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                close_old_connections()
                beat(worker_id=self.worker_id, started_at=self.started_at)
                for name in enqueue_due_jobs():
                    logger.info("queued periodic job %s", name)
            except Exception:
                logger.exception("scheduler loop failed; retrying")
            finally:
                connection.close()
            self.stopping.wait(self.interval)

    def stop(self) -> None:
        self.stopping.set()
