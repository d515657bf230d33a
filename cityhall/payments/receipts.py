"""The payment receipt as a document: the same content for the PDF and its accessible HTML view."""

from __future__ import annotations

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from cityhall.documents.pdf import Section, Table

from .ledger import format_money
from .providers import get_provider
from .selectors import line_rows, service_name

DOCUMENT_KIND = "payment_receipt"


def receipt_content(payment) -> dict:
    """Keyword arguments for documents.services.issue_document."""
    invoice = payment.invoice
    case = invoice.case
    with translation.override(case.language):
        paid_at = timezone.localtime(payment.completed_at or timezone.now())
        amount = format_money(payment.amount_cents, payment.currency)
        facts = [
            (_("Invoice number"), invoice.number),
            (_("Request"), f"{service_name(invoice.service)} · {case.reference}"),
            (_("Paid by"), case.contact_name or case.contact_email),
            (_("Paid on"), formats.date_format(paid_at, "DATETIME_FORMAT")),
            (_("Amount paid"), amount),
        ]
        if payment.card_last4:
            facts.append((_("Card"), _("ending in %(last4)s") % {"last4": payment.card_last4}))
        facts.append((_("Paid through"), str(get_provider(payment.provider).label)))
        if payment.provider_reference:
            facts.append((_("Payment reference"), payment.provider_reference))
        rows = tuple(
            (label, format_money(cents, payment.currency))
            for label, cents in line_rows(invoice, fee_cents=payment.fee_cents)
        )
        return {
            "title": _("Payment receipt"),
            "reference": invoice.number,
            "language": case.language,
            "sections": (
                Section(
                    heading=_("Payment"),
                    paragraphs=(_("Thank you. Keep this receipt for your records."),),
                    facts=tuple(facts),
                ),
                Section(
                    heading=_("What was paid for"),
                    table=Table(
                        columns=(_("Item"), _("Amount")),
                        rows=rows,
                        total_row=(_("Total paid"), amount),
                    ),
                ),
            ),
        }
