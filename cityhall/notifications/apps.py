from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "cityhall.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from cityhall.core.registry import registry

        from . import metrics, tasks

        registry.add_metrics(metrics.email_metrics)
        registry.add_periodic(
            "notifications.requeue",
            every=timedelta(minutes=1),
            task=tasks.requeue_stuck_notifications,
        )
        registry.add_periodic(
            "notifications.queue-alerts", every=timedelta(hours=1), task=tasks.alert_overdue_queues
        )
        registry.add_periodic(
            "notifications.purge", every=timedelta(days=1), task=tasks.purge_old_emails
        )
