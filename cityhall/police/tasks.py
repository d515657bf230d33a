"""Background work for police reports. Each task takes ids, re-reads rows and is safe to run twice."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django_tasks import task

from cityhall.cases.models import EventKind
from cityhall.cases.services import add_event

from .models import PoliceReport, RmsExport

logger = logging.getLogger(__name__)
DOCUMENT_KIND = "police_report"
NO_RMS = "no RMS configured"


@task()
def issue_approved_report(report_id: int) -> str:
    """Issues the approved report PDF and emails it to the resident, once."""
    from cityhall.documents.services import render_document, store_document
    from cityhall.notifications.services import Attachment, deliver, notify

    from .document import approved_report_content

    report = PoliceReport.objects.select_related("case", "case__decided_by").get(pk=report_id)
    case = report.case
    # The PDF first, outside the transaction: an approved report no longer
    # changes, and on SQLite the write lock is then held only to store it.
    rendered = render_document(case=case, kind=DOCUMENT_KIND, **approved_report_content(report))
    with transaction.atomic():
        # A second run waits here for the first to commit, then finds its document.
        # (Two statements: a look-up inside the locking one would read from
        # before the wait, on PostgreSQL, and miss the first run's document.)
        PoliceReport.objects.select_for_update().filter(pk=report_id).exists()
        if case.documents.filter(kind=DOCUMENT_KIND).exists():
            return "already issued"
        document = store_document(rendered, issued_by=case.decided_by)
        notification = notify(
            to=case.contact_email,
            kind="police_approved",
            language=case.language,
            case=case,
            context={"report": report, "document": document},
            queue_delivery=False,  # delivered just below, after this commits
            claim=True,
            attachments=[
                Attachment(
                    f"police-report-{report.report_number}.pdf",
                    "application/pdf",
                    document.file.name,
                )
            ],
        )
    # Now, rather than in a task of its own (requeue_stuck sends it if this worker dies first).
    deliver(notification.pk, notification=notification)
    return "issued"


@task()
def export_to_rms(report_id: int) -> str:
    from . import rms

    export = RmsExport.objects.select_related("report__case").filter(report_id=report_id).first()
    if export is None or export.status == RmsExport.Status.SENT:
        return "nothing to do"
    report = export.report
    if not settings.CITYHALL_RMS_URL:
        # Claimed with a conditional UPDATE so a second run does not repeat the timeline entry.
        noted = (
            RmsExport.objects.filter(pk=export.pk, attempts=0)
            .exclude(last_error=NO_RMS)
            .update(last_error=NO_RMS)
        )
        if noted:
            add_event(
                case=report.case, kind=EventKind.EXPORT, payload={"outcome": f"skipped: {NO_RMS}"}
            )
        return "skipped"
    if not settings.CITYHALL_RMS_SECRET:
        # Never send police reports unsigned (the system check also reports this).
        RmsExport.objects.filter(pk=export.pk).update(
            status=RmsExport.Status.FAILED, last_error="CITYHALL_RMS_SECRET is not set"
        )
        return "failed"
    claimed = (
        RmsExport.objects.filter(pk=export.pk, attempts=export.attempts)
        .exclude(status=RmsExport.Status.SENT)
        .update(attempts=export.attempts + 1, last_attempt_at=timezone.now())
    )
    if not claimed:
        return "taken by another worker"
    attempts = export.attempts + 1
    try:
        status = rms.send(report)
    except rms.RmsError as error:
        final = attempts >= settings.CITYHALL_RMS_MAX_ATTEMPTS
        RmsExport.objects.filter(pk=export.pk).update(
            status=RmsExport.Status.FAILED if final else RmsExport.Status.PENDING,
            last_error=str(error)[:2000],
        )
        add_event(
            case=report.case,
            kind=EventKind.EXPORT,
            payload={
                "outcome": "failed" if final else "retrying",
                "attempt": attempts,
                "error": str(error),
            },
        )
        if not final:
            delay = timedelta(seconds=settings.CITYHALL_RMS_RETRY_SECONDS * 2 ** (attempts - 1))
            export_to_rms.using(run_after=timezone.now() + delay).enqueue(report_id)
        return "failed"
    RmsExport.objects.filter(pk=export.pk).update(
        status=RmsExport.Status.SENT, sent_at=timezone.now(), last_error=""
    )
    add_event(
        case=report.case,
        kind=EventKind.EXPORT,
        payload={"outcome": "sent", "attempt": attempts, "http_status": status},
    )
    return "sent"


@task()
def purge_expired_reports() -> int:
    from .services_retention import purge_old_reports

    return purge_old_reports()


@task()
def sweep_approved_reports() -> dict:
    """Safety net: approved reports still without their PDF (a task that failed)
    and hand-offs stuck mid-way (a worker that died) are queued again."""
    now = timezone.now()
    settled = now - timedelta(minutes=10)
    missing = (
        PoliceReport.objects.filter(case__status="approved", case__decided_at__lt=settled)
        .exclude(case__documents__kind=DOCUMENT_KIND)
        .values_list("pk", flat=True)[:500]
    )
    for pk in missing:
        issue_approved_report.enqueue(pk)
    stuck = []
    if settings.CITYHALL_RMS_URL:
        stuck = list(
            RmsExport.objects.filter(status=RmsExport.Status.PENDING)
            .filter(
                models.Q(last_attempt_at__isnull=True, report__case__decided_at__lt=settled)
                | models.Q(last_attempt_at__lt=now - timedelta(minutes=30))
            )
            .values_list("report_id", flat=True)[:500]
        )
        for pk in stuck:
            export_to_rms.enqueue(pk)
    return {"documents": len(missing), "exports": len(stuck)}
