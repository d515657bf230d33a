from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    name = "cityhall.insights"
    label = "insights"
    verbose_name = _("Service performance and value")

    def ready(self):
        from cityhall.cases import registry as cases_registry
        from cityhall.core.registry import registry

        from . import tasks
        from .survey import invite_after_close

        registry.add_periodic("insights.fold", every=timedelta(minutes=1), task=tasks.fold_rollups)
        # The survey goes out for every service's cases; the foundation calls us.
        cases_registry.on_case_closed(invite_after_close)
