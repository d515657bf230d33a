from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "cityhall.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        from . import metrics, tasks
        from .registry import registry

        registry.add_metrics(metrics.task_queue_metrics)
        registry.add_periodic(
            "core.purge-idempotency", every=timedelta(days=1), task=tasks.purge_idempotency_records
        )
        registry.add_periodic(
            "core.purge-rate-limits", every=timedelta(hours=1), task=tasks.purge_rate_limit_windows
        )
        registry.add_periodic(
            "core.purge-audit-log", every=timedelta(days=1), task=tasks.purge_audit_log
        )
        registry.add_periodic(
            "core.requeue-dead-workers-tasks",
            every=timedelta(minutes=1),
            task=tasks.requeue_dead_workers_tasks,
        )
        registry.add_periodic(
            "core.purge-platform", every=timedelta(days=1), task=tasks.purge_platform_records
        )
