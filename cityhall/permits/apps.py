from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PermitsConfig(AppConfig):
    name = "cityhall.permits"
    label = "permits"
    verbose_name = _("Permits and licences")

    def ready(self):
        from cityhall.cases import registry as cases_registry
        from cityhall.core.registry import CatalogueEntry, StaffQueue, registry
        from cityhall.documents.kinds import register_kind

        from . import selectors, services, tasks
        from .demo import seed
        from .workflow import INSPECTORS, REVIEWERS, SERVICE_CODE, build_workflow

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
                record="permit_application",
                on_invoice_paid=services.on_invoice_paid,
                payment_problem=services.payment_problem,
            )
        )
        registry.add_service(
            CatalogueEntry(
                code=SERVICE_CODE,
                title=_("Apply for a permit or licence"),
                summary=_(
                    "Fences, block parties, small construction jobs and food trucks: apply, "
                    "pay and get the permit online, then book inspections."
                ),
                you_need=(
                    _("An account with the city (you can create one as you start)"),
                    _("The address, and the documents the permit asks for (such as a site plan)"),
                    _("A card to pay the fee"),
                ),
                time_needed=_(
                    "About 15 minutes. A fence permit is issued as soon as you pay; others are "
                    "reviewed in about 10 to 15 days."
                ),
                start_url_name="permits:start",
                order=30,
            )
        )
        registry.add_queue(
            StaffQueue(
                title=_("Permit applications to review"),
                description=_("Review steps waiting for your department, oldest first."),
                url_name="permits:queue",
                roles=REVIEWERS,
                count=selectors.review_queue_count,
                order=30,
            )
        )
        registry.add_queue(
            StaffQueue(
                title=_("Inspections by day"),
                description=_(
                    "The day's permit inspections, and their results against the checklist."
                ),
                url_name="permits:inspections",
                roles=INSPECTORS,
                order=31,
            )
        )
        registry.add_periodic("permits.expiry", every=timedelta(hours=24), task=tasks.expiry_job)
        registry.add_periodic(
            "permits.slots", every=timedelta(hours=24), task=tasks.inspection_slots_job
        )
        registry.add_periodic("permits.purge", every=timedelta(hours=24), task=tasks.purge_drafts)
        register_kind("permit", _("Permit"))
        registry.add_demo_seeder(seed, order=40)
