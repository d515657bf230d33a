import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django_tasks_db.models import DBTaskResult

from cityhall.notifications import services
from cityhall.notifications.models import Notification, Status
from cityhall.notifications.services import Attachment, deliver, notify


def _notify(to="ana@example.org", **extra):
    return notify(
        to=to,
        kind="queue_overdue",
        language=extra.pop("language", "en"),
        context={
            "service_name": "Lost property",
            "count": 2,
            "oldest_reference": "LP-2026-00001-A",
            "oldest_submitted_at": None,
        },
        **extra,
    )


def test_notify_persists_with_its_delivery_task_in_one_transaction(db):
    from django.db import transaction

    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        _notify(to="rolled-back@example.org")
        assert DBTaskResult.objects.count() == 1
        raise Abort
    assert not Notification.objects.exists() and not DBTaskResult.objects.exists()
    notification = _notify()
    assert DBTaskResult.objects.get().args_kwargs["args"] == [notification.pk]
    assert notification.status == Status.QUEUED
    assert notification.subject == "Lost property: 2 requests are past their target"
    assert "2 requests in the Lost property queue" in notification.body_text
    assert notification.body_html.startswith("<!DOCTYPE html>")
    assert 'lang="en"' in notification.body_html


@pytest.mark.parametrize("claim", [False, True])
def test_an_email_with_no_address_is_kept_never_sent_and_says_why(db, mailoutbox, claim):
    """A caller booked through staff may give only a phone number: every email
    the booking would send is written, marked not sent, and staff see why."""
    notification = _notify(to="  ", claim=claim, queue_delivery=True)
    assert notification.status == Status.PERMANENT_FAILURE
    assert notification.last_error == services.NO_ADDRESS
    assert not DBTaskResult.objects.exists()  # nothing to deliver
    assert deliver(notification.pk, notification=notification) == "skipped"
    assert deliver(notification.pk) == "skipped"
    assert not mailoutbox
    services.requeue_stuck()
    assert Notification.objects.get().status == Status.PERMANENT_FAILURE


def test_no_address_is_on_the_case_timeline(db, sample_service):
    from cityhall.cases.models import EventKind
    from cityhall.cases.services import open_case

    case = open_case(service=sample_service.code, contact_name="Rosa Díaz")
    _notify(to="", case=case)
    [event] = case.events.filter(kind=EventKind.EMAIL)
    assert event.payload["outcome"] == services.NO_ADDRESS


def test_text_part_is_not_html_escaped(db):
    notification = notify(
        to="a@example.org",
        kind="queue_overdue",
        context={
            "service_name": "Parks & <Rec>",
            "count": 1,
            "oldest_reference": "X",
            "oldest_submitted_at": None,
        },
    )
    assert "Parks & <Rec>" in notification.body_text
    assert "Parks &amp; &lt;Rec&gt;" in notification.body_html


def test_delivered_with_stable_message_id_and_attachment(db, smtp_server):
    name = default_storage.save("documents/test/report.pdf", ContentFile(b"%PDF-1.4 report"))
    notification = _notify(attachments=[Attachment("report.pdf", "application/pdf", name)])
    assert deliver(notification.pk) == Status.DELIVERED
    notification.refresh_from_db()
    assert (
        notification.status == Status.DELIVERED
        and notification.sent_at
        and notification.attempts == 1
    )
    [message] = smtp_server.recorder.messages
    assert message["Message-ID"] == notification.message_id
    assert message["To"] == "ana@example.org"
    assert message.get_body(("html",)) is not None
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == "report.pdf"
    assert attachment.get_content() == b"%PDF-1.4 report"


def test_delivering_twice_sends_once(db, smtp_server):
    notification = _notify()
    assert deliver(notification.pk) == Status.DELIVERED
    assert deliver(notification.pk) == "skipped"
    assert len(smtp_server.recorder.messages) == 1


def test_server_down_then_back_is_retried_not_lost(db, smtp_server):
    notification = _notify()
    smtp_server.stop()
    assert deliver(notification.pk) == Status.QUEUED
    notification.refresh_from_db()
    assert notification.attempts == 1 and "Connection" in notification.last_error
    smtp_server.start()
    assert deliver(notification.pk) == Status.DELIVERED
    assert len(smtp_server.recorder.messages) == 1


def test_temporary_refusal_is_retried(db, smtp_server):
    notification = _notify()
    smtp_server.recorder.busy = True
    assert deliver(notification.pk) == Status.QUEUED
    smtp_server.recorder.busy = False
    assert deliver(notification.pk) == Status.DELIVERED


def test_refused_address_is_a_permanent_failure(db, smtp_server):
    smtp_server.recorder.refuse.add("nobody@example.org")
    notification = _notify(to="nobody@example.org")
    assert deliver(notification.pk) == Status.PERMANENT_FAILURE
    assert deliver(notification.pk) == "skipped"
    assert not smtp_server.recorder.messages


