"""Dashboards for analysts and the digital team: across services, per
service, pilots, and council reports. Thin: parse the filters, call a
selector, render."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cityhall.core.guards import role_required
from cityhall.core.roles import ANALYST, CITY_ADMIN, DIGITAL_TEAM

from . import selectors, services
from .forms import PeriodForm
from .models import CouncilReport, ReportStatus

# The digital team measures the services it builds from their first day.
READERS = (ANALYST, CITY_ADMIN, DIGITAL_TEAM)


def _filters(request) -> tuple[PeriodForm, tuple]:
    form = PeriodForm(request.GET or None)
    return form, form.period()


@require_GET
@role_required(*READERS)
def dashboard(request):
    form, (start, end, channel) = _filters(request)
    context = selectors.overview(start, end, channel)
    context.update(
        {
            "form": form,
            "start": start,
            "end": end,
            "channel": channel,
            "reports": selectors.recent_reports(),
        }
    )
    return render(request, "insights/dashboard.html", context)


@require_GET
@role_required(*READERS)
def service(request, code):
    if not selectors.known_service(code):
        raise Http404
    form, (start, end, channel) = _filters(request)
    context = selectors.service_detail(code, start, end, channel)
    context.update({"form": form, "start": start, "end": end, "channel": channel})
    return render(request, "insights/service.html", context)


@require_POST
@role_required(*READERS)
def request_report(request):
    form = PeriodForm(request.POST)
    if not form.is_valid() or not (form.cleaned_data["start"] and form.cleaned_data["end"]):
        # Back to the dashboard on the period as typed: its filter form says
        # what is wrong next to the field, and the dates are kept.
        messages.error(request, _("Choose the first and last day of the report's period."))
        typed = urlencode({k: request.POST.get(k, "") for k in ("start", "end")})
        return redirect(f"{reverse('insights:dashboard')}?{typed}")
    services.request_council_report(
        start=form.cleaned_data["start"],
        end=form.cleaned_data["end"],
        language=get_language() or "en",
        requested_by=request.user,
    )
    messages.success(
        request,
        _("The council report is being prepared. Reload this page in a minute to download it."),
    )
    return redirect("insights:dashboard")


@require_GET
@role_required(*READERS)
def download_report(request, public_id):
    report = CouncilReport.objects.filter(public_id=public_id, status=ReportStatus.READY).first()
    if report is None or not report.storage_name:
        raise Http404
    return FileResponse(
        default_storage.open(report.storage_name, "rb"),
        as_attachment=True,
        filename=f"council-report-{report.period_from}-{report.period_to}.pdf",
        content_type="application/pdf",
    )
