from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    name = "cityhall.insights"
    label = "insights"
    verbose_name = _("Service performance and value")

    def ready(self):
        from cityhall.core.registry import registry

        from . import tasks

        registry.add_periodic("insights.fold", every=timedelta(minutes=1), task=tasks.fold_rollups)
