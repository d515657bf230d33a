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
