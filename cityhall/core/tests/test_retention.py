"""Every purge of personal data the platform keeps for itself deletes what is past
its retention and keeps what is not (the table in docs/operations.md)."""

from datetime import timedelta

from django.utils import timezone

from cityhall.core import tasks
from cityhall.core.models import IdempotencyRecord, WorkerHeartbeat


def _days_ago(days):
    return timezone.now() - timedelta(days=days)


def test_housekeeping_purge(db, settings):
    from axes.models import AccessAttempt, AccessLog
    from django.contrib.sessions.models import Session
    from django_tasks_db.models import DBTaskResult

    settings.CITYHALL_TASK_RESULT_RETENTION_DAYS = 14
    settings.CITYHALL_SIGNIN_LOG_RETENTION_DAYS = 365
    for name, seen in [("dead", _days_ago(2)), ("alive", timezone.now())]:
        WorkerHeartbeat.objects.create(
            worker_id=name, hostname="h", pid=1, started_at=seen, last_seen_at=seen
        )
    for key, expires in [("old", _days_ago(1)), ("live", _days_ago(-1))]:
        Session.objects.create(session_key=key, session_data="x", expire_date=expires)
    for who, when in [("old@example.org", _days_ago(366)), ("new@example.org", _days_ago(10))]:
        log = AccessLog.objects.create(username=who, ip_address="192.0.2.1", user_agent="t")
        AccessLog.objects.filter(pk=log.pk).update(attempt_time=when)
        attempt = AccessAttempt.objects.create(
            username=who, ip_address="192.0.2.1", user_agent="t", failures_since_start=1
        )
        AccessAttempt.objects.filter(pk=attempt.pk).update(attempt_time=when)
    ping = tasks.ping.enqueue()
    queued = tasks.ping.enqueue()
    DBTaskResult.objects.filter(pk=ping.id).update(status="SUCCESSFUL", finished_at=_days_ago(15))

    counts = tasks.purge_platform_records.call()

    assert counts == {
        "task_results": 1,
        "sessions": 1,
        "heartbeats": 1,
        "signin_attempts": 1,
        "signin_log": 1,
        "signin_failures": 0,
    }
    assert list(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == ["alive"]
    assert list(Session.objects.values_list("session_key", flat=True)) == ["live"]
    assert list(AccessLog.objects.values_list("username", flat=True)) == ["new@example.org"]
    assert DBTaskResult.objects.filter(pk=queued.id).exists()  # not finished: kept


def test_idempotency_records_go_after_thirty_days(db):
    for key, days in [("old", 31), ("new", 29)]:
        record = IdempotencyRecord.objects.create(
            key=key, request_sha256="0" * 64, response_status=201, response_body={}
        )
        IdempotencyRecord.objects.filter(pk=record.pk).update(created_at=_days_ago(days))
    assert tasks.purge_idempotency_records.call() == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new"]


def test_emails_not_tied_to_a_case_go_after_their_retention(db, settings):
    from cityhall.notifications.models import Notification
    from cityhall.notifications.tasks import purge_old_emails

    settings.CITYHALL_EMAIL_RETENTION_DAYS = 90
    for to, days in [("old@example.org", 91), ("new@example.org", 89)]:
        Notification.objects.create(
            kind="k", to_email=to, subject="s", body_text="b", created_at=_days_ago(days)
        )
    assert purge_old_emails.call() == 1
    assert list(Notification.objects.values_list("to_email", flat=True)) == ["new@example.org"]


def test_payment_provider_bodies_are_emptied_after_their_retention(db, settings):
    from cityhall.payments.models import WebhookEvent
    from cityhall.payments.models_sandbox import SandboxSession
    from cityhall.payments.tasks import purge_provider_payloads

    settings.CITYHALL_PAYMENT_PAYLOAD_RETENTION_DAYS = 400
    body = {"data": {"object": {"customer_email": "ana@example.org"}}}
    for event_id, days in [("evt_old", 401), ("evt_new", 399)]:
        WebhookEvent.objects.create(
            provider="sandbox",
            event_id=event_id,
            event_type="checkout.session.completed",
            payload=body,
            received_at=_days_ago(days),
        )
    session = SandboxSession.objects.create(
        id="cs_old",
        amount_cents=100,
        currency="USD",
        description="INV",
        client_reference="INV",
        customer_email="ana@example.org",
        success_url="http://x/",
        cancel_url="http://x/",
        expires_at=_days_ago(400),
        created_at=_days_ago(401),
    )
    assert purge_provider_payloads.call() == 1
    kept = dict(WebhookEvent.objects.values_list("event_id", "payload"))
    assert kept == {"evt_old": {}, "evt_new": body}  # the id stays: redeliveries stay no-ops
    session.refresh_from_db()
    assert session.customer_email == ""