def test_retries_run_out_into_technical_failure(db, smtp_server, settings):
    settings.CITYHALL_EMAIL_MAX_ATTEMPTS = 3
    notification = _notify()
    smtp_server.stop()
    assert [deliver(notification.pk) for _ in range(3)] == [
        Status.QUEUED,
        Status.QUEUED,
        Status.TECHNICAL_FAILURE,
    ]
    notification.refresh_from_db()
    assert notification.attempts == 3


def test_backoff_doubles_and_is_capped(settings):
    settings.CITYHALL_EMAIL_RETRY_SECONDS = 30
    assert [services.backoff(n).total_seconds() for n in (1, 2, 3, 9)] == [30, 60, 120, 3600]


def test_requeue_stuck_frees_dead_sends(db):
    from datetime import timedelta

    from django.utils import timezone

    notification = _notify()
    Notification.objects.filter(pk=notification.pk).update(
        status=Status.SENDING, updated_at=timezone.now() - timedelta(minutes=11)
    )
    assert services.requeue_stuck() >= 1
    assert Notification.objects.get(pk=notification.pk).status == Status.QUEUED


def test_the_caller_delivering_what_it_just_wrote_reads_nothing_back(db, smtp_server):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    name = default_storage.save("documents/test/now.pdf", ContentFile(b"%PDF-1.4 now"))
    notification = _notify(
        queue_delivery=False, attachments=[Attachment("now.pdf", "application/pdf", name)]
    )
    with CaptureQueriesContext(connection) as queries:
        assert deliver(notification.pk, notification=notification) == Status.DELIVERED
    statements = [q["sql"] for q in queries.captured_queries]
    assert not [s for s in statements if s.startswith("SELECT")], statements
    [message] = smtp_server.recorder.messages
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content() == b"%PDF-1.4 now"
    stored = Notification.objects.get(pk=notification.pk)
    assert (stored.status, stored.attempts) == (Status.DELIVERED, 1)
    # Delivered once: the row's claim, not the object in hand, decides.
    assert deliver(notification.pk, notification=notification) == "skipped"
    assert len(smtp_server.recorder.messages) == 1


def test_a_failed_send_of_what_the_caller_just_wrote_is_retried_later(db, smtp_server):
    notification = _notify(queue_delivery=False)
    smtp_server.stop()
    assert deliver(notification.pk, notification=notification) == Status.QUEUED
    stored = Notification.objects.get(pk=notification.pk)
    assert stored.attempts == 1 and stored.next_attempt_at and "Connection" in stored.last_error
    smtp_server.start()
    assert deliver(notification.pk) == Status.DELIVERED
    assert Notification.objects.get(pk=notification.pk).attempts == 2


def test_an_email_written_claimed_is_sent_without_claiming_it_again(db, smtp_server):
    from datetime import timedelta

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    notification = _notify(queue_delivery=False, claim=True)
    stored = Notification.objects.get(pk=notification.pk)
    assert (stored.status, stored.attempts) == (Status.SENDING, 1)
    assert not DBTaskResult.objects.exists()  # no task: the caller sends it
    with CaptureQueriesContext(connection) as queries:
        assert deliver(notification.pk, notification=notification) == Status.DELIVERED
    updates = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
    assert len(updates) == 1 and "'delivered'" in updates[0], updates  # no claim first
    assert len(smtp_server.recorder.messages) == 1
    stored = Notification.objects.get(pk=notification.pk)
    assert (stored.status, stored.attempts) == (Status.DELIVERED, 1)
    # The claim in hand is used once: another call finds the row sent.
    assert deliver(notification.pk, notification=notification) == "skipped"
    assert deliver(notification.pk) == "skipped"
    assert len(smtp_server.recorder.messages) == 1

    # A worker that died between writing it and sending it: freed after ten minutes.
    lost = _notify(queue_delivery=False, claim=True)
    assert services.requeue_stuck() == 0
    Notification.objects.filter(pk=lost.pk).update(
        updated_at=timezone.now() - timedelta(minutes=11)
    )
    assert services.requeue_stuck() >= 1
    assert Notification.objects.get(pk=lost.pk).status == Status.QUEUED
    assert deliver(lost.pk) == Status.DELIVERED


def test_the_status_link_is_offered_once_the_status_page_opens(db, client, sample_service):
    """A case not submitted yet (a booking still held for payment) has no status
    page: its emails carry no link to one, instead of a link to a 404."""
    from django.utils import timezone

    from cityhall.cases.services import open_case

    case = open_case(service=sample_service.code, contact_name="Rosa Díaz")
    held = _notify(case=case)
    assert "/track/" not in held.body_text + held.body_html
    case.submitted_at = timezone.now()
    case.save(update_fields=["submitted_at"])
    submitted = _notify(case=case)
    link = next(w for w in submitted.body_text.split() if "/track/" in w)
    assert client.get(link.replace("http://testserver", "")).status_code == 200
