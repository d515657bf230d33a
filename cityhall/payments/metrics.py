"""Payment and refund outcomes for /metrics (core/metrics.py reads them at each scrape)."""

from django.db.models import Count, Sum

from .models import Payment, PaymentStatus, Refund, RefundStatus


def payment_metrics():
    payments = {
        (provider, status): (n, cents or 0)
        for provider, status, n, cents in Payment.objects.values_list("provider", "status")
        .annotate(n=Count("id"), cents=Sum("amount_cents"))
        .values_list("provider", "status", "n", "cents")
    }
    refunds = dict(Refund.objects.values_list("status").annotate(n=Count("id")))
    providers = sorted({provider for provider, _status in payments}) or ["sandbox"]
    return [
        (
            "cityhall_payments",
            "Checkouts, by provider and outcome.",
            ("provider", "status"),
            [
                ((p, s), payments.get((p, s), (0, 0))[0])
                for p in providers
                for s in PaymentStatus.values
            ],
        ),
        (
            "cityhall_payments_amount_cents",
            "Amount of the checkouts, by provider and outcome, in cents.",
            ("provider", "status"),
            [
                ((p, s), payments.get((p, s), (0, 0))[1])
                for p in providers
                for s in PaymentStatus.values
            ],
        ),
        (
            "cityhall_refunds",
            "Refunds, by outcome.",
            ("status",),
            [((s,), refunds.get(s, 0)) for s in RefundStatus.values],
        ),
    ]
