"""The pre-submission check: everything missing or inconsistent in an
application, and the fee it would cost, before anybody pays.

`check_application` reads only. The HTML check page, the API's
`POST .../check` and the services that submit and start a payment all call
it, so an application with a problem can be neither submitted nor paid.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from cityhall.cases.models import ScanStatus
from cityhall.core.places import check_address
from cityhall.payments.errors import FeeError
from cityhall.payments.fees import FeeEstimate, FeeItem, estimate_fee
from cityhall.payments.services import quoted_on

from .models import ApplicantRole, ContactRole, ContractorRule, PermitApplication
from .questions import clean_answer


@dataclass(frozen=True)
class Problem:
    step: str  # the page that fixes it: details, address, contacts, documents
    field: str  # the API path: answers.valuation, address.zip_code, documents.site-plan
    message: str

    def as_dict(self) -> dict:
        return {"step": self.step, "field": self.field, "message": self.message}


@dataclass
class CheckResult:
    problems: list[Problem] = field(default_factory=list)
    fee: FeeEstimate | None = None
    fee_cents: int | None = None  # None when the fee cannot be worked out yet

    @property
    def ok(self) -> bool:
        return not self.problems


def fee_items(application: PermitApplication, *, renewal: bool = False) -> list[FeeItem]:
    """The payments fee items of the type, with values taken from the answers."""
    permit_type = application.permit_type
    specs = permit_type.renewal_fee_items if renewal else permit_type.fee_items
    items = []
    for spec in specs:
        value = quantity = None
        if spec.get("value_from"):
            value = application.answers.get(spec["value_from"])
        if spec.get("quantity_from"):
            quantity = application.answers.get(spec["quantity_from"])
        items.append(FeeItem(spec["code"], quantity=quantity, value=value))
    return items


def estimate(application: PermitApplication, *, renewal: bool = False) -> FeeEstimate | None:
    """What the application costs (or its renewal); None when the type charges nothing.
    Raises FeeError when an answer the fee depends on is missing or out of range."""
    permit_type = application.permit_type
    specs = permit_type.renewal_fee_items if renewal else permit_type.fee_items
    items = fee_items(application, renewal=renewal)
    if not permit_type.fee_schedule or not items:
        return None
    for spec, item in zip(specs, items, strict=True):
        needs_answer = spec.get("value_from") or spec.get("quantity_from")
        if needs_answer and item.value is None and item.quantity is None:
            raise FeeError(_("Answer the questions the fee depends on first."), "answers")
    return estimate_fee(
        schedule=permit_type.fee_schedule,
        items=items,
        on=quoted_on(application.case),
    )


def _question_problems(application: PermitApplication) -> list[Problem]:
    problems = []
    if not application.description.strip():
        problems.append(Problem("details", "description", _("Describe the work or the activity.")))
    questions = {q.key: q for q in application.permit_type.question_list()}
    for question in questions.values():
        value = application.answers.get(question.key)
        path = f"answers.{question.key}"
        if value is None or value == "":
            if question.required:
                problems.append(
                    Problem("details", path, _("Answer “%(q)s”.") % {"q": question.label()})
                )
            continue
        try:
            # Stored as cents; the schema's bounds are in dollars.
            clean_answer(question, value / 100 if question.type == "money" else value)
        except ValidationError as error:
            problems.append(
                Problem("details", path, f"{question.label()}: {' '.join(error.messages)}")
            )
            continue
        before = questions.get(question.after)
        other = application.answers.get(question.after) if before else None
        if other not in (None, "") and not value > other:
            problems.append(
                Problem(
                    "details",
                    path,
                    _("“%(q)s” must be after “%(other)s”.")
                    % {"q": question.label(), "other": before.label()},
                )
            )
    return problems


def _address_problems(application: PermitApplication) -> list[Problem]:
    if not application.permit_type.needs_address:
        return []
    if not application.has_address:
        return [Problem("address", "address", _("Give the address in the city."))]
    try:
        check_address(
            street=application.street, unit=application.unit, zip_code=application.zip_code
        )
    except ValidationError as error:
        return [
            Problem("address", f"address.{name}", " ".join(messages))
            for name, messages in error.message_dict.items()
        ]
    return []


def _contact_problems(application: PermitApplication) -> list[Problem]:
    permit_type = application.permit_type
    problems = []
    role = application.applicant_role
    if not role:
        problems.append(Problem("contacts", "applicant_role", _("Say who you are applying as.")))
    elif role not in permit_type.applicant_roles:
        allowed = ", ".join(str(ApplicantRole(r).label) for r in permit_type.applicant_roles)
        problems.append(
            Problem(
                "contacts",
                "applicant_role",
                _("This permit can only be applied for by: %(who)s.") % {"who": allowed},
            )
        )
    contacts = {c.role: c for c in application.contacts.all()}
    owner, contractor = contacts.get(ContactRole.OWNER), contacts.get(ContactRole.CONTRACTOR)
    if role in (ApplicantRole.CONTRACTOR, ApplicantRole.AGENT) and owner is None:
        problems.append(Problem("contacts", "owner", _("Name the owner you are applying for.")))
    needs_contractor = permit_type.contractor == ContractorRule.REQUIRED or (
        role == ApplicantRole.CONTRACTOR and permit_type.contractor != ContractorRule.NONE
    )
    if contractor is None and needs_contractor:
        problems.append(Problem("contacts", "contractor", _("Give the contractor's details.")))
    if contractor is not None and not contractor.licence_number:
        problems.append(
            Problem(
                "contacts", "contractor.licence_number", _("Give the contractor's licence number.")
            )
        )
    if contractor is not None and permit_type.contractor == ContractorRule.NONE:
        problems.append(
            Problem(
                "contacts", "contractor", _("This permit does not take a contractor: remove it.")
            )
        )
    return problems


def _document_problems(application: PermitApplication) -> list[Problem]:
    # A version the virus scan removed is no document: the applicant must send another.
    uploaded = set(
        application.documents.exclude(attachment__scan_status=ScanStatus.INFECTED).values_list(
            "requirement_id", flat=True
        )
    )
    return [
        Problem(
            "documents",
            f"documents.{requirement.code}",
            _("Upload the %(document)s.") % {"document": requirement.name()},
        )
        for requirement in application.permit_type.document_requirements.all()
        if requirement.required and requirement.pk not in uploaded
    ]


def check_application(
    application: PermitApplication, *, language: str | None = None
) -> CheckResult:
    """Every problem (in the page order: details, address, contacts, documents)
    and the fee. Reads only."""
    with translation.override(language or translation.get_language()):
        result = CheckResult()
        if not application.permit_type.active:
            result.problems.append(
                Problem("details", "permit_type", _("The city no longer takes this permit online."))
            )
        result.problems += _question_problems(application)
        result.problems += _address_problems(application)
        result.problems += _contact_problems(application)
        result.problems += _document_problems(application)
        try:
            result.fee = estimate(application)
        except FeeError as error:
            if not any(p.step == "details" for p in result.problems):
                result.problems.append(Problem("details", "answers", str(error)))
        else:
            result.fee_cents = result.fee.total_cents if result.fee else 0
        return result
