from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PermitsConfig(AppConfig):
    name = "cityhall.permits"
    label = "permits"
    verbose_name = _("Permits and licences")

    def ready(self):
        from cityhall.cases import registry as cases_registry
        from cityhall.core.registry import registry
        from cityhall.documents.kinds import register_kind

        from . import services, tasks
        from .demo import seed
        from .workflow import REVIEWERS, SERVICE_CODE, build_workflow

        cases_registry.register(
            cases_registry.ServiceType(
                code=SERVICE_CODE,
                name=_("Permit or licence"),
                prefix="PM",
                workflow=build_workflow(),
                target_time=timedelta(days=10),
                staff_roles=REVIEWERS,
                supervisor_role="city_admin",
                staff_url_name="permits:staff-application",
                on_invoice_paid=services.on_invoice_paid,
            )
        )
        registry.add_periodic("permits.expiry", every=timedelta(hours=24), task=tasks.expiry_job)
        registry.add_periodic(
            "permits.slots", every=timedelta(hours=24), task=tasks.inspection_slots_job
        )
        register_kind("permit", _("Permit"))
        registry.add_demo_seeder(seed, order=40)
