"""Email that is never lost.

`notify(...)` renders the email in the resident's language and writes it, and
its delivery task, in the caller's transaction: both exist or neither does. `deliver(...)`
claims the row with a conditional UPDATE (so a task run twice sends once),
sends through Django's email backend, and records the outcome: delivered,
retried later with exponential backoff when the server is down or answers
4xx, `permanent_failure` when it refuses the address (5xx),
`technical_failure` when the retries run out. Final outcomes go on the case
timeline for staff.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from cityhall.core.city import city_name

from .connections import send_with_shared_session
from .models import FINAL, Notification, NotificationAttachment, Status

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    storage_name: str


def render_email(kind: str, *, language: str, context: dict) -> tuple[str, str, str]:
    """(subject, text, html) from notifications/<kind>/{subject.txt,body.txt,body.html}."""
    base = {
        "CITY_NAME": city_name(language),
        "SITE_URL": settings.CITY_SITE_URL,
        "LANGUAGE_CODE": language,
        **context,
    }
    with translation.override(language):
        subject = " ".join(render_to_string(f"notifications/{kind}/subject.txt", base).split())
        text = render_to_string(f"notifications/{kind}/body.txt", base).strip() + "\n"
        html = render_to_string(f"notifications/{kind}/body.html", {**base, "subject": subject})
    return subject, text, html


def _case_context(case) -> dict:
    if case is None:
        return {}
    from cityhall.cases.selectors import status_url, tracking_token

    return {
        "case": case,
        "reference": case.reference,
        "token": tracking_token(case),  # links that act on the case (police: amend)
        # The status page opens once the case is submitted (cases.views_public):
        # no link to a 404 from a booking still held, or a waitlist offer.
        "status_url": status_url(case) if case.submitted_at else "",
    }


NO_ADDRESS = "no email address"


# No savepoint inside the caller's transaction: nothing here is caught and
# retried, so a failure fails the caller's transaction, as it should.
@transaction.atomic(savepoint=False)
def notify(
    *,
    to: str,
    kind: str,
    language: str = "en",
    context: dict | None = None,
    case=None,
    attachments: tuple[Attachment, ...] | list[Attachment] = (),
    queue_delivery: bool = True,
    claim: bool = False,
) -> Notification:
    """Persists an email and, in the same transaction, its delivery task.

    A worker task that will call `deliver()` itself right after its own commit
    passes queue_delivery=False and saves a task; if that worker dies first,
    `requeue_stuck` queues the email a couple of minutes later. With
    `claim=True` the row is also written already claimed by that caller
    (status sending, first attempt) and the timeline gets no "queued" entry,
    only the outcome: `deliver(pk, notification=...)` then sends it without
    claiming it again; a worker dying before that leaves it for `requeue_stuck`
    to free after ten minutes, as any email left sending.

    With no address (`to` blank: a caller booked through staff who gave only a
    phone number) the email is kept as written but never sent: it is recorded
    as failed for good, "no email address", on the case's timeline too, so
    staff know to tell the person another way."""
    language = language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
    to = (to or "").strip()
    subject, text, html = render_email(
        kind, language=language, context={**_case_context(case), **(context or {})}
    )
    now = timezone.now()
    if not to:
        state = {"status": Status.PERMANENT_FAILURE, "last_error": NO_ADDRESS}
        claim = queue_delivery = False
    elif claim:
        state = {"status": Status.SENDING, "attempts": 1}
    else:
        state = {}
    notification = Notification.objects.create(
        case=case,
        kind=kind,
        to_email=to,
        language=language,
        subject=subject[:300],
        body_text=text,
        body_html=html,
        created_at=now,
        updated_at=now,
        next_attempt_at=None if not to else now,
        **state,
    )
    notification._claimed_for_caller = claim
    files = NotificationAttachment.objects.bulk_create(
        NotificationAttachment(
            notification=notification,
            filename=a.filename,
            content_type=a.content_type,
            storage_name=a.storage_name,
        )
        for a in attachments
    )
    # As prefetch_related leaves them: deliver(notification=...) reads no row back.
    notification._prefetched_objects_cache = {"attachments": files}
    if case is not None and not claim:
        _timeline(notification, outcome="queued" if to else NO_ADDRESS)
    # The task row is written in this same transaction: it exists exactly when the email does.
    if queue_delivery and not claim:
        _enqueue(notification.pk)
    return notification


def _enqueue(pk: int, *, run_after=None) -> None:
    from .tasks import deliver_notification

    task = (
        deliver_notification
        if run_after is None
        else deliver_notification.using(run_after=run_after)
    )
    task.enqueue(pk)


def _timeline(notification: Notification, *, outcome: str) -> None:
    from cityhall.cases.models import EventKind
    from cityhall.cases.services import add_event

    add_event(
        case=notification.case,
        kind=EventKind.EMAIL,
        payload={
            "notification": notification.pk,
            "subject": notification.subject,
            "to": notification.to_email,
            "outcome": outcome,
            "attempts": notification.attempts,
        },
    )


def backoff(attempts: int) -> timedelta:
    base = settings.CITYHALL_EMAIL_RETRY_SECONDS
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 3600))


def _claim(pk: int) -> bool:
    now = timezone.now()
    return bool(
        Notification.objects.filter(pk=pk, status=Status.QUEUED)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(status=Status.SENDING, attempts=F("attempts") + 1, updated_at=now)
    )


def _message(notification: Notification, connection) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=notification.subject,
        body=notification.body_text,
        to=[notification.to_email],
        connection=connection,
        headers={"Message-ID": notification.message_id, "Content-Language": notification.language},
    )
    if notification.body_html:
        message.attach_alternative(notification.body_html, "text/html")
    for attachment in notification.attachments.all():
        with default_storage.open(attachment.storage_name, "rb") as handle:
            message.attach(attachment.filename, handle.read(), attachment.content_type)
    return message


def classify(error: BaseException) -> str:
    """'permanent' for an address the server refuses for good, else 'temporary'."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _msg in error.recipients.values()]
        return "permanent" if codes and all(500 <= code < 600 for code in codes) else "temporary"
    if isinstance(error, smtplib.SMTPResponseException) and 500 <= error.smtp_code < 600:
        return "permanent" if error.smtp_code in {550, 551, 553, 554} else "temporary"
    return "temporary"


