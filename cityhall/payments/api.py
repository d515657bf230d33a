"""/api/v1/payments/ and /api/v1/invoices/.

- `POST /payments/fee-estimate` is public and writes nothing.
- An invoice is visible to whoever holds its signed payer link's token
  (`?token=`), or to a staff token with the finance clerk or city
  administrator role or one of its service's staff roles. Anyone else gets 404,
  whether or not the invoice exists.
- Refunds need a finance clerk's token (403 otherwise); the reconciliation a
  finance clerk's or city administrator's. Checkout and refunds accept
  `Idempotency-Key`.
"""

from __future__ import annotations

import csv
import io
from datetime import date

from django.http import HttpResponse
from django.utils import timezone, translation
from ninja import Query, Router

from cityhall.accounts.services import authenticate_api_token
from cityhall.api import ApiDomainError, idempotent, token_auth, with_errors
from cityhall.cases import registry as cases_registry
from cityhall.cases.errors import CaseError, NotAllowed
from cityhall.core.roles import CITY_ADMIN, FINANCE_CLERK

from . import selectors, services, services_refunds
from .errors import PaymentError
from .fees import FeeItem, estimate_fee
from .models import Invoice, Payment, PaymentStatus, RefundStatus
from .schemas import (
    CheckoutOut,
    FeeEstimateIn,
    FeeEstimateOut,
    InvoiceOut,
    RefundIn,
    RefundOut,
)

payments_router = Router(tags=["payments"])
invoices_router = Router(tags=["payments"])


def _not_found() -> ApiDomainError:
    return ApiDomainError(404, "not_found", "Not found.")


DAY = Query(None, description="YYYY-MM-DD; today by default")


def _error(error: CaseError) -> ApiDomainError:
    if isinstance(error, NotAllowed):
        return ApiDomainError(403, "forbidden", str(error))
    field = getattr(error, "field", None)
    code = getattr(error, "code", "invalid")
    status = 409 if code in {"conflict", "not_payable"} else 422
    return ApiDomainError(status, code, str(error), {field: [str(error)]} if field else {})


# ---- fee estimate ---------------------------------------------------------


@payments_router.post(
    "/fee-estimate",
    response=with_errors(FeeEstimateOut),
    summary="What a set of items would cost (dry run)",
)
def fee_estimate(request, payload: FeeEstimateIn):
    """Public. Nothing is created: the same computation an invoice uses, as a quote."""
    try:
        estimate = estimate_fee(
            schedule=payload.schedule,
            items=[FeeItem(i.code, quantity=i.quantity, value=i.value) for i in payload.items],
            resident=payload.resident,
            on=payload.date,
        )
    except PaymentError as error:
        raise _error(error) from error
    language = payload.language
    return {
        "schedule": estimate.schedule.code,
        "schedule_name": estimate.schedule.name(language),
        "effective_from": estimate.schedule.effective_from,
        "date": estimate.on,
        "resident": estimate.resident,
        "currency": estimate.currency,
        "lines": [
            {
                "code": line.code,
                "description": line.label(language),
                "detail": line.detail(language),
                "quantity": line.quantity,
                "value": line.value,
                "unit_cents": line.unit_cents,
                "amount_cents": line.amount_cents,
            }
            for line in estimate.lines
        ],
        "total_cents": estimate.total_cents,
    }


# ---- invoices -------------------------------------------------------------


def _bearer_user(request):
    header = request.headers.get("Authorization", "")
    scheme, _sep, raw = header.partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        return None
    return authenticate_api_token(raw.strip())


def _visible_invoice(request, reference: str) -> tuple[Invoice, bool]:
    """(invoice, as_payer), or 404 for anything else: existence never leaks."""
    invoice = (
        Invoice.objects.select_related("case").filter(number=reference.strip().upper()).first()
    )
    token = request.GET.get("token", "")
    if invoice is not None and token:
        by_token = selectors.invoice_from_token(token)
        if by_token is not None and by_token.pk == invoice.pk:
            return invoice, True
    user = _bearer_user(request)
    if invoice is None or user is None:
        raise _not_found()
    if user.is_superuser or user.has_role(FINANCE_CLERK, CITY_ADMIN):
        return invoice, False
    try:
        roles = cases_registry.get(invoice.service).staff_roles
    except LookupError:
        roles = frozenset()
    if user.role_codes & roles:
        return invoice, False
    raise _not_found()


def _invoice_body(invoice: Invoice) -> dict:
    from django.conf import settings
    from django.urls import reverse

    language = translation.get_language()
    token = selectors.invoice_token(invoice)
    payments = []
    for payment in invoice.payments.order_by("created_at", "id"):
        receipt = None
        if payment.status == PaymentStatus.SUCCEEDED:
            receipt = settings.CITY_SITE_URL + reverse(
                "payments:receipt", kwargs={"token": token, "payment": payment.public_id}
            )
        payments.append(
            {
                "id": payment.public_id,
                "status": payment.status,
                "provider": payment.provider,
                "amount_cents": payment.amount_cents,
                "convenience_fee_cents": payment.fee_cents,
                "refunded_cents": payment.refunded_cents,
                "currency": payment.currency,
                "completed_at": payment.completed_at,
                "receipt_url": receipt,
            }
        )
    return {
        "number": invoice.number,
        "case_reference": invoice.case.reference,
        "service": invoice.service,
        "status": invoice.status,
        "currency": invoice.currency,
        "total_cents": invoice.total_cents,
        "due_date": invoice.due_date,
        "created_at": invoice.created_at,
        "paid_at": invoice.paid_at,
        "lines": [
            {
                "kind": line.kind,
                "code": line.code,
                "description": line.label(language),
                "detail": line.detail(language),
                "amount_cents": line.amount_cents,
            }
            for line in invoice.lines.all()
        ],
        "payments": payments,
        "pay_url": selectors.pay_url(invoice, invoice.case.language)
        if invoice.is_payable
        else None,
    }


