"""Reviewers' pages: the queue of review steps for their departments, an
application with its documents and versions, and the decisions on a step
(approve, request corrections, deny) and on conditions."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cityhall.cases.errors import CaseError
from cityhall.cases.selectors import staff_timeline
from cityhall.cases.services import record_personal_data_view
from cityhall.core.guards import role_required
from cityhall.core.roles import PERMIT_REVIEWER

from . import review, selectors
from .forms_staff import ApproveForm, ConditionForm, CorrectionForm, DenyForm
from .models import Department, ReviewStep, StepStatus

reviewers_only = role_required(PERMIT_REVIEWER)


def _application(reference: str):
    application = selectors.application_for(reference)
    if application is None:
        raise Http404
    return application


@reviewers_only
@require_GET
def queue(request):
    department = request.GET.get("department", "")
    steps = selectors.review_queue(request.user, department=department)
    page = Paginator(steps, 50).get_page(request.GET.get("page"))
    mine = selectors.departments_of(request.user)
    departments = Department.objects.filter(pk__in=mine) if mine else Department.objects.all()
    return render(
        request,
        "permits/staff/queue.html",
        {
            "page": page,
            "rows": list(page),
            "department": department,
            "departments": departments,
            "approved_waiting": selectors.approved_waiting_count(),
        },
    )


@reviewers_only
@require_GET
def application_page(request, reference):
    return _render_application(request, reference)


def _render_application(request, reference, *, bound=None, step_id=None, status=200):
    """The page; after a refused decision, `bound` is that form with what the
    reviewer typed and why it was refused, shown on the step it was for."""
    application = _application(reference)
    case = application.case
    record_personal_data_view(case=case, viewer=request.user, what="permit application")
    requirements = list(application.permit_type.document_requirements.all())
    steps = list(application.review_steps.all())
    for step in steps:
        step.mine = step.status == StepStatus.PENDING and review.may_review(
            request.user, step.department_id
        )
        # Each step its own forms: what a reviewer typed comes back on that step only.
        step.approve_form = ApproveForm(prefix="approve")
        step.correction_form = CorrectionForm(prefix="correct", requirements=requirements)
        step.deny_form = DenyForm(prefix="deny")
        if bound is not None and step.pk == step_id:
            setattr(step, _FORM_NAMES[bound.prefix], bound)
    return render(
        request,
        "permits/staff/application.html",
        {
            "application": application,
            "case": case,
            "permit_type": application.permit_type,
            "permit": getattr(application, "permit", None),
            "steps": steps,
            "contacts": selectors.contacts_for_staff(application),
            "answers": selectors.answers_of(application),
            "documents": selectors.documents_by_requirement(application),
            "conditions": list(application.conditions.select_related("met_by")),
            "corrections": list(application.corrections.select_related("requested_by")),
            "timeline": staff_timeline(case),
            "condition_form": bound
            if bound is not None and bound.prefix == "condition"
            else ConditionForm(prefix="condition"),
            "can_add_conditions": case.status in {"in_review", "corrections", "approved"},
        },
        status=status,
    )


_FORM_NAMES = {
    "approve": "approve_form",
    "correct": "correction_form",
    "deny": "deny_form",
    "condition": "condition_form",
}


def _step(reference: str, step_id: int) -> ReviewStep:
    return get_object_or_404(
        ReviewStep.objects.select_related("application__case", "department"),
        pk=step_id,
        application__case__reference=reference,
    )


def _decide(request, reference, form, action, success, *, step_id=None):
    """Runs a decision when the form is valid; otherwise shows the page again
    with the form as typed and why, on the step it was for."""
    if form.is_valid():
        try:
            action(form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error.messages[0])
        except CaseError as error:
            # The application moved on (a colleague decided): the form no longer
            # applies, so say why on the page as it now is.
            messages.error(request, str(error))
            return redirect("permits:staff-application", reference=reference)
        else:
            messages.success(request, success)
            return redirect("permits:staff-application", reference=reference)
    return _render_application(request, reference, bound=form, step_id=step_id, status=400)


@reviewers_only
@require_POST
def approve(request, reference, step_id):
    step = _step(reference, step_id)
    return _decide(
        request,
        reference,
        ApproveForm(request.POST, prefix="approve"),
        lambda data: review.approve_step(step=step, actor=request.user, note=data["note"]),
        _("Approved for %(department)s.") % {"department": step.department.name()},
        step_id=step.pk,
    )


@reviewers_only
@require_POST
def request_corrections(request, reference, step_id):
    step = _step(reference, step_id)
    requirements = step.application.permit_type.document_requirements.all()
    return _decide(
        request,
        reference,
        CorrectionForm(request.POST, prefix="correct", requirements=requirements),
        lambda data: review.request_corrections(
            step=step, actor=request.user, message=data["message"], documents=data["documents"]
        ),
        _("Corrections requested. The applicant is being emailed."),
        step_id=step.pk,
    )


@reviewers_only
@require_POST
def deny(request, reference, step_id):
    step = _step(reference, step_id)
    return _decide(
        request,
        reference,
        DenyForm(request.POST, prefix="deny"),
        lambda data: review.deny_application(step=step, actor=request.user, reason=data["reason"]),
        _("Denied. The applicant is being emailed the reason."),
        step_id=step.pk,
    )


@reviewers_only
@require_POST
def add_condition(request, reference):
    application = _application(reference)
    return _decide(
        request,
        reference,
        ConditionForm(request.POST, prefix="condition"),
        lambda data: review.add_condition(
            application=application,
            actor=request.user,
            text=data["text"],
            before_issue=data["before_issue"],
        ),
        _("Condition added."),
    )


@reviewers_only
@require_POST
def meet_condition(request, reference, condition_id):
    application = _application(reference)
    condition = get_object_or_404(application.conditions, pk=condition_id)
    try:
        review.meet_condition(condition=condition, actor=request.user)
    except CaseError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Condition marked as met."))
    return redirect("permits:staff-application", reference=reference)