def deliver(pk: int, *, connection=None, notification: Notification | None = None) -> str:
    """Sends one queued email; returns its status after this attempt. Safe to call twice.

    `notification`: the row as notify() returned it, when the caller delivers
    right after committing it (no need to read it and its attachments back);
    written with notify(claim=True), it is already claimed for this call."""
    mine = notification is not None and notification.pk == pk
    if mine and getattr(notification, "_claimed_for_caller", False):
        notification._claimed_for_caller = False  # once: a second call claims as usual
    elif not _claim(pk):
        return "skipped"
    elif not mine:
        notification = (
            Notification.objects.select_related("case").prefetch_related("attachments").get(pk=pk)
        )
    else:
        # What the claim just did to the row: the caller wrote it, nobody else had it.
        notification.status, notification.attempts = Status.SENDING, notification.attempts + 1
    try:
        if connection is not None:
            sent = _message(notification, connection).send(fail_silently=False)
        else:  # the worker's open session: no handshake per email
            sent = send_with_shared_session(
                lambda session: _message(notification, session).send(fail_silently=False)
            )
        if not sent:
            raise smtplib.SMTPException("the backend accepted nothing")
    except (TimeoutError, smtplib.SMTPException, OSError) as error:
        return _record_failure(notification, error)
    except Exception as error:  # a bug or a missing file: retried, then a visible failure
        logger.exception("email %s could not be built or sent", pk)
        return _record_failure(notification, error)
    now = timezone.now()
    with transaction.atomic():
        Notification.objects.filter(pk=pk).update(
            status=Status.DELIVERED, sent_at=now, updated_at=now, last_error=""
        )
        notification.status = Status.DELIVERED
        if notification.case_id:
            _timeline(notification, outcome=Status.DELIVERED)
    return Status.DELIVERED


@transaction.atomic
def _record_failure(notification: Notification, error: BaseException) -> str:
    now = timezone.now()
    detail = f"{error.__class__.__name__}: {error}"[:2000]
    if classify(error) == "permanent":
        status, next_at = Status.PERMANENT_FAILURE, None
    elif notification.attempts >= settings.CITYHALL_EMAIL_MAX_ATTEMPTS:
        status, next_at = Status.TECHNICAL_FAILURE, None
    else:
        status, next_at = Status.QUEUED, now + backoff(notification.attempts)
    Notification.objects.filter(pk=notification.pk).update(
        status=status, next_attempt_at=next_at, last_error=detail, updated_at=now
    )
    notification.status = status
    logger.warning(
        "email %s attempt %s: %s -> %s", notification.pk, notification.attempts, detail, status
    )
    if status in FINAL and notification.case_id:
        _timeline(notification, outcome=status)
    if next_at is not None:
        transaction.on_commit(lambda: _enqueue(notification.pk, run_after=next_at))
    return status


def requeue_stuck(*, now=None) -> int:
    """Safety net run by the worker every minute: queues due emails whose task was
    lost, and frees rows left 'sending' by a worker that died mid-send (these may
    go out twice; their stable Message-ID lets a mail system drop the copy)."""
    now = now or timezone.now()
    stuck = Notification.objects.filter(
        status=Status.SENDING, updated_at__lt=now - timedelta(minutes=10)
    )
    freed = stuck.update(status=Status.QUEUED, next_attempt_at=now, updated_at=now)
    due = list(
        Notification.objects.filter(
            status=Status.QUEUED, next_attempt_at__lte=now - timedelta(minutes=2)
        ).values_list("pk", flat=True)[:1000]
    )
    for pk in due:
        _enqueue(pk)
    return freed + len(due)
