"""Emails to supervisors when a service's queue has requests past their target."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from cityhall.cases import registry
from cityhall.cases.models import Case
from cityhall.core.scheduler import claim_due_job

from .services import notify

ALERT_EVERY = timedelta(days=1)


def alert_overdue_queues(*, now=None) -> list[str]:
    """One email a day per service at most, to each person holding its supervisor role."""
    now = now or timezone.now()
    alerted = []
    for service in registry.all_services():
        if not service.supervisor_role:
            continue
        overdue = Case.objects.filter(
            service=service.code,
            status__in=service.workflow.awaiting_staff_states(),
            expected_decision_at__lt=now,
        )
        count = overdue.count()
        if not count:
            continue
        if not claim_due_job(f"queue-alert:{service.code}", ALERT_EVERY):
            continue
        oldest = overdue.order_by("submitted_at").values_list("reference", "submitted_at").first()
        supervisors = get_user_model().objects.filter(
            groups__name=service.supervisor_role, is_active=True
        )
        for person in supervisors:
            notify(
                to=person.email,
                kind="queue_overdue",
                language=person.preferred_language,
                context={
                    "service_name": service.name,
                    "count": count,
                    "oldest_reference": oldest[0],
                    "oldest_submitted_at": oldest[1],
                    "person": person,
                },
            )
        alerted.append(service.code)
    return alerted
