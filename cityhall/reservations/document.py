"""The booking confirmation as a document (PDF with the verification QR code,
and its accessible HTML on the verify page). It carries no email or phone:
anyone holding the verification code can read it."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cityhall.core.money import format_cents
from cityhall.documents.pdf import Section, Table

from .selectors import active_times
from .timeutil import fmt_date, fmt_duration, fmt_range, fmt_time

DOCUMENT_KIND = "booking_confirmation"


def confirmation_content(booking) -> dict:
    """Keyword arguments for documents.services.issue_document."""
    case = booking.case
    unit, facility = booking.unit, booking.unit.facility
    with translation.override(case.language):
        times = active_times(booking)
        facts = [
            (_("Booked by"), case.contact_name),
            (_("Space"), f"{unit.name}, {facility.name}"),
            (_("Address"), facility.address),
            (_("People"), str(booking.attendees)),
            (_("Purpose"), booking.purpose),
        ]
        if len(times) == 1:
            facts.insert(2, (_("When"), fmt_range(times[0].start, times[0].end)))
        sections = [Section(heading=_("Booking"), facts=tuple(facts))]
        if len(times) > 1:
            sections.append(
                Section(
                    heading=ngettext("%(count)d date", "%(count)d dates", len(times))
                    % {"count": len(times)},
                    table=Table(
                        columns=(_("Date"), _("From"), _("To"), _("Length")),
                        rows=tuple(
                            (
                                fmt_date(o.start),
                                fmt_time(o.start),
                                fmt_time(o.end),
                                fmt_duration(o.end - o.start),
                            )
                            for o in times
                        ),
                    ),
                )
            )
        sections.append(_price_section(booking))
        terms = [p for p in unit.terms().splitlines() if p.strip()]
        sections.append(
            Section(
                heading=_("Cancellation"),
                paragraphs=(
                    ngettext(
                        "You can cancel or change this booking online until %(hours)d hour "
                        "before it starts.",
                        "You can cancel or change this booking online until %(hours)d hours "
                        "before it starts.",
                        unit.cancel_hours_before,
                    )
                    % {"hours": unit.cancel_hours_before},
                    _(
                        "Cancelled in time, %(percent)d%% of the rental is refunded, and the "
                        "deposit in full."
                    )
                    % {"percent": unit.refund_percent},
                    *_deposit_note(booking),
                ),
            )
        )
        if terms:
            sections.append(Section(heading=_("Rules of use"), paragraphs=tuple(terms)))
        access = [p for p in (unit.accessibility(), facility.accessibility()) if p.strip()]
        if access:
            sections.append(Section(heading=_("Accessibility"), paragraphs=tuple(access)))
        return {
            "title": _("Booking confirmation"),
            "language": case.language,
            "sections": tuple(sections),
        }


def _price_section(booking) -> Section:
    invoice = booking.invoice
    if invoice is None:
        return Section(heading=_("Price"), paragraphs=(_("Free of charge."),))
    language = booking.case.language
    rental = next(
        (
            line.label(language)
            for line in invoice.lines.all()
            if line.code == booking.unit.rate_rule
        ),
        _("Rental"),
    )
    times = active_times(booking)
    rows = [
        (
            fmt_date(o.start),
            f"{rental} ({fmt_duration(o.end - o.start)})",
            format_cents(o.price_cents),
        )
        for o in times
    ]
    if booking.deposit_cents:
        rows.append(("", _("Refundable deposit"), format_cents(booking.deposit_cents)))
    total = sum(o.price_cents for o in times) + booking.deposit_cents
    return Section(
        heading=_("Price"),
        facts=((_("Invoice"), invoice.number),),
        table=Table(
            columns=(_("Date"), _("Item"), _("Amount")),
            rows=tuple(rows),
            total_row=("", _("Total"), format_cents(total)),
        ),
    )


def _deposit_note(booking) -> tuple[str, ...]:
    if not booking.deposit_cents:
        return ()
    return (
        _(
            "The deposit of %(deposit)s is returned a day after the booking, unless the space "
            "is damaged or left dirty."
        )
        % {"deposit": format_cents(booking.deposit_cents)},
    )