@invoices_router.get(
    "/{reference}", response=with_errors(InvoiceOut), summary="An invoice (the payer, or staff)"
)
def get_invoice(
    request, reference: str, token: str = Query("", description="The payer link's token")
):
    invoice, _as_payer = _visible_invoice(request, reference)
    return _invoice_body(invoice)


@invoices_router.post(
    "/{reference}/checkout",
    response=with_errors({201: CheckoutOut, 200: CheckoutOut}),
    summary="Start paying: the provider's hosted checkout URL",
)
def checkout(
    request,
    reference: str,
    token: str = Query("", description="The payer link's token"),
    language: str = Query("", description="en or es for the checkout (the case's by default)"),
):
    """Refused (409) for an invoice that is paid, cancelled or waived. Send
    `Idempotency-Key` to make retries return the same checkout."""
    invoice, _as_payer = _visible_invoice(request, reference)
    language = language if language in {"en", "es"} else invoice.case.language

    def write() -> tuple[int, dict]:
        try:
            payment = services.start_checkout(invoice=invoice, language=language)
        except PaymentError as error:
            raise _error(error) from error
        return 201, {
            "invoice": invoice.number,
            "payment_id": str(payment.public_id),
            "provider": payment.provider,
            "checkout_url": payment.checkout_url,
            "expires_at": payment.expires_at.isoformat() if payment.expires_at else None,
            "amount_cents": payment.amount_cents,
            "convenience_fee_cents": payment.fee_cents,
            "currency": payment.currency,
        }

    return idempotent(request, f"payments.checkout.{invoice.number}", write)


# ---- refunds and reconciliation (finance staff) ---------------------------


@payments_router.post(
    "/{payment_id}/refund",
    response=with_errors({201: RefundOut, 200: RefundOut}),
    auth=token_auth,
    summary="Refund part or all of a payment (finance clerks)",
)
def refund(request, payment_id: int, payload: RefundIn):
    user = request.auth
    if not user.has_role(FINANCE_CLERK):
        raise ApiDomainError(403, "forbidden", "Refunds need a finance clerk's token.")
    payment = Payment.objects.select_related("invoice").filter(pk=payment_id).first()
    if payment is None:
        raise _not_found()

    def write() -> tuple[int, dict]:
        try:
            done = services_refunds.refund_payment(
                payment=payment,
                amount_cents=payload.amount_cents,
                reason=payload.reason,
                actor=user,
            )
        except PaymentError as error:
            api_error = _error(error)
            if api_error.fields.get("amount"):
                api_error.fields = {"amount_cents": api_error.fields.pop("amount")}
            raise api_error from error
        except CaseError as error:
            raise _error(error) from error
        payment.refresh_from_db()
        payment.invoice.refresh_from_db()
        return (201 if done.status == RefundStatus.SUCCEEDED else 200), {
            "id": done.pk,
            "payment_id": payment.pk,
            "status": done.status,
            "amount_cents": done.amount_cents,
            "currency": payment.currency,
            "provider_reference": done.provider_reference,
            "payment_refunded_cents": payment.refunded_cents,
            "invoice_status": payment.invoice.status,
        }

    return idempotent(request, f"payments.refund.{payment.pk}", write)


@payments_router.get(
    "/reconciliation",
    response=with_errors(dict),  # JSON; an HttpResponse for text/csv
    auth=token_auth,
    summary="The day's ledger with totals by service and provider (JSON, or CSV)",
)
def reconciliation(request, date: date | None = DAY):
    """Send `Accept: text/csv` for the same CSV as the finance page."""
    user = request.auth
    if not (user.is_superuser or user.has_role(FINANCE_CLERK, CITY_ADMIN)):
        raise ApiDomainError(403, "forbidden", "The reconciliation needs a finance token.")
    if date is not None and not selectors.FIRST_DAY <= date <= selectors.LAST_DAY:
        message = f"Use a day between {selectors.FIRST_DAY} and {selectors.LAST_DAY}."
        raise ApiDomainError(422, "validation_error", message, {"date": [message]})
    report = selectors.reconciliation(date or timezone.localdate())
    if "text/csv" in request.headers.get("Accept", ""):
        out = io.StringIO()
        writer = csv.writer(out)
        for row in selectors.reconciliation_rows(report):
            writer.writerow(row)
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="reconciliation-{report.day.isoformat()}.csv"'
        )
        return response

    def group(totals, key):
        return {key: totals.key, **totals.as_dict()}

    return {
        "date": report.day.isoformat(),
        "entries": [
            {
                "id": entry.pk,
                "kind": entry.kind,
                "amount_cents": entry.amount_cents,
                "currency": entry.currency,
                "service": entry.service,
                "provider": entry.provider,
                "provider_reference": entry.provider_reference,
                "invoice": entry.invoice.number,
                "case": entry.invoice.case.reference,
                "occurred_at": entry.occurred_at.isoformat(),
                "settlement_date": entry.settlement_date.isoformat()
                if entry.settlement_date
                else None,
            }
            for entry in report.entries
        ],
        "by_service": [group(t, "service") for t in report.by_service],
        "by_provider": [group(t, "provider") for t in report.by_provider],
        "totals": [t.as_dict() for t in report.totals],
    }
