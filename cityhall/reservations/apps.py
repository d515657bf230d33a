from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReservationsConfig(AppConfig):
    name = "cityhall.reservations"
    label = "reservations"
    verbose_name = _("Facility reservations")

    def ready(self):
        from cityhall.cases import registry as cases_registry
        from cityhall.core.registry import CasePanel, CatalogueEntry, StaffQueue, registry
        from cityhall.core.roles import FACILITY_MANAGER
        from cityhall.documents.kinds import register_kind

        from . import selectors, services, tasks
        from .demo import seed
        from .workflow import MANAGERS, SERVICE_CODE, build_workflow

        cases_registry.register(
            cases_registry.ServiceType(
                code=SERVICE_CODE,
                name=_("Facility booking"),
                prefix="BK",
                workflow=build_workflow(),
                target_time=timedelta(days=3),
                staff_roles=MANAGERS,
                supervisor_role=FACILITY_MANAGER,
                staff_url_name="reservations:staff-booking",
                record="booking",
                on_invoice_paid=services.on_invoice_paid,
            )
        )
        registry.add_service(
            CatalogueEntry(
                code=SERVICE_CODE,
                title=_("Reserve a park shelter, room or field"),
                summary=_(
                    "Find a free time at a park shelter, a community room or a sports field, "
                    "book it and pay online, and get the confirmation for your calendar."
                ),
                you_need=(
                    _("An account with the city (you can create one as you book)"),
                    _("The date, the time and how many people will come"),
                    _("A card, for spaces that are not free"),
                ),
                time_needed=_(
                    "About 5 minutes. Most bookings are confirmed at once; some need the "
                    "city's approval within 3 days."
                ),
                start_url_name="reservations:start",
                order=20,
            )
        )
        queues = [
            (
                _("Bookings to approve"),
                _("Requests for spaces that need staff approval, oldest first."),
                "reservations:staff-approvals",
                selectors.approvals_count,
            ),
            (
                _("Today's bookings"),
                _("Who has booked each shelter, room and field today, facility by facility."),
                "reservations:staff-today",
                None,
            ),
            (
                _("Facility utilization"),
                _("Hours booked against hours open, per space, for any period."),
                "reservations:staff-utilization",
                None,
            ),
            (
                _("Block a space"),
                _("Take a space out of use for maintenance or a city event."),
                "reservations:staff-blocks",
                None,
            ),
        ]
        for order, (title, description, url_name, count) in enumerate(queues, start=20):
            registry.add_queue(
                StaffQueue(
                    title=title,
                    description=description,
                    url_name=url_name,
                    roles=MANAGERS,
                    count=count,
                    order=order,
                )
            )
        registry.add_case_panel(
            CasePanel(
                name="reservations.booking",
                template="reservations/panels/booking.html",
                context=selectors.case_panel,
                order=5,
            )
        )
        registry.add_periodic(
            "reservations.release_holds", every=timedelta(minutes=1), task=tasks.release_holds
        )
        registry.add_periodic(
            "reservations.complete", every=timedelta(hours=1), task=tasks.complete_bookings
        )
        register_kind("booking_confirmation", _("Booking confirmation"))
        registry.add_demo_seeder(seed, order=30)
