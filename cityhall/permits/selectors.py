"""Reads shaped for pages and emails: the applicant's list and status page,
the reviewers' queue per department, the inspectors' day list and what they
need of an application on site."""

from __future__ import annotations

from datetime import date

from django.db.models import Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import translation

from cityhall.cases.models import Case

from .models import (
    CorrectionRequest,
    Inspection,
    InspectionPhoto,
    InspectionStatus,
    PermitApplication,
    ReviewStep,
    StepStatus,
    SubmittedDocument,
)
from .questions import display_answer
from .validation import show_phone
from .workflow import IN_REVIEW, SERVICE_CODE


def with_everything(queryset: QuerySet[PermitApplication]) -> QuerySet[PermitApplication]:
    return queryset.select_related(
        "case", "case__decided_by", "permit_type", "permit", "invoice"
    ).prefetch_related(
        "contacts",
        "conditions",
        Prefetch(
            "review_steps", queryset=ReviewStep.objects.select_related("department", "decided_by")
        ),
        Prefetch(
            "documents",
            queryset=SubmittedDocument.objects.select_related("requirement", "attachment"),
        ),
        "permit_type__document_requirements",
    )


def application_for(reference: str, *, user=None) -> PermitApplication | None:
    """The application with this reference; with `user`, only if it is theirs."""
    applications = with_everything(PermitApplication.objects.filter(case__reference=reference))
    if user is not None:
        applications = applications.filter(case__applicant=user)
    return applications.first()


def applications_of(user) -> QuerySet[PermitApplication]:
    return (
        PermitApplication.objects.filter(case__applicant=user)
        .select_related("case", "permit_type", "permit")
        .order_by("-case__created_at")
    )


def answers_of(
    application: PermitApplication, language: str | None = None
) -> list[tuple[str, str]]:
    return [
        (q.label(language), display_answer(q, application.answers.get(q.key), language))
        for q in application.permit_type.question_list()
    ]


def documents_by_requirement(application: PermitApplication) -> list[dict]:
    """Each required document with its versions, newest first."""
    versions = list(application.documents.all())
    return [
        {
            "requirement": requirement,
            "versions": sorted(
                (v for v in versions if v.requirement_id == requirement.pk),
                key=lambda v: -v.version,
            ),
        }
        for requirement in application.permit_type.document_requirements.all()
    ]


def contacts_for_staff(application: PermitApplication) -> list:
    """The owner and contractor, each with the phone as staff read it (`phone_shown`)."""
    contacts = list(application.contacts.all())
    for contact in contacts:
        contact.phone_shown = show_phone(contact.phone)
    return contacts


def open_correction(application: PermitApplication) -> CorrectionRequest | None:
    return (
        application.corrections.filter(answered_at__isnull=True).order_by("-requested_at").first()
    )


def email_context(application: PermitApplication) -> dict:
    case = application.case
    with translation.override(case.language):
        path = reverse("permits:application", kwargs={"reference": case.reference})
    permit = getattr(application, "permit", None)
    correction = open_correction(application)
    names = []
    if correction is not None:
        names = [
            r.name(case.language)
            for r in application.permit_type.document_requirements.filter(
                code__in=correction.documents
            )
        ]
    return {
        "application": application,
        "permit_name": application.permit_type.name(case.language),
        "application_path": path,
        "permit": permit,
        "correction": correction,
        "correction_documents": names,
        "holds": list(application.conditions.filter(before_issue=True, met_at__isnull=True)),
        "address": application.address_line(),
    }


# ---- staff -------------------------------------------------------------------


def departments_of(user) -> set[int]:
    return set(user.permit_departments.values_list("pk", flat=True))


def review_queue(user, *, department: str = "") -> QuerySet[ReviewStep]:
    """Steps waiting for a decision on applications in review, oldest first;
    only the person's departments when they belong to any."""
    steps = ReviewStep.objects.filter(
        status=StepStatus.PENDING, application__case__status=IN_REVIEW
    ).select_related("department", "application__case", "application__permit_type")
    mine = departments_of(user)
    if mine:
        steps = steps.filter(department_id__in=mine)
    if department:
        steps = steps.filter(department__code=department)
    return steps.order_by("application__case__submitted_at", "id")


def review_queue_count() -> int:
    return ReviewStep.objects.filter(
        status=StepStatus.PENDING, application__case__status=IN_REVIEW
    ).count()


def approved_waiting_count() -> int:
    from .workflow import APPROVED

    return Case.objects.filter(service=SERVICE_CODE, status=APPROVED).count()


def inspections_on(day: date, *, inspector=None) -> QuerySet[Inspection]:
    inspections = Inspection.objects.filter(slot__day=day).exclude(
        status=InspectionStatus.CANCELLED
    )
    if inspector is not None:
        # Not `inspector__in=[inspector, None]`: Django drops the None (SQL's IN
        # never matches NULL), which left the unassigned ones out.
        inspections = inspections.filter(Q(inspector=inspector) | Q(inspector__isnull=True))
    return inspections.select_related(
        "slot", "inspection_type", "permit__application__case", "permit__application__permit_type"
    ).order_by("slot__period", "permit__application__zip_code", "permit__application__street")


def application_of(inspection: Inspection) -> PermitApplication:
    return with_everything(
        PermitApplication.objects.filter(pk=inspection.permit.application_id)
    ).get()


def on_site(application: PermitApplication) -> dict:
    """What an inspector needs of the application on site: the answers, whom to
    call, the conditions printed on the permit, and the plans as approved (each
    document's newest version). Not the review: that is the reviewers' page."""
    return {
        "answers": answers_of(application),
        "contacts": contacts_for_staff(application),
        "conditions": list(application.conditions.all()),
        "documents": [
            {"requirement": row["requirement"], "latest": row["versions"][0]}
            for row in documents_by_requirement(application)
            if row["versions"]
        ],
    }


def inspection_attachment(inspection: Inspection, attachment_id: int):
    """One of the files an inspector may open from this inspection's page: a
    document of the permit's application or a photo from one of its inspections."""
    permit = inspection.permit
    ours = (
        SubmittedDocument.objects.filter(
            application_id=permit.application_id, attachment_id=attachment_id
        ).exists()
        or InspectionPhoto.objects.filter(
            inspection__permit=permit, attachment_id=attachment_id
        ).exists()
    )
    if not ours:
        return None
    return permit.application.case.attachments.filter(pk=attachment_id).first()
