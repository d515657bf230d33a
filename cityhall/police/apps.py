from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PoliceConfig(AppConfig):
    name = "cityhall.police"
    label = "police"
    verbose_name = _("Police reports")

    def ready(self):
        from django.conf import settings

        from cityhall.cases import registry as cases_registry
        from cityhall.core.registry import CatalogueEntry, StaffQueue, registry

        from . import tasks
        from .workflow import REVIEWERS, SERVICE_CODE, SUPERVISORS, build_workflow

        cases_registry.register(
            cases_registry.ServiceType(
                code=SERVICE_CODE,
                name=_("Lost or stolen property report"),
                prefix="LP",
                workflow=build_workflow(info_deadline_days=settings.CITYHALL_POLICE_INFO_DAYS),
                target_time=timedelta(days=1),
                staff_roles=REVIEWERS,
                supervisor_role="police_supervisor",
                staff_url_name="police:staff-report",
                record="police_report",
            )
        )
        registry.add_service(
            CatalogueEntry(
                code=SERVICE_CODE,
                title=_("Report lost or stolen property"),
                summary=_(
                    "Get a police report number for your insurer or bank when something is lost, "
                    "or stolen with no suspect and nobody hurt."
                ),
                you_need=(
                    _("An email address"),
                    _("When and where it happened"),
                    _("A description of each item, and serial numbers if you have them"),
                ),
                time_needed=_("About 10 minutes. An officer reviews it within a day."),
                start_url_name="police:start",
                order=10,
            )
        )
        from .selectors import export_errors_count, review_queue_count

        registry.add_queue(
            StaffQueue(
                title=_("Police reports to review"),
                description=_(
                    "Online lost and stolen property reports waiting for an officer, oldest first."
                ),
                url_name="police:queue",
                roles=REVIEWERS,
                count=review_queue_count,
                order=10,
            )
        )
        registry.add_queue(
            StaffQueue(
                title=_("Serial number search"),
                description=_(
                    "Find reports of a stolen bicycle, phone or other item by its serial number."
                ),
                url_name="police:serial-search",
                roles=REVIEWERS,
                order=11,
            )
        )
        registry.add_queue(
            StaffQueue(
                title=_("Records system export errors"),
                description=_("Approved reports that did not reach the records management system."),
                url_name="police:export-errors",
                roles=SUPERVISORS,
                count=export_errors_count,
                order=12,
            )
        )
        registry.add_queue(
            StaffQueue(
                title=_("File a report for a resident"),
                description=_("At the counter or on the phone: the same report, recorded by you."),
                url_name="police:counter-start",
                roles=REVIEWERS,
                order=13,
            )
        )
        registry.add_periodic(
            "police.purge", every=timedelta(hours=24), task=tasks.purge_expired_reports
        )
        registry.add_periodic(
            "police.sweep", every=timedelta(minutes=10), task=tasks.sweep_approved_reports
        )

        from cityhall.documents.kinds import register_kind

        from . import checks  # noqa: F401  (registers the RMS configuration check)

        register_kind("police_report", _("Police report"))

        from .demo import seed

        registry.add_demo_seeder(seed, order=10)
