"""Finance staff pages under /staff/payments/: invoices, payments, flagged payments,
refunds, waivers, cancellations and the daily reconciliation.

Finance clerks act; city administrators may look, but every action checks
for the finance clerk role, here and again in the service.
"""

from __future__ import annotations

import csv
from datetime import timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cityhall.cases import registry as cases_registry
from cityhall.cases.errors import CaseError
from cityhall.cases.services import record_personal_data_view
from cityhall.core import audit
from cityhall.core.guards import role_required
from cityhall.core.models import AuditAction
from cityhall.core.roles import CITY_ADMIN, FINANCE_CLERK

from . import selectors, services, services_payments, services_refunds
from .forms import ReconciliationForm, RefundForm, ResolveFlagForm, VoidForm, WaiverForm
from .ledger import format_money
from .models import Invoice, InvoiceStatus, Payment, PaymentStatus, RefundStatus
from .providers import PROVIDER_NAMES

# City administrators may look; only finance clerks act.
finance_staff = role_required(FINANCE_CLERK, CITY_ADMIN)
PER_PAGE = 50


def _render(request, template: str, context: dict, status: int = 200):
    from django.conf import settings

    context["sandbox_mode"] = settings.CITYHALL_PAYMENT_PROVIDER == "sandbox"
    return render(request, template, context, status=status)


def _require_clerk(request) -> None:
    if not request.user.has_role(FINANCE_CLERK):
        raise PermissionDenied("Finance clerks only.")


def _invoice(number: str) -> Invoice:
    invoice = Invoice.objects.select_related("case", "schedule").filter(number=number).first()
    if invoice is None:
        raise Http404
    return invoice


def _payment(payment_id: int) -> Payment:
    payment = (
        Payment.objects.select_related("invoice", "invoice__case", "flag_resolved_by")
        .filter(pk=payment_id)
        .first()
    )
    if payment is None:
        raise Http404
    return payment


def _query(**values) -> str:
    return urlencode({k: v for k, v in values.items() if v})


