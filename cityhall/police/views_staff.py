"""Officers' pages: the review queue with flags, a report, decisions, serial search,
export errors, and filing a report for a resident at the counter or on the phone."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cityhall.cases.errors import CaseError
from cityhall.cases.models import Channel
from cityhall.cases.selectors import assignable_staff, staff_timeline
from cityhall.cases.services import record_personal_data_view
from cityhall.core.guards import role_required
from cityhall.core.roles import POLICE_REVIEWER, POLICE_SUPERVISOR
from cityhall.core.storage import open_stored

from . import decisions, selectors, services
from .eligibility import QUESTION_ORDER
from .forms import RecodeForm, ReferForm, RejectForm, RequestInfoForm, SerialSearchForm
from .journey import COUNTER_KEY, DRAFT_KEY, ELIGIBILITY_KEY
from .models import PoliceReport, RmsExport
from .validation import display_phone
from .workflow import SUBMITTED, SUPERVISOR_REVIEW

police_staff = role_required(POLICE_REVIEWER, POLICE_SUPERVISOR)


def _report(reference: str) -> PoliceReport:
    report = (
        PoliceReport.objects.select_related(
            "case", "case__assigned_to", "case__decided_by", "rejection_reason"
        )
        .filter(case__reference=reference)
        .first()
    )
    if report is None:
        raise Http404
    return report


@police_staff
@require_GET
def queue(request):
    status = (
        request.GET.get("status")
        if request.GET.get("status") in {SUBMITTED, SUPERVISOR_REVIEW}
        else None
    )
    mine = request.GET.get("mine") == "1"
    reports = selectors.review_queue(status=status, assigned_to=request.user if mine else None)
    page = Paginator(reports, 50).get_page(request.GET.get("page"))
    rows = list(page)
    flags = selectors.flags_for(rows)
    return render(
        request,
        "police/staff/queue.html",
        {
            "page": page,
            "rows": [(r, flags[r.pk]) for r in rows],
            "status": status or "",
            "mine": mine,
        },
    )


@police_staff
@require_GET
def report_page(request, reference):
    report = _report(reference)
    record_personal_data_view(case=report.case, viewer=request.user, what="police report")
    items = list(report.items.select_related("photo"))
    status = report.case.status
    open_for_decision = status in {SUBMITTED, SUPERVISOR_REVIEW}
    return render(
        request,
        "police/staff/report.html",
        {
            "report": report,
            "case": report.case,
            "items": items,
            "phone": display_phone(report.phone),
            "flags": selectors.flags_for([report])[report.pk],
            "related": selectors.related_reports(report),
            "timeline": staff_timeline(report.case),
            "open_for_decision": open_for_decision,
            "can": {
                t.name
                for t in report.case.service_type.workflow.available(
                    status, request.user.role_codes
                )
            },
            "needs_supervisor": decisions.needs_supervisor(report),
            "is_supervisor": request.user.has_role(POLICE_SUPERVISOR),
            "reject_form": RejectForm(prefix="reject"),
            "info_form": RequestInfoForm(prefix="info"),
            "refer_form": ReferForm(prefix="refer"),
            "recode_form": RecodeForm(items=items, prefix="recode") if open_for_decision else None,
            "export": RmsExport.objects.filter(report=report).first(),
            "state_label": report.case.state.label,
            "assignable": assignable_staff(report.case.service),
        },
    )


def _back(report):
    return redirect("police:staff-report", reference=report.case.reference)


def _decide(request, reference, action):
    report = _report(reference)
    try:
        outcome = action(report)
    except (CaseError, ValidationError) as error:
        messages.error(
            request, error.messages[0] if isinstance(error, ValidationError) else str(error)
        )
        return _back(report)
    if outcome:
        messages.success(request, outcome)
    return _back(report)


@police_staff
@require_POST
def approve(request, reference):
    def act(report):
        number = decisions.approve_report(report=report, officer=request.user)
        return _(
            "Approved. Report number %(number)s. The resident is being emailed the report."
        ) % {"number": number}

    return _decide(request, reference, act)


@police_staff
@require_POST
def reject(request, reference):
    form = RejectForm(request.POST, prefix="reject")

    def act(report):
        if not form.is_valid():
            raise services.ReportError(_("Choose a reason."))
        decisions.reject_report(
            report=report,
            officer=request.user,
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
        )
        return _("Rejected. The resident is being told why.")

    return _decide(request, reference, act)


@police_staff
@require_POST
def request_info(request, reference):
    form = RequestInfoForm(request.POST, prefix="info")

    def act(report):
        if not form.is_valid():
            raise services.ReportError(_("Write what you need from the resident."))
        decisions.request_information(
            report=report, officer=request.user, message=form.cleaned_data["message"]
        )
        return _("Sent. The resident has been asked for more information.")

    return _decide(request, reference, act)


@police_staff
@require_POST
def refer(request, reference):
    form = ReferForm(request.POST, prefix="refer")

    def act(report):
        form.is_valid()
        decisions.refer_to_supervisor(
            report=report, officer=request.user, note=form.cleaned_data.get("note", "")
        )
        return _("Referred to a supervisor.")

    return _decide(request, reference, act)


@police_staff
@require_POST
def recode(request, reference):
    report = _report(reference)
    form = RecodeForm(request.POST, items=list(report.items.all()), prefix="recode")

    def act(report):
        if not form.is_valid():
            raise services.ReportError(_("Choose a category for every item."))
        changed = decisions.recode_items(
            report=report, officer=request.user, categories=form.categories()
        )
        return _("Categories saved (%(count)d changed).") % {"count": changed}

    return _decide(request, reference, act)


@police_staff
@require_GET
def serial_search(request):
    form = SerialSearchForm(request.GET or None)
    results = None
    if form.is_bound and form.is_valid():
        results = list(selectors.search_serial(form.cleaned_data["serial"])[:200])
    return render(request, "police/staff/serial_search.html", {"form": form, "results": results})


@role_required(POLICE_SUPERVISOR)
@require_http_methods(["GET", "POST"])
def export_errors(request):
    if request.method == "POST":
        raw = request.POST.get("export", "")
        number = (
            decisions.retry_rms_export(export_id=int(raw), actor=request.user)
            if raw.isdigit()
            else None
        )
        if number:
            messages.success(request, _("Sending %(number)s again.") % {"number": number})
        return redirect("police:export-errors")
    return render(
        request, "police/staff/export_errors.html", {"exports": list(selectors.export_errors())}
    )


@police_staff
@require_http_methods(["GET", "POST"])
def counter_start(request):
    """A clerk files for a resident: they judge eligibility, then use the same steps."""
    if request.method == "POST":
        channel = request.POST.get("channel")
        if channel not in {Channel.COUNTER, Channel.PHONE}:
            messages.error(request, _("Choose counter or phone."))
            return redirect("police:counter-start")
        request.session[COUNTER_KEY] = channel
        request.session[ELIGIBILITY_KEY] = dict.fromkeys(QUESTION_ORDER, "checked-by-staff")
        request.session.pop(DRAFT_KEY, None)
        return redirect("police:about-you")
    return render(request, "police/staff/counter_start.html")


@police_staff
@require_GET
def document_pdf(request, reference, code):
    """An issued report, for officers: the read is logged like every other."""
    from django.http import FileResponse

    report = _report(reference)
    document = report.case.documents.filter(verification_code=code).first()
    if document is None:
        raise Http404
    record_personal_data_view(case=report.case, viewer=request.user, what=f"document {code}")
    return FileResponse(
        open_stored(document.file),
        content_type="application/pdf",
        filename=f"{document.kind}-{code}.pdf",
    )
