"""The permit as a document: permit number, address, work, conditions,
validity and the verification QR code (documents foundation). No email or
phone: anyone with the verification code can read it."""

from __future__ import annotations

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from cityhall.documents.pdf import Section, Signature

from .models import ContactRole, Permit
from .questions import display_answer

DOCUMENT_KIND = "permit"


def _day(value) -> str:
    return formats.date_format(value, "DATE_FORMAT") if value else ""


def permit_content(permit: Permit) -> dict:
    """Keyword arguments for documents.services.issue_document."""
    application = permit.application
    case, permit_type = application.case, application.permit_type
    language = case.language
    with translation.override(language):
        facts = [
            (_("Permit number"), permit.number),
            (_("Permit"), permit_type.name(language)),
            (_("Application"), case.reference),
            (_("Valid from"), _day(permit.valid_from)),
            (_("Valid until"), _day(permit.valid_until)),
        ]
        if application.has_address:
            facts.insert(2, (_("Address"), application.address_line()))
        contacts = {c.role: c for c in application.contacts.all()}
        holder = [(_("Permit holder"), case.contact_name)]
        if ContactRole.OWNER in contacts:
            holder.append((_("Owner"), contacts[ContactRole.OWNER].name))
        contractor = contacts.get(ContactRole.CONTRACTOR)
        if contractor:
            holder.append(
                (
                    _("Contractor"),
                    f"{contractor.name}, {_('licence')} {contractor.licence_number}",
                )
            )
        answers = [
            (
                question.label(language),
                display_answer(question, application.answers.get(question.key), language),
            )
            for question in permit_type.question_list()
            if application.answers.get(question.key) not in (None, "")
        ]
        conditions = [c.text for c in application.conditions.all()]
        sections = [
            Section(heading=_("Permit"), facts=tuple(facts)),
            Section(heading=_("Who"), facts=tuple(holder)),
            Section(
                heading=_("The work or activity"),
                paragraphs=tuple(p for p in application.description.splitlines() if p.strip()),
                facts=tuple(answers),
            ),
            Section(
                heading=_("Conditions"),
                paragraphs=tuple(f"{n}. {text}" for n, text in enumerate(conditions, 1))
                or (_("No special conditions."),),
            ),
        ]
        inspections = [t.name(language) for t in permit_type.inspection_types.all()]
        if inspections:
            sections.append(
                Section(
                    heading=_("Inspections"),
                    paragraphs=(
                        _("Book each inspection online before you cover the work: %(list)s.")
                        % {"list": ", ".join(inspections)},
                    ),
                )
            )
        deciders = sorted(
            {s.decided_by.get_full_name() for s in application.review_steps.all() if s.decided_by}
        )
        return {
            "title": _("Permit: %(name)s") % {"name": permit_type.name(language)},
            "reference": permit.number,
            "language": language,
            "sections": tuple(sections),
            "signature": Signature(
                name=", ".join(deciders) or _("Issued automatically on payment"),
                role=_("For the city"),
                date_text=_day(timezone.localtime(permit.issued_at).date()),
            ),
        }
