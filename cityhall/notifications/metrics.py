"""Email outcomes for /metrics (core/metrics.py reads them at each scrape)."""

from django.db.models import Count

from .models import Notification, Status


def email_metrics():
    counts = dict(Notification.objects.values_list("status").annotate(n=Count("id")))
    return [
        (
            "cityhall_emails",
            "Emails kept, by outcome (queued, sending, delivered, permanent_failure, "
            "technical_failure); old ones are purged after the retention period.",
            ("status",),
            [((status,), counts.get(status, 0)) for status in Status.values],
        )
    ]
