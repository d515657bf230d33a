from django_tasks import task

from . import services


@task()
def deliver_notification(notification_id: int) -> str:
    return services.deliver(notification_id)


@task()
def requeue_stuck_notifications() -> int:
    return services.requeue_stuck()


@task()
def alert_overdue_queues() -> list[str]:
    from .alerts import alert_overdue_queues as run

    return run()


@task()
def purge_old_emails() -> int:
    """Emails not tied to a case (resume links, staff alerts) go after
    CITYHALL_EMAIL_RETENTION_DAYS; a case's emails go with the case."""
    from datetime import timedelta

    from django.conf import settings
    from django.utils import timezone

    from .models import Notification

    cutoff = timezone.now() - timedelta(days=settings.CITYHALL_EMAIL_RETENTION_DAYS)
    deleted, _ = Notification.objects.filter(case__isnull=True, created_at__lt=cutoff).delete()
    return deleted
