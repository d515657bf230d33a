"""Keeping the files people upload, and holding them until a virus scan says they are clean.

`attach_file` is the one write path for a case's files (police item photos,
permit plans and corrections, inspection photos, form answers). When
`CLAMAV_URL` is set the file is stored HELD: no one can open it, and a
background task (`tasks.scan_attachment`) sends it to clamd. Clean: released.
Infected: the file is deleted, the timeline says so, and the person who sent
it is told by email. clamd unreachable: the file stays held and the scan is
retried with backoff (staff see "waiting for virus scan"). Without
`CLAMAV_URL`, files are released at once. See docs/uploads.md.
"""

from __future__ import annotations

import errno
import logging
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .clamd import ScannerUnavailable, scan_bytes
from .models import Attachment, Case, CaseEvent, EventKind, ScanStatus
from .uploads import UploadRejected

logger = logging.getLogger(__name__)


def _discard(name: str) -> None:
    from django.core.files.storage import default_storage

    try:
        if name and default_storage.exists(name):
            default_storage.delete(name)
    except OSError:
        logger.warning("could not delete %s", name, exc_info=True)


@transaction.atomic
def attach_file(*, case: Case, clean, purpose: str = "", uploaded_by=None, public: bool = False):
    """Stores a file already checked by uploads.clean_upload and notes it on the timeline.

    A full or failing disk raises UploadRejected (a message for the person) and
    leaves neither a row nor a partly written file."""
    scanning = bool(settings.CLAMAV_URL)
    now = timezone.now()
    attachment = Attachment(
        case=case,
        original_name=clean.name,
        content_type=clean.content_type,
        size=clean.size,
        sha256=clean.sha256,
        purpose=purpose,
        uploaded_by=uploaded_by,
        scan_status=ScanStatus.HELD if scanning else ScanStatus.RELEASED,
        next_scan_at=now if scanning else None,
    )
    storage = attachment.file.storage
    # The name is chosen here, not by the storage, so that a write that fails half way
    # (a full disk) can be removed by it.
    name = attachment.file.field.generate_filename(attachment, clean.name)
    try:
        attachment.file.name = storage.save(name, ContentFile(clean.data))
    except OSError as error:
        _discard(name)
        logger.error("could not store an upload for case %s: %s", case.pk, error)
        if error.errno in {errno.ENOSPC, errno.EDQUOT}:
            message = _(
                "The city could not store %(name)s just now (no space left). Try again later."
            )
        else:
            message = _("The city could not store %(name)s just now. Try again later.")
        raise UploadRejected(message % {"name": clean.name}) from error
    try:
        attachment.save()
        CaseEvent.objects.create(
            case=case,
            kind=EventKind.ATTACHMENT,
            actor=uploaded_by,
            payload={"attachment": attachment.pk, "name": clean.name, "purpose": purpose},
            public=public,
        )
    except BaseException:
        _discard(attachment.file.name)
        raise
    if scanning:
        transaction.on_commit(lambda: _enqueue_scan(attachment.pk))
    return attachment


def _enqueue_scan(pk: int, *, run_after=None) -> None:
    from .tasks import scan_attachment

    (scan_attachment if run_after is None else scan_attachment.using(run_after=run_after)).enqueue(
        pk
    )


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min … at most an hour between tries while clamd is away."""
    base = settings.CITYHALL_SCAN_RETRY_SECONDS
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 3600))


def scan_held_file(*, attachment_id: int) -> str:
    """Scans one held file and applies the verdict; returns the file's status. Safe to run twice:
    the scan happens outside any transaction (it may take seconds), and the
    verdict is applied only to a row that is still held."""
    attachment = Attachment.objects.filter(pk=attachment_id).first()
    if attachment is None or attachment.scan_status != ScanStatus.HELD:
        return attachment.scan_status if attachment else "gone"
    if not settings.CLAMAV_URL:
        # Scanning was switched off while files were waiting: release them as any new file is.
        return _release(attachment_id, detail="released without a scan (CLAMAV_URL unset)")
    try:
        with attachment.file.open("rb") as handle:
            data = handle.read()
        verdict = scan_bytes(settings.CLAMAV_URL, data, timeout=settings.CITYHALL_SCAN_TIMEOUT)
    except ScannerUnavailable as error:
        return _retry_later(attachment_id, str(error))
    except OSError as error:  # the file cannot be read back: try again, it stays held
        return _retry_later(attachment_id, f"{error.__class__.__name__}: {error}")
    if verdict.infected:
        return _remove_infected(attachment_id, verdict.signature)
    return _release(attachment_id, detail="clean")


@transaction.atomic
def _release(pk: int, *, detail: str) -> str:
    Attachment.objects.filter(pk=pk, scan_status=ScanStatus.HELD).update(
        scan_status=ScanStatus.RELEASED,
        scanned_at=timezone.now(),
        next_scan_at=None,
        scan_detail=detail[:300],
    )
    return ScanStatus.RELEASED


@transaction.atomic
def _retry_later(pk: int, detail: str) -> str:
    attachment = Attachment.objects.select_for_update().filter(pk=pk).first()
    if attachment is None or attachment.scan_status != ScanStatus.HELD:
        return attachment.scan_status if attachment else "gone"
    attachment.scan_attempts += 1
    attachment.next_scan_at = timezone.now() + backoff(attachment.scan_attempts)
    attachment.scan_detail = detail[:300]
    attachment.save(update_fields=["scan_attempts", "next_scan_at", "scan_detail"])
    logger.warning("virus scan of attachment %s postponed: %s", pk, detail)
    run_after = attachment.next_scan_at
    transaction.on_commit(lambda: _enqueue_scan(pk, run_after=run_after))
    return ScanStatus.HELD


@transaction.atomic
def _remove_infected(pk: int, signature: str) -> str:
    attachment = Attachment.objects.select_for_update().select_related("case").get(pk=pk)
    if attachment.scan_status != ScanStatus.HELD:
        return attachment.scan_status
    stored = attachment.file.name
    attachment.scan_status = ScanStatus.INFECTED
    attachment.scanned_at, attachment.next_scan_at = timezone.now(), None
    attachment.scan_detail = signature[:300]
    attachment.file = ""
    attachment.save(
        update_fields=["scan_status", "scanned_at", "next_scan_at", "scan_detail", "file"]
    )
    case = attachment.case
    CaseEvent.objects.create(
        case=case,
        kind=EventKind.FILE_INFECTED,
        payload={"attachment": pk, "name": attachment.original_name, "signature": signature},
        public=True,
    )
    recipient = (
        attachment.uploaded_by.email
        if attachment.uploaded_by_id and attachment.uploaded_by.email
        else case.contact_email
    )
    if recipient:
        from cityhall.notifications.services import notify

        notify(
            to=recipient,
            kind="upload_infected",
            language=case.language,
            case=case,
            context={"file_name": attachment.original_name},
        )
    logger.warning("attachment %s on case %s held a virus (%s)", pk, case.pk, signature)
    transaction.on_commit(lambda: _discard(stored))
    return ScanStatus.INFECTED


def requeue_held_scans(*, now=None) -> int:
    """Safety net run by the worker: queues scans of held files whose task was lost."""
    now = now or timezone.now()
    due = list(
        Attachment.objects.filter(
            scan_status=ScanStatus.HELD, next_scan_at__lte=now - timedelta(minutes=2)
        ).values_list("pk", flat=True)[:1000]
    )
    for pk in due:
        _enqueue_scan(pk)
    return len(due)
