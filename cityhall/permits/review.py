"""Department review: steps in stages (parallel inside a stage), corrections,
conditions, approval, denial and issuing the permit.

Who may act on a step: a permit reviewer who is a member of the step's
department, or a reviewer who belongs to no department (a small city where
one person reviews everything). The case moves only when the last step
decides; a denial by any department denies the application.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cityhall.cases.errors import NotAllowed
from cityhall.cases.models import Case, EventKind
from cityhall.cases.references import next_reference
from cityhall.cases.services import add_event, transition_case
from cityhall.cases.workflow import APPLICANT, SYSTEM
from cityhall.core import audit
from cityhall.core.models import AuditAction

from .errors import NotEditable, NotYourDepartment, PermitError
from .models import (
    Condition,
    CorrectionRequest,
    Permit,
    PermitApplication,
    ReviewStep,
    StepStatus,
)
from .selectors import open_correction
from .workflow import APPROVED, CORRECTIONS, IN_REVIEW, REVIEWERS

PERMIT_PREFIX = "PMT"  # permit numbers: PMT-2026-00017-K


def may_review(user, department_id: int) -> bool:
    if user is None or not (user.is_superuser or user.role_codes & REVIEWERS):
        return False
    departments = set(user.permit_departments.values_list("pk", flat=True))
    return not departments or department_id in departments


def _check_reviewer(step: ReviewStep, actor) -> None:
    if actor is None or not (actor.is_superuser or actor.role_codes & REVIEWERS):
        raise NotAllowed()
    if not may_review(actor, step.department_id):
        raise NotYourDepartment()


def _lock(application: PermitApplication) -> Case:
    case = Case.objects.select_for_update().get(pk=application.case_id)
    application.case.status = case.status
    return case


def _open_step(step: ReviewStep, actor) -> ReviewStep:
    _lock(step.application)
    step.refresh_from_db()
    _check_reviewer(step, actor)
    if step.application.case.status != IN_REVIEW or step.status != StepStatus.PENDING:
        raise PermitError(
            _("This step is not waiting for a decision. Reload the page to see where it is.")
        )
    return step


def start_review(application: PermitApplication) -> None:
    """Creates the steps from the type (once) and opens the first stage; a type
    with no steps is approved at once."""
    if not application.review_steps.exists():
        ReviewStep.objects.bulk_create(
            ReviewStep(application=application, department_id=t.department_id, stage=t.stage)
            for t in application.permit_type.review_steps.all()
        )
    _advance(application, actor=None)


def _advance(application: PermitApplication, *, actor) -> None:
    steps = list(application.review_steps.all())
    if any(s.status in (StepStatus.PENDING, StepStatus.CORRECTIONS) for s in steps):
        return
    waiting = [s for s in steps if s.status == StepStatus.WAITING]
    if waiting:
        stage = min(s.stage for s in waiting)
        ReviewStep.objects.filter(
            application=application, status=StepStatus.WAITING, stage=stage
        ).update(status=StepStatus.PENDING, started_at=timezone.now())
        return
    _all_approved(application, actor=actor)


def _all_approved(application: PermitApplication, *, actor) -> None:
    holds = application.conditions.filter(before_issue=True, met_at__isnull=True).exists()
    system = actor is None
    if holds:
        transition_case(
            case=application.case,
            transition="approve",
            actor=actor,
            acting_as=SYSTEM if system else None,
        )
    else:
        issue_permit(application=application, actor=actor, acting_as=SYSTEM if system else None)


@transaction.atomic
def approve_step(*, step: ReviewStep, actor, note: str = "") -> ReviewStep:
    step = _open_step(step, actor)
    step.status, step.decided_by, step.decided_at = StepStatus.APPROVED, actor, timezone.now()
    step.note = (note or "").strip()
    step.save(update_fields=["status", "decided_by", "decided_at", "note"])
    add_event(
        case=step.application.case,
        kind=EventKind.NOTE,
        actor=actor,
        reason=step.note,
        payload={"step": step.department.code, "outcome": "step approved"},
    )
    audit.record(
        AuditAction.CASE_DECIDED,
        actor=actor,
        object_type="case",
        object_id=step.application.case.reference,
        payload={"service": "permit", "step": step.department.code, "to": "step approved"},
    )
    _advance(step.application, actor=actor)
    return step


@transaction.atomic
def request_corrections(
    *, step: ReviewStep, actor, message: str, documents: list[str]
) -> CorrectionRequest:
    """The applicant is emailed (the workflow's hook) and may upload new versions
    of the named documents; nothing else of the application can change."""
    step = _open_step(step, actor)
    message = (message or "").strip()
    if not message:
        raise PermitError(_("Say what needs to be corrected."), field="message")
    known = set(step.application.permit_type.document_requirements.values_list("code", flat=True))
    unknown = set(documents) - known
    if unknown:
        raise PermitError(_("Choose documents this permit asks for."), field="documents")
    correction = CorrectionRequest.objects.create(
        application=step.application,
        step=step,
        message=message,
        documents=sorted(set(documents)),
        requested_by=actor,
    )
    step.status = StepStatus.CORRECTIONS
    step.save(update_fields=["status"])
    transition_case(
        case=step.application.case,
        transition="request_corrections",
        actor=actor,
        reason=message,
        payload={"step": step.department.code, "documents": correction.documents},
    )
    return correction


@transaction.atomic
def upload_correction(*, application: PermitApplication, requirement_code: str, upload, actor):
    """A new version of a document, only while the city asks for corrections."""
    from .services import requirement_of, store_document

    case = _lock(application)
    correction = open_correction(application)
    if case.status != CORRECTIONS or correction is None:
        raise NotEditable()
    if correction.documents and requirement_code not in correction.documents:
        raise NotEditable(_("The reviewer did not ask for a new version of this document."))
    return store_document(
        application=application,
        requirement=requirement_of(application, requirement_code),
        upload=upload,
        actor=actor,
        correction=correction,
    )


@transaction.atomic
def send_corrections(*, application: PermitApplication, actor, answer: str = "") -> None:
    """Back to review: every document named in the request needs a new version."""
    case = _lock(application)
    correction = open_correction(application)
    if case.status != CORRECTIONS or correction is None:
        raise PermitError(_("The city has not asked for corrections."), field="status")
    renewed = set(
        application.documents.filter(correction=correction).values_list(
            "requirement__code", flat=True
        )
    )
    missing = [code for code in correction.documents if code not in renewed]
    if missing:
        names = application.permit_type.document_requirements.filter(code__in=missing)
        raise PermitError(
            _("Upload a new version of: %(names)s.")
            % {"names": ", ".join(r.name() for r in names)},
            field="documents",
        )
    correction.answered_at, correction.answer = timezone.now(), (answer or "").strip()[:2000]
    correction.save(update_fields=["answered_at", "answer"])
    application.review_steps.filter(status=StepStatus.CORRECTIONS).update(status=StepStatus.PENDING)
    transition_case(case=application.case, transition="resubmit", actor=actor, acting_as=APPLICANT)


@transaction.atomic
def deny_application(*, step: ReviewStep, actor, reason: str) -> None:
    step = _open_step(step, actor)
    reason = (reason or "").strip()
    if not reason:
        raise PermitError(
            _("Give the reason for the denial: the applicant reads it."), field="reason"
        )
    step.status, step.decided_by, step.decided_at, step.note = (
        StepStatus.DENIED,
        actor,
        timezone.now(),
        reason,
    )
    step.save(update_fields=["status", "decided_by", "decided_at", "note"])
    transition_case(
        case=step.application.case,
        transition="deny",
        actor=actor,
        reason=reason,
        payload={"step": step.department.code},
    )


@transaction.atomic
def add_condition(
    *, application: PermitApplication, actor, text: str, before_issue: bool, step=None
) -> Condition:
    case = _lock(application)
    if not (actor.is_superuser or actor.role_codes & REVIEWERS):
        raise NotAllowed()
    if case.status not in (IN_REVIEW, CORRECTIONS, APPROVED):
        raise PermitError(_("Conditions can be added only before the permit is issued."))
    text = (text or "").strip()
    if not text:
        raise PermitError(_("Write the condition."), field="text")
    condition = Condition.objects.create(
        application=application,
        step=step,
        text=text[:2000],
        before_issue=before_issue,
        added_by=actor,
    )
    add_event(
        case=case,
        kind=EventKind.NOTE,
        actor=actor,
        reason=condition.text,
        payload={"condition": condition.pk},
        public=True,
    )
    return condition


@transaction.atomic
def meet_condition(*, condition: Condition, actor) -> None:
    """Marks a before-issue condition met; the last one issues an approved permit."""
    application = condition.application
    case = _lock(application)
    if not (actor.is_superuser or actor.role_codes & REVIEWERS):
        raise NotAllowed()
    updated = Condition.objects.filter(pk=condition.pk, met_at__isnull=True).update(
        met_at=timezone.now(), met_by=actor
    )
    if not updated:
        return
    add_event(
        case=case,
        kind=EventKind.NOTE,
        actor=actor,
        payload={"condition": condition.pk, "outcome": "condition met"},
    )
    holds = application.conditions.filter(before_issue=True, met_at__isnull=True).exists()
    if case.status == APPROVED and not holds:
        issue_permit(application=application, actor=actor)


def issue_permit(
    *, application: PermitApplication, actor=None, acting_as=None, transition: str = "issue"
) -> Permit:
    """Writes the permit (number, validity) and moves the case to issued; the
    workflow's hook queues the PDF and its email. Caller holds the transaction."""
    if hasattr(application, "permit"):
        raise PermitError(_("This permit was already issued."))
    today = timezone.localdate()
    permit = Permit.objects.create(
        application=application,
        number=next_reference(PERMIT_PREFIX),
        valid_from=today,
        valid_until=today + timedelta(days=application.permit_type.validity_days),
    )
    transition_case(
        case=application.case,
        transition=transition,
        actor=actor,
        acting_as=acting_as,
        payload={"permit": permit.number},
    )
    return permit
