from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    name = "cityhall.insights"
    label = "insights"
    verbose_name = _("Service performance and value")

    def ready(self):
        from cityhall.cases import registry as cases_registry
        from cityhall.core.registry import StaffQueue, registry

        from . import tasks
        from .survey import invite_after_close
        from .views_staff import READERS

        registry.add_queue(
            StaffQueue(
                title=_("Service performance and value"),
                description=_(
                    "KPIs, cost per transaction, savings and ROI for every service; pilots; "
                    "council reports."
                ),
                url_name="insights:dashboard",
                roles=frozenset(READERS),
                order=50,
            )
        )
        registry.add_periodic("insights.fold", every=timedelta(minutes=1), task=tasks.fold_rollups)
        from .demo import seed

        registry.add_demo_seeder(seed, order=900, scaled=True)
        # The survey goes out for every service's cases; the foundation calls us.
        cases_registry.on_case_closed(invite_after_close)
