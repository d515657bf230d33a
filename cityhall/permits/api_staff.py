"""/api/v1/permits/ for permit reviewers (staff bearer tokens): the review
queue and the decisions on a step and on conditions. 403 without the role or
for another department's step."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import override

from cityhall.api import ApiDomainError, token_auth, with_errors
from cityhall.cases.errors import CaseError

from . import review, selectors
from .api import domain_error, router
from .models import ReviewStep
from .schemas import ApplicationOut, ConditionIn, CorrectionIn, DenyIn, NoteIn, ReviewQueueOut
from .serializers import application_out
from .workflow import REVIEWERS


def _reviewer(request):
    user = request.auth
    if not (user.is_superuser or user.role_codes & REVIEWERS):
        raise ApiDomainError(403, "forbidden", "This token's user is not a permit reviewer.")
    return user


def _step(reference: str, step_id: int) -> ReviewStep:
    step = (
        ReviewStep.objects.select_related("application__case", "department")
        .filter(pk=step_id, application__case__reference=reference.strip().upper())
        .first()
    )
    if step is None:
        raise ApiDomainError(404, "not_found", "Not found.")
    return step


def _run(action, reference: str) -> dict:
    with override("en"):
        try:
            action()
        except (CaseError, ValidationError) as error:
            raise domain_error(error) from error
    return application_out(selectors.application_for(reference.strip().upper()))


@router.get(
    "/review",
    response=with_errors(list[ReviewQueueOut]),
    auth=token_auth,
    summary="Steps to review",
)
def review_queue(request, department: str = ""):
    user = _reviewer(request)
    return [
        {
            "reference": s.application.case.reference,
            "permit_type": s.application.permit_type.code,
            "department": s.department.code,
            "step_id": s.pk,
            "address": s.application.address_line(),
            "submitted_at": s.application.case.submitted_at.isoformat()
            if s.application.case.submitted_at
            else None,
        }
        for s in selectors.review_queue(user, department=department)[:200]
    ]


@router.post(
    "/applications/{reference}/steps/{step_id}/approve",
    response=with_errors(ApplicationOut),
    auth=token_auth,
    summary="Approve a review step",
)
def approve_step(request, reference: str, step_id: int, payload: NoteIn):
    user = _reviewer(request)
    step = _step(reference, step_id)
    return _run(lambda: review.approve_step(step=step, actor=user, note=payload.note), reference)


@router.post(
    "/applications/{reference}/steps/{step_id}/request-corrections",
    response=with_errors(ApplicationOut),
    auth=token_auth,
    summary="Ask the applicant for corrections (new document versions)",
)
def request_corrections(request, reference: str, step_id: int, payload: CorrectionIn):
    user = _reviewer(request)
    step = _step(reference, step_id)
    return _run(
        lambda: review.request_corrections(
            step=step, actor=user, message=payload.message, documents=payload.documents
        ),
        reference,
    )


@router.post(
    "/applications/{reference}/steps/{step_id}/deny",
    response=with_errors(ApplicationOut),
    auth=token_auth,
    summary="Deny the application, with the reason the applicant reads",
)
def deny(request, reference: str, step_id: int, payload: DenyIn):
    user = _reviewer(request)
    step = _step(reference, step_id)
    return _run(
        lambda: review.deny_application(step=step, actor=user, reason=payload.reason), reference
    )


@router.post(
    "/applications/{reference}/conditions",
    response=with_errors(ApplicationOut),
    auth=token_auth,
    summary="Add a condition (a hold when before_issue)",
)
def add_condition(request, reference: str, payload: ConditionIn):
    user = _reviewer(request)
    application = selectors.application_for(reference.strip().upper())
    if application is None:
        raise ApiDomainError(404, "not_found", "Not found.")
    return _run(
        lambda: review.add_condition(
            application=application,
            actor=user,
            text=payload.text,
            before_issue=payload.before_issue,
        ),
        reference,
    )


@router.post(
    "/applications/{reference}/conditions/{condition_id}/met",
    response=with_errors(ApplicationOut),
    auth=token_auth,
    summary="Mark a condition met (the last hold issues an approved permit)",
)
def meet_condition(request, reference: str, condition_id: int):
    user = _reviewer(request)
    application = selectors.application_for(reference.strip().upper())
    condition = application.conditions.filter(pk=condition_id).first() if application else None
    if condition is None:
        raise ApiDomainError(404, "not_found", "Not found.")
    return _run(lambda: review.meet_condition(condition=condition, actor=user), reference)
