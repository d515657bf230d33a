"""The payer's pages, reached by the signed link in the invoice email or on the
status page: the invoice, "Pay" (to the provider's hosted checkout), the page
the provider sends them back to, and the receipt."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from cityhall.cases.selectors import tracking_token
from cityhall.core.ratelimit import allow, client_address
from cityhall.core.storage import open_stored

from . import selectors, services, services_payments
from .errors import PaymentError
from .fees import convenience_fee_cents
from .models import FlagReason, Invoice, Payment, PaymentStatus

CHECKOUTS_PER_HOUR = 30


def _invoice(token: str) -> Invoice:
    invoice = selectors.invoice_from_token(token)
    if invoice is None:
        raise Http404
    return invoice


def _payment(invoice: Invoice, public_id) -> Payment:
    payment = invoice.payments.filter(public_id=public_id).first()
    if payment is None:
        raise Http404
    return payment


def _context(invoice: Invoice, token: str) -> dict:
    fee = convenience_fee_cents(invoice.total_cents) if invoice.is_payable else 0
    return {
        "invoice": invoice,
        "case": invoice.case,
        "token": token,
        "service_name": selectors.service_name(invoice.service),
        "lines": list(invoice.lines.all()),
        "fee_cents": fee,
        "to_pay_cents": invoice.total_cents + fee,
        "paid": selectors.successful_payment(invoice),
        "status_token": tracking_token(invoice.case) if invoice.case.submitted_at else None,
    }


@never_cache
@require_GET
def invoice_page(request, token):
    invoice = _invoice(token)
    if invoice.is_payable:
        # The payer may have paid and closed the tab before coming back: ask the
        # provider about the latest open checkout rather than offer "Pay" again.
        pending = invoice.payments.filter(status=PaymentStatus.PENDING).order_by("-created_at")
        latest = pending.first()
        if latest is not None:
            services_payments.refresh_payment(latest)
            invoice.refresh_from_db()
    return render(request, "payments/invoice.html", _context(invoice, token))


@require_POST
def checkout(request, token):
    invoice = _invoice(token)
    if not allow(
        f"checkout:{client_address(request)}", limit=CHECKOUTS_PER_HOUR, window_seconds=3600
    ):
        messages.error(request, _("Too many tries from your connection. Try again in an hour."))
        return redirect("payments:invoice", token=token)
    try:
        payment = services.start_checkout(invoice=invoice, language=get_language() or "en")
    except PaymentError as error:
        messages.error(request, str(error))
        return redirect("payments:invoice", token=token)
    # The provider's own page: an absolute address, possibly on another site.
    return HttpResponseRedirect(payment.checkout_url)


STATES = {
    PaymentStatus.SUCCEEDED: "paid",
    PaymentStatus.PENDING: "processing",
    PaymentStatus.FAILED: "declined",
    PaymentStatus.EXPIRED: "expired",
    PaymentStatus.UNAPPLIED: "unapplied",
}


@never_cache
@require_GET
def return_page(request, token, payment):
    """Where the provider sends the payer back. The provider is asked, so the page
    tells the truth even when its webhook has not arrived yet."""
    invoice = _invoice(token)
    payment = services_payments.refresh_payment(_payment(invoice, payment))
    invoice.refresh_from_db()
    context = _context(invoice, token)
    state = STATES[payment.status]
    if payment.flag_reason == FlagReason.NOTHING_TAKEN:
        state = "not_taken"  # "completed" at the provider for $0: not a declined card
    context.update(payment=payment, state=state)
    return render(request, "payments/return.html", context)


@never_cache
@require_GET
def receipt(request, token, payment):
    invoice = _invoice(token)
    payment = _payment(invoice, payment)
    if payment.status != PaymentStatus.SUCCEEDED:
        raise Http404
    document = services_payments.issue_receipt(payment)
    response = FileResponse(
        open_stored(document.file),
        content_type="application/pdf",
        filename=f"receipt-{invoice.number}.pdf",
    )
    response["X-Robots-Tag"] = "noindex"
    return response
