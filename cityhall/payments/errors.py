"""Payment domain errors: each message is fit to show the person who caused it."""

from __future__ import annotations

from django.utils.translation import gettext as _

from cityhall.cases.errors import CaseError


class PaymentError(CaseError):
    """`field` says which input the message belongs to (a form field or an API path)."""

    code = "invalid"

    def __init__(self, message, field: str | None = None):
        self.field = field
        super().__init__(message)


class FeeError(PaymentError):
    pass


class UnknownSchedule(FeeError):
    code = "unknown_schedule"


class InvoiceNotPayable(PaymentError):
    code = "not_payable"


class InvoiceNotOpen(PaymentError):
    code = "conflict"


class RefundError(PaymentError):
    pass


class RefundTooLarge(RefundError):
    code = "refund_too_large"

    def __init__(self, remaining_cents: int):
        from cityhall.core.money import format_cents

        self.remaining_cents = remaining_cents
        super().__init__(
            _("That is more than is left to refund on this payment (%(left)s).")
            % {"left": format_cents(remaining_cents)},
            field="amount",
        )


class RefundFailed(RefundError):
    code = "refund_failed"


class ProviderUnavailable(PaymentError):
    code = "provider_unavailable"

    def __init__(self, message=None):
        super().__init__(
            message
            or _("The payment service is not answering. Nothing was charged: try again shortly.")
        )
