from django_tasks import task


@task()
def ping() -> str:
    """A no-op task: lets operators (and tests) check that a worker runs tasks."""
    return "pong"


@task()
def purge_idempotency_records() -> int:
    """Idempotency keys protect retries for a day or two; a month is ample."""
    from datetime import timedelta

    from django.utils import timezone

    from .models import IdempotencyRecord

    deleted, _ = IdempotencyRecord.objects.filter(
        created_at__lt=timezone.now() - timedelta(days=30)
    ).delete()
    return deleted


@task()
def purge_rate_limit_windows() -> int:
    from .ratelimit import purge_ended_windows

    return purge_ended_windows()


@task()
def purge_audit_log() -> int:
    """Audit entries past CITYHALL_AUDIT_RETENTION_DAYS (at least a year) go, oldest first."""
    from . import audit

    return audit.purge()


@task()
def purge_platform_records() -> dict:
    """Personal data the platform keeps for itself (core/retention.py)."""
    from .retention import purge_housekeeping as purge

    return purge()


@task()
def requeue_dead_workers_tasks() -> int:
    from .reaper import requeue_tasks_of_dead_workers

    return requeue_tasks_of_dead_workers()
