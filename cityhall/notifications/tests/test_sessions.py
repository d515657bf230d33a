"""A worker keeps one mail-server session for a burst of emails, and never loses
or doubles an email when the server has dropped that session."""

from __future__ import annotations

from cityhall.notifications.models import Status
from cityhall.notifications.services import deliver, notify


def _queued(n: int) -> list[int]:
    return [
        notify(
            to=f"resident{i}@example.org",
            kind="queue_overdue",
            language="en",
            context={"service_name": "Lost property", "count": 2, "oldest_submitted_at": None},
            queue_delivery=False,
        ).pk
        for i in range(n)
    ]


def test_a_burst_of_emails_goes_out_on_one_session(db, smtp_server):
    for pk in _queued(3):
        assert deliver(pk) == Status.DELIVERED
    assert len(smtp_server.recorder.messages) == 3
    assert len(set(smtp_server.recorder.peers)) == 1


def test_a_session_the_server_dropped_is_replaced_without_losing_or_doubling(db, smtp_server):
    first, second = _queued(2)
    assert deliver(first) == Status.DELIVERED
    smtp_server.stop()  # the server goes away, and comes back on the same port
    smtp_server.start()
    assert deliver(second) == Status.DELIVERED
    recorder = smtp_server.recorder
    assert sorted(str(m["To"]) for m in recorder.messages) == [
        "resident0@example.org",
        "resident1@example.org",
    ]
    assert len(set(recorder.peers)) == 2


def test_an_idle_session_is_not_reused(db, smtp_server, settings):
    settings.CITYHALL_SMTP_IDLE_SECONDS = 0
    for pk in _queued(2):
        assert deliver(pk) == Status.DELIVERED
    assert len(set(smtp_server.recorder.peers)) == 2


def test_a_session_carries_at_most_the_configured_number_of_messages(db, smtp_server, settings):
    settings.CITYHALL_SMTP_MESSAGES_PER_CONNECTION = 2
    for pk in _queued(5):
        assert deliver(pk) == Status.DELIVERED
    peers = smtp_server.recorder.peers
    assert len(peers) == 5 and len(set(peers)) == 3


def test_after_a_refusal_the_next_email_still_goes_out(db, smtp_server):
    refused, accepted = _queued(2)
    smtp_server.recorder.refuse.add("resident0@example.org")
    assert deliver(refused) == Status.PERMANENT_FAILURE
    assert deliver(accepted) == Status.DELIVERED
    assert [str(m["To"]) for m in smtp_server.recorder.messages] == ["resident1@example.org"]
