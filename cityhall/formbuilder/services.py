"""Resident and staff writes for published services: start, answer a page, submit
(with the fee: invoice first), paid, decide."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cityhall.cases.errors import CaseError
from cityhall.cases.models import Channel
from cityhall.cases.questions import clean_answer
from cityhall.cases.services import attach_file, open_case, transition_case
from cityhall.cases.workflow import APPLICANT, SYSTEM
from cityhall.payments.errors import FeeError
from cityhall.payments.fees import FeeItem, estimate_fee

from .definition import Definition
from .models import FormVersion, Submission
from .routing import path, relevant_answers
from .selectors import definition_of_version
from .workflow import DRAFT, PAYMENT_DUE, SUBMITTED


class FormError(CaseError):
    def __init__(self, message: str, problems: dict | None = None):
        super().__init__(message)
        self.problems = problems or {}


@transaction.atomic
def start_submission(*, version: FormVersion, language: str = "en", applicant=None) -> Submission:
    case = open_case(
        service=version.service.code, channel=Channel.ONLINE, language=language, applicant=applicant
    )
    return Submission.objects.create(case=case, version=version)


def _editable(submission: Submission) -> Submission:
    locked = Submission.objects.select_for_update().select_related("case").get(pk=submission.pk)
    if locked.case.status != DRAFT:
        raise FormError(_("This request was already sent. Its status page shows where it is."))
    return locked


@transaction.atomic
def save_page(*, submission: Submission, page_key: str, data: dict, files: dict | None = None):
    """Keeps what is valid on the page; returns {question key: message} for what is not
    (the values typed stay in the form). Required answers are checked here too."""
    locked = _editable(submission)
    definition = definition_of_version(locked.version)
    page = definition.page(page_key)
    answers, errors = check_page(
        page,
        data,
        dict(locked.answers),
        keep_file=lambda question, upload: _store_upload(locked, question, upload),
        files=files,
    )
    locked.answers, locked.updated_at = answers, timezone.now()
    locked.save(update_fields=["answers", "updated_at"])
    submission.answers = answers
    return errors


def check_page(page, data: dict, answers: dict, *, keep_file, files=None) -> tuple[dict, dict]:
    """(answers with this page's valid ones, {question key: message}) — the one set of
    rules for a page, used by residents' pages and by the builder's preview.
    `keep_file(question, upload)` gives what a file answer records (or raises
    ValidationError)."""
    errors = {}
    for question in page.questions:
        if question.type == "file":
            upload = (files or {}).get(question.key)
            if upload is not None:
                try:
                    answers[question.key] = keep_file(question, upload)
                except ValidationError as error:
                    errors[question.key] = error.messages[0]
                    continue
        else:
            try:
                answers[question.key] = clean_answer(question, data.get(question.key))
            except ValidationError as error:
                errors[question.key] = error.messages[0]
                continue
        if question.required and answers.get(question.key) in (None, "", []):
            errors[question.key] = (
                _("Tick the box to confirm.")
                if question.type == "declaration"
                else _("Answer this question.")
            )
    return answers, errors


def _store_upload(submission: Submission, question, upload) -> dict:
    from cityhall.cases.uploads import IMAGE_TYPES, PDF_TYPE, UploadRejected, clean_upload

    allowed = (IMAGE_TYPES if "image" in question.file_types else set()) | (
        {PDF_TYPE} if "pdf" in question.file_types else set()
    )
    try:
        clean = clean_upload(upload, allowed=allowed)
        attachment = attach_file(case=submission.case, clean=clean, purpose=question.key)
    except UploadRejected as error:
        raise ValidationError(str(error)) from None
    return {"attachment": attachment.pk, "name": attachment.original_name}


def missing_answers(definition: Definition, answers: dict) -> list[tuple[str, str]]:
    """(page key, question label) for every required question on the path left blank."""
    return [
        (page.key, question.label())
        for page in path(definition, answers)
        for question in page.questions
        if question.required and answers.get(question.key) in (None, "", [])
    ]


def fee_items(definition: Definition, answers: dict) -> list[FeeItem]:
    items = []
    for spec in definition.fee.items if definition.fee else ():
        quantity = answers.get(spec.get("quantity_from")) if spec.get("quantity_from") else None
        value = answers.get(spec.get("value_from")) if spec.get("value_from") else None
        if (spec.get("quantity_from") and not quantity) or (spec.get("value_from") and not value):
            continue  # a quantity of nothing costs nothing
        items.append(FeeItem(code=spec["code"], quantity=quantity, value=value))
    return items


def estimate(definition: Definition, answers: dict):
    if not definition.fee:
        return None
    items = fee_items(definition, answers)
    return estimate_fee(schedule=definition.fee.schedule, items=items) if items else None


def fee_problem(error: FeeError) -> str:
    """What the resident reads when the fee cannot be worked out (a schedule
    withdrawn after publishing, a quantity the rules refuse)."""
    return _(
        "We cannot work out the fee for this request right now (%(problem)s). "
        "Your answers are saved: please try again later or contact the city."
    ) % {"problem": error}


@transaction.atomic
def save_contact(*, submission: Submission, name: str, email: str, phone: str = "") -> None:
    locked = _editable(submission)
    case = locked.case
    case.contact_name, case.contact_email, case.contact_phone = name, email.lower(), phone
    case.save(update_fields=["contact_name", "contact_email", "contact_phone"])


@transaction.atomic
def submit(*, submission: Submission) -> Submission:
    """Checks again; with a fee, the invoice and payment_due, otherwise review
    (or approval at once for automatic services)."""
    from cityhall.payments.services import create_invoice

    locked = _editable(submission)
    definition = definition_of_version(locked.version)
    if missing_answers(definition, locked.answers) or not locked.case.contact_email:
        raise FormError(_("Some answers are missing. Answer them, then send it."))
    locked.answers = relevant_answers(definition, locked.answers)
    try:
        fee = estimate(definition, locked.answers)
    except FeeError as error:
        raise FormError(fee_problem(error)) from error
    locked.fee_cents = fee.total_cents if fee else 0
    locked.save(update_fields=["answers", "fee_cents"])
    if locked.fee_cents:
        locked.invoice = create_invoice(
            case=locked.case,
            schedule=definition.fee.schedule,
            items=fee_items(definition, locked.answers),
            notify_payer=False,
        )
        locked.save(update_fields=["invoice"])
        transition_case(case=locked.case, transition="submit_to_pay", acting_as=APPLICANT)
    else:
        transition_case(case=locked.case, transition="submit", acting_as=APPLICANT)
        _after_submitted(locked, definition)
    return locked


def _after_submitted(submission: Submission, definition: Definition) -> None:
    if definition.review_mode == "auto":
        transition_case(case=submission.case, transition="auto_approve", acting_as=SYSTEM)


def on_invoice_paid(invoice) -> None:
    """The service type's on_invoice_paid, in the payment's transaction."""
    submission = (
        Submission.objects.select_related("case", "version")
        .filter(case_id=invoice.case_id, invoice=invoice)
        .first()
    )
    if submission is None or submission.case.status != PAYMENT_DUE:
        return
    transition_case(case=submission.case, transition="paid", acting_as=SYSTEM)
    _after_submitted(submission, definition_of_version(submission.version))


def start_payment(*, submission: Submission, language: str = "en"):
    from cityhall.payments.services import start_checkout

    if submission.case.status != PAYMENT_DUE or submission.invoice is None:
        raise FormError(_("There is nothing to pay for this request."))
    return start_checkout(invoice=submission.invoice, language=language)


@transaction.atomic
def decide(*, submission: Submission, transition: str, actor, reason: str = "") -> None:
    """approve / recommend / reject by staff, as the service's workflow allows."""
    if transition not in ("approve", "recommend", "reject"):
        raise FormError(_("Choose a decision."))
    transition_case(case=submission.case, transition=transition, actor=actor, reason=reason)


__all__ = ["SUBMITTED", "FormError"]
