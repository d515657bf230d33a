from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "cityhall.payments"
    label = "payments"
    verbose_name = _("Payments")

    def ready(self):
        from cityhall.core.registry import CasePanel, StaffQueue, registry
        from cityhall.core.roles import CITY_ADMIN, FINANCE_CLERK
        from cityhall.documents.kinds import register_kind

        from . import checks, metrics, selectors, tasks  # noqa: F401  (checks registers itself)
        from .demo import seed

        registry.add_metrics(metrics.payment_metrics)
        finance = frozenset({FINANCE_CLERK, CITY_ADMIN})  # administrators may look
        registry.add_queue(
            StaffQueue(
                title=_("Invoices and payments"),
                description=_("Find an invoice or a payment; refund, waive or cancel."),
                url_name="payments:staff-invoices",
                roles=finance,
                order=40,
            )
        )
        registry.add_queue(
            StaffQueue(
                title=_("Flagged payments"),
                description=_(
                    "Payments that arrived for a cancelled or already paid invoice, or with the "
                    "wrong amount: refunded automatically, waiting for a look."
                ),
                url_name="payments:staff-flagged",
                roles=finance,
                count=selectors.unresolved_flag_count,
                order=41,
            )
        )
        registry.add_queue(
            StaffQueue(
                title=_("Daily reconciliation"),
                description=_(
                    "The day's payments, fees and refunds by service and provider, and the CSV."
                ),
                url_name="payments:staff-reconciliation",
                roles=finance,
                order=42,
            )
        )
        # The status page's sections: invoices to pay or receipts, then every issued document.
        registry.add_case_panel(
            CasePanel(
                name="payments.invoices",
                template="payments/panels/invoices.html",
                context=selectors.case_payments_panel,
                order=10,
            )
        )
        registry.add_case_panel(
            CasePanel(
                name="documents.issued",
                template="payments/panels/documents.html",
                context=selectors.case_documents_panel,
                order=20,
            )
        )
        registry.add_periodic(
            "payments.sweep_checkouts",
            every=timedelta(minutes=15),
            task=tasks.sweep_pending_checkouts,
        )
        registry.add_periodic(
            "payments.retry_refunds", every=timedelta(minutes=10), task=tasks.retry_pending_refunds
        )
        registry.add_periodic(
            "payments.purge-payloads", every=timedelta(days=1), task=tasks.purge_provider_payloads
        )
        register_kind("payment_receipt", _("Payment receipt"))
        registry.add_demo_seeder(seed, order=5)
