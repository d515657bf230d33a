"""Every write an applicant makes: start a draft, fill it in page by page,
upload documents, submit (the check first, then the invoice), pay, change
their mind. One transaction each; the timeline is written in it.

Editing is allowed only while the application is a draft. After it is sent,
the only change an applicant can make is a new version of a document the
city asked to correct (review.py: `upload_correction`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cityhall.cases.models import Case, EventKind
from cityhall.cases.services import add_event, attach_file, open_case, transition_case
from cityhall.cases.uploads import UploadRejected, clean_upload
from cityhall.cases.workflow import APPLICANT, SYSTEM
from cityhall.core.places import check_address
from cityhall.core.ratelimit import allow
from cityhall.payments.models import InvoiceStatus
from cityhall.payments.services import create_invoice, start_checkout, void_invoice

from . import check as checks
from .errors import HasProblems, NotEditable, PermitError, TooManyDrafts
from .models import (
    Contact,
    ContactRole,
    PermitApplication,
    PermitType,
    SubmittedDocument,
)
from .questions import clean_answer
from .validation import clean_phone
from .workflow import DRAFT, PAYMENT_DUE, SERVICE_CODE, is_editable


def _locked(application: PermitApplication) -> PermitApplication:
    """The application with its case row locked, so two tabs cannot both submit."""
    case = Case.objects.select_for_update().get(pk=application.case_id)
    application.case.status = case.status
    return application


def _editable(application: PermitApplication) -> PermitApplication:
    _locked(application)
    if not is_editable(application.case.status):
        raise NotEditable()
    return application


def _touch(application: PermitApplication, *fields: str) -> None:
    application.updated_at = timezone.now()
    application.save(update_fields=[*fields, "updated_at"])


# Drafts one person may start in an hour, from the pages and the API alike.
DRAFTS_PER_HOUR = 20


@transaction.atomic
def start_application(*, user, permit_type: PermitType, language: str = "en") -> PermitApplication:
    if not permit_type.active:
        raise PermitError(_("The city no longer takes this permit online."), field="permit_type")
    if not allow(f"permit-drafts:{user.pk}", limit=DRAFTS_PER_HOUR, window_seconds=3600):
        raise TooManyDrafts()
    case = open_case(
        service=SERVICE_CODE,
        applicant=user,
        contact_name=user.full_name or user.email,
        contact_email=user.email,
        language=language,
    )
    return PermitApplication.objects.create(case=case, permit_type=permit_type)


@transaction.atomic
def save_details(*, application: PermitApplication, description: str, answers: dict) -> None:
    """The description and the type's questions. Each answer is checked on its
    own (ValidationError with a message per key); blank ones are kept blank."""
    _editable(application)
    errors, clean = {}, {}
    description = (description or "").strip()
    if len(description) > 2000:
        errors["description"] = _("Keep the description to 2,000 characters.")
    for question in application.permit_type.question_list():
        try:
            clean[question.key] = clean_answer(question, answers.get(question.key))
        except ValidationError as error:
            errors[question.key] = error.messages
    if errors:
        raise ValidationError(errors)
    application.description = description
    application.answers = {k: v for k, v in clean.items() if v is not None}
    _touch(application, "description", "answers")


@transaction.atomic
def save_address(
    *, application: PermitApplication, street: str, unit: str = "", zip_code: str, city: str = ""
) -> None:
    """Only an address inside the city is kept (core.places.check_address)."""
    _editable(application)
    address = check_address(street=street, unit=unit, zip_code=zip_code, city=city)
    application.street, application.unit = address.street, address.unit
    application.zip_code, application.city, application.state = (
        address.zip_code,
        address.city,
        address.state,
    )
    _touch(application, "street", "unit", "zip_code", "city", "state")


@dataclass(frozen=True)
class ContactInput:
    name: str
    email: str = ""
    phone: str = ""
    company: str = ""
    licence_number: str = ""


def _clean_contact(prefix: str, contact: ContactInput, *, licence: bool) -> tuple[dict, dict]:
    errors, data = {}, {}
    name = " ".join((contact.name or "").split())
    if not name:
        errors[f"{prefix}_name"] = _("Enter the name.")
    elif len(name) > 200:
        errors[f"{prefix}_name"] = _("Keep the name to 200 characters.")
    try:
        data["phone"] = clean_phone(contact.phone)
    except ValidationError as error:
        errors[f"{prefix}_phone"] = error.messages
    email = (contact.email or "").strip().lower()
    if email:
        from django.core.validators import validate_email

        try:
            validate_email(email)
        except ValidationError:
            errors[f"{prefix}_email"] = _("Enter an email address like name@example.org.")
    number = "".join((contact.licence_number or "").split()).upper()
    if licence and not number:
        errors[f"{prefix}_licence_number"] = _("Enter the contractor's licence number.")
    elif len(number) > 40:
        errors[f"{prefix}_licence_number"] = _("Keep the licence number to 40 characters.")
    data.update(
        name=name,
        email=email,
        company=" ".join((contact.company or "").split())[:200],
        licence_number=number,
    )
    return data, errors


@transaction.atomic
def save_contacts(
    *,
    application: PermitApplication,
    applicant_role: str,
    owner: ContactInput | None,
    contractor: ContactInput | None,
) -> None:
    """Who applies, the owner and the contractor (with a licence number)."""
    _editable(application)
    errors, rows = {}, {}
    if applicant_role not in application.permit_type.applicant_roles:
        errors["applicant_role"] = _("Choose one of the options.")
    for role, given in ((ContactRole.OWNER, owner), (ContactRole.CONTRACTOR, contractor)):
        if given is None:
            continue
        data, problems = _clean_contact(role, given, licence=role == ContactRole.CONTRACTOR)
        errors.update(problems)
        rows[role] = data
    if errors:
        raise ValidationError(errors)
    application.applicant_role = applicant_role
    _touch(application, "applicant_role")
    application.contacts.exclude(role__in=list(rows)).delete()
    for role, data in rows.items():
        Contact.objects.update_or_create(application=application, role=role, defaults=data)


def _next_version(application, requirement) -> int:
    latest = (
        SubmittedDocument.objects.filter(application=application, requirement=requirement)
        .order_by("-version")
        .values_list("version", flat=True)
        .first()
    )
    return (latest or 0) + 1


def store_document(
    *, application, requirement, upload, actor, correction=None
) -> SubmittedDocument:
    """Checks the file against the requirement's types and size (clean_upload)
    and keeps it as the next version. The caller holds the transaction."""
    try:
        clean = clean_upload(
            upload, allowed=requirement.content_types, max_bytes=requirement.max_bytes
        )
        attachment = attach_file(
            case=application.case,
            clean=clean,
            purpose=f"permit:{requirement.code}",
            uploaded_by=actor,
        )
    except UploadRejected as error:
        raise PermitError(str(error), field=f"documents.{requirement.code}") from error
    return SubmittedDocument.objects.create(
        application=application,
        requirement=requirement,
        version=_next_version(application, requirement),
        attachment=attachment,
        uploaded_by=actor,
        correction=correction,
    )


def requirement_of(application: PermitApplication, code: str):
    requirement = application.permit_type.document_requirements.filter(code=code).first()
    if requirement is None:
        raise PermitError(_("This permit does not ask for that document."), field="documents")
    return requirement


@transaction.atomic
def upload_document(
    *, application: PermitApplication, requirement_code: str, upload, actor
) -> SubmittedDocument:
    _editable(application)
    return store_document(
        application=application,
        requirement=requirement_of(application, requirement_code),
        upload=upload,
        actor=actor,
    )


@transaction.atomic
def submit_application(*, application: PermitApplication, actor) -> PermitApplication:
    """Runs the pre-submission check; with no problems, locks the application
    and issues its invoice (→ waiting for payment), or sends it for review when
    there is nothing to pay. With problems, nothing changes (HasProblems)."""
    _locked(application)
    if application.case.status != DRAFT:
        raise PermitError(
            _("This application was already submitted. Its status page shows where it is."),
            field="status",
        )
    result = checks.check_application(application, language=application.case.language)
    if not result.ok:
        raise HasProblems(result.problems)
    application.fee_cents = result.fee_cents or 0
    application.save(update_fields=["fee_cents"])
    if result.fee_cents:
        invoice = create_invoice(
            case=application.case,
            schedule=application.permit_type.fee_schedule,
            items=checks.fee_items(application),
            actor=None,
            notify_payer=False,  # the applicant is on the page, with the Pay button
        )
        application.invoice = invoice
        application.save(update_fields=["invoice"])
        transition_case(
            case=application.case, transition="submit", actor=actor, acting_as=APPLICANT
        )
    else:
        transition_case(
            case=application.case, transition="submit_free", actor=actor, acting_as=APPLICANT
        )
        _after_submission(application)
    return application


def start_payment(*, application: PermitApplication, language: str = "en"):
    """The hosted checkout for the application's invoice. The check runs again
    first: an application with a problem can never be paid for."""
    with transaction.atomic():
        _locked(application)
        if application.case.status != PAYMENT_DUE or application.invoice is None:
            raise PermitError(
                _("There is nothing to pay for this application now."), field="status"
            )
        result = checks.check_application(application, language=language)
        if not result.ok:
            raise HasProblems(result.problems)
    return start_checkout(invoice=application.invoice, language=language)


@transaction.atomic
def reopen_application(*, application: PermitApplication, actor) -> None:
    """Back to a draft before paying: the unpaid invoice is cancelled, and the
    fee is quoted again when the changed application is submitted."""
    _locked(application)
    invoice = application.invoice
    if invoice is not None and invoice.status == InvoiceStatus.OPEN:
        void_invoice(invoice=invoice, reason="Application changed before payment", system=True)
    transition_case(case=application.case, transition="reopen", actor=actor, acting_as=APPLICANT)
    application.invoice, application.fee_cents = None, None
    application.save(update_fields=["invoice", "fee_cents"])


@transaction.atomic
def withdraw_application(*, application: PermitApplication, actor, reason: str = "") -> None:
    _locked(application)
    invoice = application.invoice
    if invoice is not None and invoice.status == InvoiceStatus.OPEN:
        void_invoice(invoice=invoice, reason="Application withdrawn", system=True)
    transition_case(
        case=application.case,
        transition="withdraw",
        actor=actor,
        acting_as=APPLICANT,
        reason=reason,
    )


def _after_submission(application: PermitApplication) -> None:
    """Review steps start, and the resident sees the type's own expected date."""
    from .review import start_review

    case = application.case
    expected = case.submitted_at + timedelta(days=application.permit_type.review_days)
    Case.objects.filter(pk=case.pk).update(expected_decision_at=expected)
    case.expected_decision_at = expected
    start_review(application)


