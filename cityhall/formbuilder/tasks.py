"""Background work: the approval document (a PDF of the answers) and its email."""

from __future__ import annotations

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from cityhall.cases.models import Case

DOCUMENT_KIND = "formbuilder"


@task()
def issue_approval_document(case_id: int) -> str:
    """Issues the PDF built from the answers and emails it with the decision, once."""
    from cityhall.documents.pdf import Section
    from cityhall.documents.services import issue_document
    from cityhall.notifications.services import Attachment, deliver, notify

    from .models import Submission
    from .selectors import answer_rows, definition_of_version
    from .workflow import DECISION_EMAIL

    case = Case.objects.select_related("decided_by").get(pk=case_id)
    with transaction.atomic():
        submission = Submission.objects.select_for_update().select_related("version").get(case=case)
        if case.documents.filter(kind=DOCUMENT_KIND).exists():
            return "already issued"
        definition = definition_of_version(submission.version)
        language = case.language
        with translation.override(language):
            rows = answer_rows(definition, submission.answers, language)
            sections = [
                Section(
                    heading=_("Your answers"),
                    facts=tuple((r["label"], r["answer"] or "—") for r in rows),
                )
            ]
            document = issue_document(
                case=case,
                kind=DOCUMENT_KIND,
                title=definition.text("document_title", language),
                sections=sections,
                issued_by=case.decided_by,
            )
        notification = notify(
            to=case.contact_email,
            kind=DECISION_EMAIL,
            language=language,
            case=case,
            context={
                "message": definition.text("approved_message", language),
                "service_name": definition.name(language),
                "approved": True,
            },
            queue_delivery=False,
            attachments=[
                Attachment(f"{case.reference}.pdf", "application/pdf", document.file.name)
            ],
        )
    deliver(notification.pk)
    return "issued"


@task()
def purge_drafts() -> int:
    """Answers to services built without code that were never sent go after
    CITYHALL_DRAFT_RETENTION_DAYS, with their uploads."""
    from datetime import timedelta

    from django.conf import settings
    from django.utils import timezone

    from cityhall.cases.retention import delete_case

    from .workflow import DRAFT

    cutoff = timezone.now() - timedelta(days=settings.CITYHALL_DRAFT_RETENTION_DAYS)
    doomed = Case.objects.filter(
        formbuilder__isnull=False, status=DRAFT, created_at__lt=cutoff
    ).values_list("pk", flat=True)
    return sum(delete_case(pk) for pk in list(doomed))
