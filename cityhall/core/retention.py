"""The platform's own housekeeping purge (run daily by the worker).

Services purge their cases themselves (police.purge, permits.purge); this
removes what the platform keeps about people for its own running: finished
task results, expired sessions, sign-in records of django-axes, and the
heartbeats of workers that stopped long ago.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from .models import WorkerHeartbeat

# A heartbeat this old belongs to a worker that died without saying goodbye.
STALE_WORKER_DAYS = 1


def purge_housekeeping(*, now=None) -> dict[str, int]:
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.contrib.sessions.models import Session
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    task_cutoff = now - timedelta(days=settings.CITYHALL_TASK_RESULT_RETENTION_DAYS)
    signin_cutoff = now - timedelta(days=settings.CITYHALL_SIGNIN_LOG_RETENTION_DAYS)
    counts = {
        "task_results": DBTaskResult.objects.filter(
            status__in=[TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED],
            finished_at__lt=task_cutoff,
        ).delete()[0],
        "sessions": Session.objects.filter(expire_date__lt=now).delete()[0],
        "heartbeats": WorkerHeartbeat.objects.filter(
            last_seen_at__lt=now - timedelta(days=STALE_WORKER_DAYS)
        ).delete()[0],
    }
    for name, model in [
        ("signin_attempts", AccessAttempt),
        ("signin_log", AccessLog),
        ("signin_failures", AccessFailureLog),
    ]:
        counts[name] = model.objects.filter(attempt_time__lt=signin_cutoff).delete()[0]
    return counts
