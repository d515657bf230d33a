from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cityhall.cases"
    label = "cases"
    verbose_name = _("Cases and workflows")

    def ready(self):
        from cityhall.core.registry import StaffQueue, registry

        from . import tasks

        registry.add_periodic(
            "cases.deadlines", every=timedelta(minutes=5), task=tasks.process_deadlines
        )
        registry.add_periodic(
            "cases.held_scans", every=timedelta(minutes=1), task=tasks.requeue_held_scans
        )
        registry.add_queue(
            StaffQueue(
                title=_("All my cases"),
                description=_("Every request your roles cover, oldest first, with filters."),
                url_name="cases:queue",
                roles=frozenset(
                    {
                        "police_reviewer",
                        "police_supervisor",
                        "permit_reviewer",
                        "facility_manager",
                        "finance_clerk",
                    }
                ),
                order=1000,
            )
        )
