"""Inspectors' pages: the day's inspections (any day; "mine" or everyone's),
and one inspection's result against its checklist, with notes and photos.

Permit inspectors and permit reviewers (the same people in a small city) may
use them; an inspector sees what the site visit needs of the application and
opens its plans and photos here, but reviews nothing (views_staff.py)."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from cityhall.cases.downloads import attachment_response
from cityhall.cases.errors import CaseError
from cityhall.cases.services import record_personal_data_view
from cityhall.core.guards import role_required

from . import inspections, selectors
from .forms_staff import InspectionResultForm
from .models import Inspection, InspectionStatus
from .workflow import INSPECTORS, REVIEWERS

inspectors_only = role_required(*INSPECTORS)


def _day(raw: str | None) -> date:
    """The day asked for; today for anything unreadable or at the calendar's ends
    (the page links to the day before and after)."""
    try:
        day = date.fromisoformat(raw or "")
    except ValueError:
        return timezone.localdate()
    return day if date.min < day < date.max else timezone.localdate()


@inspectors_only
@require_GET
def day_list(request):
    day = _day(request.GET.get("date"))
    mine = request.GET.get("mine") == "1"
    return render(
        request,
        "permits/staff/inspections.html",
        {
            "day": day,
            "previous": day - timedelta(days=1),
            "next": day + timedelta(days=1),
            "mine": mine,
            "inspections": list(
                selectors.inspections_on(day, inspector=request.user if mine else None)
            ),
        },
    )


@inspectors_only
@require_http_methods(["GET", "POST"])
def inspection_page(request, inspection_id):
    inspection = get_object_or_404(
        Inspection.objects.select_related(
            "slot", "inspection_type", "inspector", "permit__application__case"
        ),
        pk=inspection_id,
    )
    application = selectors.application_of(inspection)
    record_personal_data_view(case=application.case, viewer=request.user, what="inspection")
    items = inspection.inspection_type.items()
    form = InspectionResultForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        items=items,
    )
    if request.method == "POST" and form.is_valid():
        try:
            inspections.record_result(
                inspection=inspection,
                actor=request.user,
                results=form.results(),
                notes=form.cleaned_data["notes"],
                photos=request.FILES.getlist("photos"),
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        except CaseError as error:
            field = getattr(error, "field", None)
            form.add_error(field if field in form.fields else None, str(error))
        else:
            messages.success(request, _("Result recorded. The permit holder is being emailed."))
            return redirect(
                reverse("permits:inspections") + f"?date={inspection.slot.day.isoformat()}"
            )
    results = [(label, inspection.checklist_results.get(code)) for code, label in items]
    return render(
        request,
        "permits/staff/inspection.html",
        {
            "inspection": inspection,
            "application": application,
            "case": application.case,
            # Only reviewers open the review page; inspectors get its facts here.
            "can_review": request.user.is_superuser or request.user.has_role(*REVIEWERS),
            **selectors.on_site(application),
            "form": form,
            "open": inspection.status == InspectionStatus.SCHEDULED,
            "results": results,
            "photos": list(inspection.photos.select_related("attachment")),
            "history": list(
                inspection.permit.inspections.exclude(pk=inspection.pk).select_related(
                    "slot", "inspection_type"
                )
            ),
        },
    )


@inspectors_only
@require_GET
def inspection_file(request, inspection_id, attachment_id):
    """A plan or photo linked from the inspection's page (the reviewers open
    them from theirs): a download, once the virus scan has released it."""
    inspection = get_object_or_404(
        Inspection.objects.select_related("permit__application__case"), pk=inspection_id
    )
    attachment = selectors.inspection_attachment(inspection, attachment_id)
    if attachment is None or not attachment.is_released:
        raise Http404
    case = inspection.permit.application.case
    record_personal_data_view(case=case, viewer=request.user, what=f"attachment {attachment.pk}")
    return attachment_response(attachment)
