"""Staff pages shared by every service: the work queue and a generic case page."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cityhall.core.guards import staff_required

from . import registry, selectors, services
from .downloads import attachment_response
from .errors import CaseError
from .forms import QueueFilterForm, TransitionForm
from .models import Case, ScanStatus


def case_for_staff(user, reference: str) -> Case:
    """The case, if the person's roles cover its service; 404 otherwise (no leak)."""
    case = (
        Case.objects.select_related("assigned_to", "applicant").filter(reference=reference).first()
    )
    if case is None or case.service not in {s.code for s in registry.visible_to(user)}:
        raise Http404
    return case


def has_own_record(case: Case, service=None) -> bool:
    """The service's own row exists for this case (see ServiceType.record)."""
    service = service or registry.get(case.service)
    if not service.record:
        return True
    try:
        getattr(case, service.record)
    except ObjectDoesNotExist:
        return False
    return True


def staff_case_url(case: Case) -> str:
    service = registry.get(case.service)
    if service.staff_url_name and has_own_record(case, service):
        try:
            return reverse(service.staff_url_name, args=[case.reference])
        except NoReverseMatch:
            pass
    return reverse("cases:staff-case", args=[case.reference])


@staff_required
@require_GET
def queue(request):
    services = registry.visible_to(request.user)
    form = QueueFilterForm(request.GET or None, services=services)
    filters = selectors.QueueFilters()
    if form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
        filters = selectors.QueueFilters(**data)
    page = Paginator(selectors.work_queue(request.user, filters), 50).get_page(
        request.GET.get("page")
    )
    names = {s.code: s.name for s in services}
    labels = {(s.code, st.code): st.label for s in services for st in s.workflow.states.values()}
    rows = [
        {
            "case": c,
            "service": names.get(c.service, c.service),
            "status": labels.get((c.service, c.status), c.status),
            "url": staff_case_url(c),
        }
        for c in page
    ]
    counts = [
        {
            **row,
            "service_name": names.get(row["service"]),
            "status_label": labels.get((row["service"], row["status"])),
        }
        for row in selectors.counts_by_state(request.user)
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cases/queue.html",
        {
            "form": form,
            "rows": rows,
            "page": page,
            "counts": counts,
            "query": query.urlencode(),
            "now": timezone.now(),
        },
    )


@staff_required
@require_GET
def case_detail(request, reference):
    case = case_for_staff(request.user, reference)
    service = registry.get(case.service)
    if service.staff_url_name and has_own_record(case, service):
        # The service has its own page, with its own rules (numbers, limits, reasons).
        return redirect(staff_case_url(case))
    services.record_personal_data_view(case=case, viewer=request.user, what="case page")
    workflow = service.workflow
    # An imported case of a service with its own page is only shown: its
    # decisions go through that service's functions (case_transition refuses them).
    actions = (
        [] if service.staff_url_name else workflow.available(case.status, request.user.role_codes)
    )
    return render(
        request,
        "cases/staff_case.html",
        {
            "case": case,
            "state": workflow.state(case.status),
            "timeline": selectors.staff_timeline(case),
            "attachments": list(case.attachments.all()),
            "actions": [(t, TransitionForm(prefix=t.name)) for t in actions],
            "service": service,
            "assignable": selectors.assignable_staff(case.service),
        },
    )


@staff_required
@require_POST
def case_transition(request, reference):
    case = case_for_staff(request.user, reference)
    if registry.get(case.service).staff_url_name:
        # Its decisions go through the service's own functions, never the generic step.
        raise Http404
    name = request.POST.get("transition", "")
    form = TransitionForm(request.POST, prefix=name)
    if not form.is_valid():
        messages.error(request, _("The reason is too long."))
        return redirect(staff_case_url(case))
    try:
        services.transition_case(
            case=case, transition=name, actor=request.user, reason=form.cleaned_data["reason"]
        )
    except CaseError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Done: %(reference)s is now “%(status)s”.")
            % {"reference": case.reference, "status": case.state.label},
        )
    return redirect(staff_case_url(case))


@staff_required
@require_POST
def case_claim(request, reference):
    """'Take it' (only if nobody has it), 'Release it', or 'Assign to' a colleague."""
    case = case_for_staff(request.user, reference)
    try:
        if request.POST.get("release") == "1":
            services.assign_case(case=case, assignee=None, actor=request.user)
            messages.success(request, _("Released."))
        elif "assignee" in request.POST:
            raw = request.POST["assignee"]
            people = selectors.assignable_staff(case.service)
            assignee = people.filter(pk=int(raw)).first() if raw.isdigit() else None
            if assignee is None:
                messages.error(request, _("Choose someone who works on this service."))
                return redirect(staff_case_url(case))
            services.assign_case(case=case, assignee=assignee, actor=request.user)
            messages.success(request, _("Assigned to %(name)s.") % {"name": assignee})
        else:
            services.claim_case(case=case, actor=request.user)
            messages.success(request, _("Assigned to you."))
    except CaseError as error:
        messages.error(request, str(error))
    target = request.POST.get("next", "")
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return redirect(target if target and safe else staff_case_url(case))


@staff_required
@require_GET
def attachment_download(request, reference, attachment_id):
    case = case_for_staff(request.user, reference)
    attachment = case.attachments.filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404
    if not attachment.is_released:
        messages.error(
            request,
            _("%(name)s is waiting for the virus scan: it opens once the scan says it is clean.")
            % {"name": attachment.original_name}
            if attachment.scan_status == ScanStatus.HELD
            else _("%(name)s was removed: the virus scan found a virus in it.")
            % {"name": attachment.original_name},
        )
        return redirect(staff_case_url(case))
    services.record_personal_data_view(
        case=case, viewer=request.user, what=f"attachment {attachment.pk}"
    )
    return attachment_response(attachment)