@finance_staff
@require_GET
def invoices(request):
    filters = selectors.InvoiceFilters(
        status=request.GET.get("status", ""),
        service=request.GET.get("service", ""),
        q=request.GET.get("q", "")[:100],
    )
    page = Paginator(selectors.invoices_for_staff(filters), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return _render(
        request,
        "payments/staff/invoices.html",
        {
            "page": page,
            "filters": filters,
            "statuses": InvoiceStatus.choices,
            "services": [(s.code, s.name) for s in cases_registry.all_services()],
            "query": _query(status=filters.status, service=filters.service, q=filters.q),
            "section": "invoices",
        },
    )


@finance_staff
@require_GET
def payments(request):
    filters = selectors.PaymentFilters(
        status=request.GET.get("status", ""),
        provider=request.GET.get("provider", "")
        if request.GET.get("provider") in PROVIDER_NAMES
        else "",
        flagged=request.GET.get("flagged") == "1",
    )
    page = Paginator(selectors.payments_for_staff(filters), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return _render(
        request,
        "payments/staff/payments.html",
        {
            "page": page,
            "filters": filters,
            "statuses": PaymentStatus.choices,
            "providers": PROVIDER_NAMES,
            "query": _query(
                status=filters.status,
                provider=filters.provider,
                flagged="1" if filters.flagged else "",
            ),
            "section": "payments",
        },
    )


@finance_staff
@require_GET
def flagged(request):
    page = Paginator(selectors.flagged_payments(), PER_PAGE).get_page(request.GET.get("page"))
    return _render(request, "payments/staff/flagged.html", {"page": page, "section": "flagged"})


def _invoice_page(request, invoice, *, waiver_form=None, void_form=None, status=200):
    record_personal_data_view(case=invoice.case, viewer=request.user, what="invoice")
    return _render(
        request,
        "payments/staff/invoice.html",
        {
            "invoice": invoice,
            "case": invoice.case,
            "service_name": selectors.service_name(invoice.service),
            "lines": list(invoice.lines.select_related("created_by")),
            "payments": list(invoice.payments.all()),
            "can_act": request.user.has_role(FINANCE_CLERK)
            and invoice.status == InvoiceStatus.OPEN,
            "waiver_form": waiver_form or WaiverForm(prefix="waive"),
            "void_form": void_form or VoidForm(prefix="void"),
            "pay_link": selectors.pay_url(invoice, invoice.case.language),
            "section": "invoices",
        },
        status=status,
    )


@finance_staff
@require_GET
def invoice_detail(request, number):
    return _invoice_page(request, _invoice(number))


@finance_staff
@require_POST
def waive(request, number):
    _require_clerk(request)
    invoice = _invoice(number)
    form = WaiverForm(request.POST, prefix="waive")
    if form.is_valid():
        try:
            services.waive_invoice(
                invoice=invoice,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                amount_cents=form.cleaned_data["amount"],
            )
        except CaseError as error:
            field = getattr(error, "field", None)
            if field not in form.fields:
                messages.error(request, str(error))
                return redirect("payments:staff-invoice", number=invoice.number)
            form.add_error(field, str(error))
        else:
            messages.success(request, _("Waiver recorded."))
            return redirect("payments:staff-invoice", number=invoice.number)
    return _invoice_page(request, _invoice(number), waiver_form=form)


@finance_staff
@require_POST
def void(request, number):
    _require_clerk(request)
    invoice = _invoice(number)
    form = VoidForm(request.POST, prefix="void")
    if form.is_valid():
        try:
            services.void_invoice(
                invoice=invoice, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except CaseError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Invoice cancelled."))
        return redirect("payments:staff-invoice", number=invoice.number)
    return _invoice_page(request, _invoice(number), void_form=form)


def _payment_page(request, payment, *, refund_form=None, resolve_form=None):
    record_personal_data_view(case=payment.invoice.case, viewer=request.user, what="payment")
    return _render(
        request,
        "payments/staff/payment.html",
        {
            "payment": payment,
            "invoice": payment.invoice,
            "case": payment.invoice.case,
            "refunds": list(payment.refunds.select_related("requested_by")),
            "ledger": list(payment.ledger_entries.order_by("occurred_at", "id")),
            "can_refund": request.user.has_role(FINANCE_CLERK) and payment.refundable_cents > 0,
            "is_clerk": request.user.has_role(FINANCE_CLERK),
            "refund_form": refund_form
            or RefundForm(prefix="refund", refundable_cents=payment.refundable_cents),
            "resolve_form": resolve_form or ResolveFlagForm(prefix="resolve"),
            "section": "payments",
        },
    )


@finance_staff
@require_GET
def payment_detail(request, payment_id):
    return _payment_page(request, _payment(payment_id))


@finance_staff
@require_POST
def refund(request, payment_id):
    _require_clerk(request)
    payment = _payment(payment_id)
    form = RefundForm(request.POST, prefix="refund", refundable_cents=payment.refundable_cents)
    if form.is_valid():
        try:
            done = services_refunds.refund_payment(
                payment=payment,
                amount_cents=form.cleaned_data["amount"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
            )
        except CaseError as error:
            field = getattr(error, "field", None)
            if field not in form.fields:
                messages.error(request, str(error))
                return redirect("payments:staff-payment", payment_id=payment.pk)
            form.add_error(field, str(error))
        else:
            if done.status == RefundStatus.PENDING:
                messages.warning(
                    request,
                    _("The payment service has not confirmed the refund yet; it will be retried."),
                )
            else:
                messages.success(
                    request,
                    _("Refunded %(amount)s. The payer is being emailed.")
                    % {"amount": format_money(done.amount_cents, payment.currency)},
                )
            return redirect("payments:staff-payment", payment_id=payment.pk)
    return _payment_page(request, _payment(payment_id), refund_form=form)


@finance_staff
@require_POST
def resolve(request, payment_id):
    _require_clerk(request)
    payment = _payment(payment_id)
    form = ResolveFlagForm(request.POST, prefix="resolve")
    form.is_valid()
    services_payments.resolve_flag(
        payment=payment, actor=request.user, note=form.cleaned_data.get("note", "")
    )
    messages.success(request, _("Marked as reviewed."))
    return redirect("payments:staff-payment", payment_id=payment.pk)


def _day(request):
    form = ReconciliationForm(request.GET if "date" in request.GET else None)
    if form.is_bound and form.is_valid():
        return form, form.cleaned_data["date"]
    return form, timezone.localdate()


@finance_staff
@require_GET
def reconciliation(request):
    form, day = _day(request)
    if not form.is_bound:
        form = ReconciliationForm(initial={"date": day})
    return _render(
        request,
        "payments/staff/reconciliation.html",
        {
            "form": form,
            "report": selectors.reconciliation(day),
            "previous_day": day - timedelta(days=1),
            "next_day": day + timedelta(days=1),
            "section": "reconciliation",
        },
    )


@finance_staff
@require_GET
def reconciliation_csv(request):
    _form, day = _day(request)
    # Payers' names leave the system in this file: a staff read of personal data.
    audit.record(
        AuditAction.PERSONAL_DATA_VIEWED,
        actor=request.user,
        object_type="export",
        object_id=f"reconciliation-{day.isoformat()}",
        payload={"what": "reconciliation CSV"},
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="reconciliation-{day.isoformat()}.csv"'
    writer = csv.writer(response)
    for row in selectors.reconciliation_rows(selectors.reconciliation(day)):
        writer.writerow(row)
    return response
