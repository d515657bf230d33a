"""Deleting what the city no longer needs to keep (run nightly by the worker)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from cityhall.cases.models import Case
from cityhall.cases.retention import delete_case

from .workflow import DRAFT, EXPIRED, REJECTED, SERVICE_CODE


def purge_old_reports(*, now=None) -> int:
    """Rejected and expired reports past the retention period, and drafts never
    sent, are deleted with everything attached to them (items, photos, timeline)."""
    now = now or timezone.now()
    closed_before = now - timedelta(days=settings.CITYHALL_POLICE_RETENTION_DAYS)
    draft_before = now - timedelta(days=settings.CITYHALL_DRAFT_RETENTION_DAYS)
    doomed = list(
        Case.objects.filter(
            service=SERVICE_CODE, status__in=[REJECTED, EXPIRED], closed_at__lt=closed_before
        ).values_list("pk", flat=True)
    ) + list(
        Case.objects.filter(
            service=SERVICE_CODE, status=DRAFT, created_at__lt=draft_before
        ).values_list("pk", flat=True)
    )
    for pk in doomed:
        delete_case(pk)
    return len(doomed)
