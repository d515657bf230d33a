"""The applicant's own application after it is started: where it is and the
expected date, paying, corrections, the permit PDF, inspections, renewal."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cityhall.cases.errors import CaseError
from cityhall.cases.selectors import public_timeline
from cityhall.core.storage import open_stored

from . import inspections as inspection_services
from . import renewals, review, selectors, services
from .forms import CorrectionAnswerForm, InspectionRequestForm
from .journey import act, document_forms, own_application, sign_in_first
from .models import InspectionSlot, StepStatus
from .tasks import current_permit_document
from .workflow import (
    awaits_corrections,
    awaits_payment,
    can_withdraw,
    is_editable,
    is_issued,
    is_live_permit,
)


def mine(request):
    if not request.user.is_authenticated:
        return sign_in_first(request)
    return render(
        request,
        "permits/mine.html",
        {"applications": list(selectors.applications_of(request.user)[:200])},
    )


def application_page(request, reference):
    application, stop = own_application(request, reference)
    if stop:
        return stop
    case = application.case
    permit = getattr(application, "permit", None)
    steps = list(application.review_steps.all())
    return render(
        request,
        "permits/application.html",
        {
            "application": application,
            "case": case,
            "state": case.state,
            "permit_type": application.permit_type,
            "permit": permit,
            "editable": is_editable(case.status),
            "to_pay": awaits_payment(case.status),
            "corrections": awaits_corrections(case.status),
            "correction": selectors.open_correction(application),
            "can_withdraw": can_withdraw(case.status),
            "steps": steps,
            "steps_done": sum(s.status == StepStatus.APPROVED for s in steps),
            "conditions": list(application.conditions.all()),
            "document": current_permit_document(application) if permit else None,
            "answers": selectors.answers_of(application),
            "documents": selectors.documents_by_requirement(application),
            "inspections": inspection_services.inspections_of(permit)
            if permit and is_issued(case.status)
            else [],
            "live": is_live_permit(case.status),
            "renewal": renewals.renewal_state(permit) if permit else None,
            "open_renewal": renewals.open_renewal(permit) if permit else None,
            "timeline": public_timeline(case),
        },
    )


def permit_pdf(request, reference):
    application, stop = own_application(request, reference)
    if stop:
        return stop
    document = current_permit_document(application)
    if document is None:
        raise Http404
    return FileResponse(
        open_stored(document.file),
        content_type="application/pdf",
        filename=f"permit-{application.permit.number}.pdf",
    )


@require_http_methods(["GET", "POST"])
def corrections(request, reference):
    """New versions of the documents the city asked for, and a note; then send."""
    application, stop = own_application(request, reference)
    if stop:
        return stop
    correction = selectors.open_correction(application)
    if not awaits_corrections(application.case.status) or correction is None:
        return redirect("permits:application", reference=reference)
    rows = [
        row
        for row in selectors.documents_by_requirement(application)
        if row["requirement"].code in correction.documents
    ]
    answer_form = CorrectionAnswerForm(request.POST if request.POST.get("send") else None)

    def store(code, upload):
        review.upload_correction(
            application=application, requirement_code=code, upload=upload, actor=request.user
        )

    forms, done = document_forms(request, rows, store)
    if done:
        return done
    if request.method == "POST" and "upload" not in request.POST and answer_form.is_valid():
        try:
            review.send_corrections(
                application=application,
                actor=request.user,
                answer=answer_form.cleaned_data["answer"],
            )
        except CaseError as error:
            answer_form.add_error(None, str(error))
        else:
            messages.success(request, _("Sent. The reviewer has your corrections."))
            return redirect("permits:application", reference=reference)
    for row in rows:
        row["form"] = forms[row["requirement"].code]
        row["new"] = [v for v in row["versions"] if v.correction_id == correction.pk]
    failed = next((f for f in [*forms.values(), answer_form] if f.errors), None)
    return render(
        request,
        "permits/corrections.html",
        {
            "application": application,
            "case": application.case,
            "correction": correction,
            "rows": rows,
            "answer_form": answer_form,
            "form": failed,
        },
    )


@require_http_methods(["GET", "POST"])
def withdraw(request, reference):
    application, stop = own_application(request, reference)
    if stop:
        return stop
    if request.method == "POST":
        return act(
            request,
            reference,
            lambda: services.withdraw_application(application=application, actor=request.user),
            _("Your application is withdrawn."),
        )
    return render(
        request, "permits/withdraw.html", {"application": application, "case": application.case}
    )


@require_POST
def renew(request, reference):
    application, stop = own_application(request, reference)
    if stop:
        return stop
    permit = getattr(application, "permit", None)
    if permit is None:
        raise Http404
    try:
        renewal = renewals.request_renewal(permit=permit, actor=request.user)
    except CaseError as error:
        messages.error(request, str(error))
        return redirect("permits:application", reference=reference)
    from cityhall.payments.services import start_checkout

    try:
        payment = start_checkout(invoice=renewal.invoice, language=get_language() or "en")
    except CaseError as error:
        messages.error(request, str(error))
        return redirect("permits:application", reference=reference)
    return HttpResponseRedirect(payment.checkout_url)


@require_http_methods(["GET", "POST"])
def book_inspection(request, reference, code):
    application, stop = own_application(request, reference)
    if stop:
        return stop
    permit = getattr(application, "permit", None)
    if permit is None:
        raise Http404
    kind = get_object_or_404(application.permit_type.inspection_types, code=code)
    slots = inspection_services.open_slots()
    form = InspectionRequestForm(request.POST if request.method == "POST" else None, slots=slots)
    if request.method == "POST" and form.is_valid():
        slot = InspectionSlot.objects.get(pk=form.cleaned_data["slot"])
        try:
            inspection_services.request_inspection(
                permit=permit,
                inspection_type=kind,
                slot=slot,
                actor=request.user,
                access_notes=form.cleaned_data["access_notes"],
            )
        except (CaseError, ValidationError) as error:
            form.add_error("slot", str(error))
        else:
            messages.success(request, _("Inspection booked. We have emailed you the details."))
            return redirect("permits:application", reference=reference)
    return render(
        request,
        "permits/book_inspection.html",
        {
            "application": application,
            "case": application.case,
            "kind": kind,
            "form": form,
            "slots": slots,
        },
    )


@require_POST
def cancel_inspection(request, reference, inspection_id):
    application, stop = own_application(request, reference)
    if stop:
        return stop
    permit = getattr(application, "permit", None)
    if permit is None:
        raise Http404
    inspection = get_object_or_404(permit.inspections, pk=inspection_id)
    return act(
        request,
        reference,
        lambda: inspection_services.cancel_inspection(inspection=inspection, actor=request.user),
        _("The inspection is cancelled."),
    )
