"""Staff: a formbuilder case with the answers as the resident saw the questions,
and the decisions the service's workflow allows."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cityhall.cases import registry
from cityhall.cases import selectors as case_selectors
from cityhall.cases.errors import CaseError
from cityhall.cases.services import record_personal_data_view
from cityhall.cases.views_staff import case_for_staff
from cityhall.core.guards import staff_required

from . import services
from .forms import DecisionForm
from .models import Submission
from .selectors import answer_rows, definition_of_version


@staff_required
@require_GET
def case(request, reference):
    found = case_for_staff(request.user, reference)
    submission = Submission.objects.select_related("version", "invoice").get(case=found)
    record_personal_data_view(case=found, viewer=request.user, what="formbuilder case page")
    definition = definition_of_version(submission.version)
    workflow = registry.get(found.service).workflow
    return render(
        request,
        "formbuilder/staff/case.html",
        {
            "case": found,
            "submission": submission,
            "definition": definition,
            "state": workflow.state(found.status),
            "rows": answer_rows(definition, submission.answers, "en"),
            "actions": workflow.available(found.status, request.user.role_codes),
            "form": DecisionForm(),
            "timeline": case_selectors.staff_timeline(found),
            "documents": list(found.documents.all()),
        },
    )


@staff_required
@require_POST
def decide(request, reference):
    found = case_for_staff(request.user, reference)
    submission = Submission.objects.get(case=found)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The reason is too long."))
        return redirect("formbuilder:staff-case", reference)
    try:
        services.decide(
            submission=submission,
            transition=request.POST.get("transition", ""),
            actor=request.user,
            reason=form.cleaned_data["reason"],
        )
    except CaseError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Done: %(reference)s is now “%(status)s”.")
            % {"reference": found.reference, "status": submission.case.state.label},
        )
    return redirect("formbuilder:staff-case", reference)
