"""The approved report as a document: the same content for the PDF and its accessible HTML view."""

from __future__ import annotations

from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from cityhall.core.money import format_cents
from cityhall.documents.pdf import Section, Signature, Table

from .nibrs import PROPERTY_DESCRIPTIONS, plain_label


def _when(value) -> str:
    return date_format(timezone.localtime(value), "DATETIME_FORMAT") if value else ""


def approved_report_content(report) -> dict:
    """Keyword arguments for documents.services.issue_document.

    No email or phone: anyone holding the verification code can read the
    document online, so it carries only what an insurer or bank needs."""
    case = report.case
    with translation.override(case.language):
        items = list(report.items.all())
        rows = [
            (
                str(index),
                f"{item.category} {plain_label(item.category)}",
                item.description,
                " ".join(part for part in (item.brand, item.model) if part),
                item.serial_number,
                str(item.quantity),
                format_cents(item.total_cents),
            )
            for index, item in enumerate(items, start=1)
        ]
        kind = _("Stolen property") if report.kind == "stolen" else _("Lost property")
        period = _when(report.occurred_from)
        if report.occurred_to:
            period = _("between %(start)s and %(end)s") % {
                "start": period,
                "end": _when(report.occurred_to),
            }
        officer = case.decided_by
        return {
            "title": _("Police report: %(kind)s") % {"kind": kind},
            "reference": report.report_number or case.reference,
            "language": case.language,
            "sections": (
                Section(
                    heading=_("Report"),
                    facts=(
                        (_("Tracking number"), case.reference),
                        (_("Filed"), _when(case.submitted_at)),
                        (_("Approved"), _when(case.decided_at)),
                    ),
                ),
                Section(
                    heading=_("Person reporting"),
                    facts=(
                        (_("Name"), report.full_name),
                        (_("Address"), report.address),
                    ),
                ),
                Section(
                    heading=_("What happened"),
                    facts=((_("When"), period), (_("Where"), report.location)),
                    paragraphs=tuple(p for p in report.narrative.splitlines() if p.strip()),
                ),
                Section(
                    heading=_("Property"),
                    table=Table(
                        columns=(
                            "#",
                            _("Category"),
                            _("Description"),
                            _("Brand and model"),
                            _("Serial number"),
                            _("Qty"),
                            _("Value"),
                        ),
                        rows=tuple(rows),
                        total_row=(
                            "",
                            "",
                            "",
                            "",
                            "",
                            _("Total"),
                            format_cents(report.total_value_cents),
                        ),
                    ),
                ),
            ),
            "signature": Signature(
                name=officer.get_full_name() if officer else "",
                role=_("Approving officer"),
                date_text=_when(case.decided_at),
            ),
        }


def nibrs_name(code: str) -> str:
    return PROPERTY_DESCRIPTIONS.get(code, code)
