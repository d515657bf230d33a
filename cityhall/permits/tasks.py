"""Background work for permits. Each task takes ids, re-reads rows and is safe to run twice."""

from __future__ import annotations

import logging

from django.db import transaction
from django_tasks import task

from .models import PermitApplication, Renewal

logger = logging.getLogger(__name__)


def current_permit_document(application: PermitApplication):
    from .document import DOCUMENT_KIND

    documents = application.case.documents.filter(kind=DOCUMENT_KIND).order_by("-issued_at", "-pk")
    return next((d for d in documents if d.is_current), None)


def _email(application, document, kind: str):
    from cityhall.notifications.services import Attachment, notify

    from .selectors import email_context

    case = application.case
    return notify(
        to=case.contact_email,
        kind=kind,
        language=case.language,
        case=case,
        context=email_context(application) | {"document": document},
        queue_delivery=False,  # delivered just below, after this commits
        attachments=[
            Attachment(
                f"permit-{application.permit.number}.pdf", "application/pdf", document.file.name
            )
        ],
    )


@task()
def send_permit(application_id: int) -> str:
    """Issues the permit PDF and emails it to the applicant, once."""
    from cityhall.documents.services import issue_document
    from cityhall.notifications.services import deliver

    from .document import DOCUMENT_KIND, permit_content

    with transaction.atomic():
        application = (
            PermitApplication.objects.select_for_update(of=("self",))
            .select_related("case", "permit_type", "permit")
            .get(pk=application_id)
        )
        if not hasattr(application, "permit"):
            return "no permit"
        if application.case.documents.filter(kind=DOCUMENT_KIND).exists():
            return "already issued"
        document = issue_document(
            case=application.case, kind=DOCUMENT_KIND, **permit_content(application.permit)
        )
        notification = _email(application, document, "permit_issued")
    deliver(notification.pk)  # now; its own backup task then finds it sent
    return "issued"


@task()
def send_renewed_permit(renewal_id: int) -> str:
    """The renewed permit: a new PDF superseding the last one, emailed once."""
    from django.utils.translation import gettext as _
    from django.utils.translation import override

    from cityhall.documents.services import issue_document
    from cityhall.notifications.services import deliver

    from .document import DOCUMENT_KIND, permit_content

    with transaction.atomic():
        renewal = (
            Renewal.objects.select_for_update(of=("self",))
            .select_related("permit__application__case")
            .get(pk=renewal_id)
        )
        if renewal.renewed_at is None:
            return "not renewed"
        if renewal.document_id is not None:
            return "already sent"
        application = renewal.permit.application
        previous = current_permit_document(application)
        with override(application.case.language):
            reason = _("Renewed until %(day)s") % {"day": renewal.new_valid_until.isoformat()}
        document = issue_document(
            case=application.case,
            kind=DOCUMENT_KIND,
            supersedes=previous,
            correction_reason=reason if previous else "",
            **permit_content(renewal.permit),
        )
        renewal.document = document
        renewal.save(update_fields=["document"])
        notification = _email(application, document, "permit_renewed")
    deliver(notification.pk)
    return "sent"


@task()
def expiry_job() -> dict:
    """Daily: reminders before expiry, then permits past their date expire."""
    from .renewals import expire_permits, send_expiry_reminders

    return {"reminders": send_expiry_reminders(), "expired": expire_permits()}


@task()
def inspection_slots_job() -> int:
    """Daily: the next weeks' inspection slots exist."""
    from .inspections import ensure_slots

    return ensure_slots()


@task()
def purge_drafts() -> int:
    """Applications never sent go after CITYHALL_DRAFT_RETENTION_DAYS (the resume
    link works as long), with their uploaded plans."""
    from datetime import timedelta

    from django.conf import settings
    from django.utils import timezone

    from cityhall.cases.retention import purge_drafts as purge

    from .models import SubmittedDocument
    from .workflow import DRAFT, SERVICE_CODE

    def uploaded_documents(case):  # they protect the attachments they point to
        SubmittedDocument.objects.filter(application__case=case).delete()

    cutoff = timezone.now() - timedelta(days=settings.CITYHALL_DRAFT_RETENTION_DAYS)
    return purge(
        service=SERVICE_CODE, draft_status=DRAFT, created_before=cutoff, first=uploaded_documents
    )
