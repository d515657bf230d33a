"""What /healthz reports: database, worker heartbeat, task queue."""

from __future__ import annotations

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Max, Min
from django.utils import timezone


def health_report() -> tuple[dict, int]:
    now = timezone.now()
    report: dict = {"status": "ok", "database": {"ok": True}}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        report.update(status="down", database={"ok": False, "error": error.__class__.__name__})
        report["worker"] = {"seconds_since_heartbeat": None, "ok": False}
        report["tasks"] = {"queued": None, "oldest_queued_age_seconds": None}
        return report, 503

    from django_tasks_db.models import DBTaskResult

    from .models import WorkerHeartbeat

    try:
        last = WorkerHeartbeat.objects.aggregate(last=Max("last_seen_at"))["last"]
        ready = DBTaskResult.objects.ready()
        queued = ready.count()
        oldest = ready.aggregate(oldest=Min("enqueued_at"))["oldest"]
    except DatabaseError as error:  # reachable, but not migrated or failing mid-way
        report.update(status="down", database={"ok": False, "error": error.__class__.__name__})
        return report, 503

    since = round((now - last).total_seconds(), 1) if last else None
    worker_ok = since is not None and since <= settings.WORKER_STALE_SECONDS
    report["worker"] = {"seconds_since_heartbeat": since, "ok": worker_ok}
    report["tasks"] = {
        "queued": queued,
        "oldest_queued_age_seconds": round((now - oldest).total_seconds(), 1) if oldest else None,
    }
    if not worker_ok:
        # Web requests still work, so load balancers should keep this process.
        report["status"] = "degraded"
    return report, 200
