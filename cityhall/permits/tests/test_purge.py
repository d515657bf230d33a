"""Drafts never sent are purged after CITYHALL_DRAFT_RETENTION_DAYS, with their files;
sent applications and recent drafts stay."""

from datetime import timedelta

from django.utils import timezone

from cityhall.cases.models import Case
from cityhall.permits import services, tasks

from .conftest import pdf_upload


def test_old_drafts_go_with_their_files_and_nothing_else_does(
    types, applicant, settings, django_capture_on_commit_callbacks
):
    settings.CITYHALL_DRAFT_RETENTION_DAYS = 30
    old = services.start_application(user=applicant, permit_type=types["small-construction"])
    requirement = old.permit_type.document_requirements.first()
    services.upload_document(
        application=old, requirement_code=requirement.code, upload=pdf_upload(), actor=applicant
    )
    attachment = old.case.attachments.get()
    storage, name = attachment.file.storage, attachment.file.name
    assert storage.exists(name)
    recent = services.start_application(user=applicant, permit_type=types["small-construction"])
    Case.objects.filter(pk=old.case.pk).update(created_at=timezone.now() - timedelta(days=31))
    Case.objects.filter(pk=recent.case.pk).update(created_at=timezone.now() - timedelta(days=29))

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.purge_drafts.call() == 1
    assert not Case.objects.filter(pk=old.case.pk).exists()
    assert not storage.exists(name)
    assert Case.objects.filter(pk=recent.case.pk).exists()
    assert tasks.purge_drafts.call() == 0
