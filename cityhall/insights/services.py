"""Writes of the insights app besides the rollups: council reports."""

from __future__ import annotations

import logging
from datetime import date

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from .models import CouncilReport, ReportStatus

logger = logging.getLogger(__name__)


@transaction.atomic
def request_council_report(*, start: date, end: date, language: str, requested_by) -> CouncilReport:
    """Records the request and queues the PDF in the same transaction."""
    from .tasks import make_council_report

    if start > end:
        raise ValueError("the period ends before it starts")
    report = CouncilReport.objects.create(
        period_from=start, period_to=end, language=language, requested_by=requested_by
    )
    make_council_report.enqueue(report.pk)
    return report


def make_council_report(report_id: int) -> str:
    """Renders and stores the PDF; safe to run twice (a ready report is left alone)."""
    from .report import render_council_report

    report = CouncilReport.objects.get(pk=report_id)
    if report.status == ReportStatus.READY:
        return "already ready"
    try:
        pdf = render_council_report(report.period_from, report.period_to, report.language)
    except Exception as error:  # recorded for the person who asked, then re-raised for the log
        CouncilReport.objects.filter(pk=report_id).update(
            status=ReportStatus.FAILED, error=str(error)[:2000], finished_at=timezone.now()
        )
        logger.exception("council report %s failed", report_id)
        raise
    name = default_storage.save(f"insights/reports/{report.public_id}.pdf", ContentFile(pdf))
    CouncilReport.objects.filter(pk=report_id).update(
        status=ReportStatus.READY,
        storage_name=name,
        size=len(pdf),
        error="",
        finished_at=timezone.now(),
    )
    return "ready"