def payment_problem(invoice) -> str | None:
    """cases.registry.ServiceType.payment_problem: payments asks before any
    checkout, from any page (the status page's pay link too), so an
    application that stopped passing its check (the city changed the type's
    rules since) cannot be paid for."""
    application = (
        PermitApplication.objects.select_related("case", "permit_type")
        .filter(case_id=invoice.case_id, invoice_id=invoice.pk)
        .first()
    )
    if application is None:
        return None  # a renewal's invoice: the permit was already checked and issued
    result = checks.check_application(application, language=application.case.language)
    if result.ok:
        return None
    return _(
        "This application needs changes before it can be paid: open it and see its check page."
    )


def on_invoice_paid(invoice) -> None:
    """cases.registry.ServiceType.on_invoice_paid: payments calls it in the
    payment's transaction. The application's invoice sends it for review (or
    issues an instant permit); a renewal's invoice extends the permit."""
    from .renewals import complete_renewal
    from .review import issue_permit

    application = (
        PermitApplication.objects.select_related("case", "permit_type")
        .filter(case_id=invoice.case_id)
        .first()
    )
    if application is None:
        return
    if application.invoice_id != invoice.pk:
        complete_renewal(invoice=invoice)
        return
    _locked(application)
    if application.case.status != PAYMENT_DUE:
        add_event(
            case=application.case,
            kind=EventKind.NOTE,
            payload={"note": f"invoice {invoice.number} paid while {application.case.status}"},
        )
        return
    if application.permit_type.instant_issue:
        issue_permit(application=application, transition="issue_on_payment", acting_as=SYSTEM)
        return
    transition_case(case=application.case, transition="paid", acting_as=SYSTEM)
    _after_submission(application)
