from datetime import timedelta

from django.utils import timezone

from cityhall.cases import services as cases
from cityhall.cases.models import Case, EventKind
from cityhall.cases.workflow import APPLICANT
from cityhall.notifications.alerts import alert_overdue_queues
from cityhall.notifications.models import Notification, Status
from cityhall.notifications.services import deliver, notify


def _submitted(**extra):
    case = cases.open_case(
        service="sample", contact_email="ana@example.org", language=extra.get("language", "en")
    )
    cases.transition_case(case=case, transition="submit", acting_as=APPLICANT)
    return case


def test_case_email_carries_reference_and_a_signed_status_link(
    sample_service, db, smtp_server, client
):
    case = _submitted()
    notification = notify(
        to=case.contact_email,
        kind="queue_overdue",
        case=case,
        language=case.language,
        context={
            "service_name": "S",
            "count": 1,
            "oldest_reference": "X",
            "oldest_submitted_at": None,
        },
    )
    assert case.reference in notification.body_text
    link = next(line for line in notification.body_text.splitlines() if "/track/" in line).split(
        ": ", 1
    )[1]
    assert client.get(link.replace("http://127.0.0.1:8000", "")).status_code == 200
    deliver(notification.pk)
    outcomes = [e.payload["outcome"] for e in case.events.filter(kind=EventKind.EMAIL)]
    assert outcomes == ["queued", "delivered"]
    assert not case.events.filter(kind=EventKind.EMAIL, public=True).exists()


def test_failure_outcome_is_on_the_timeline(sample_service, db, smtp_server):
    smtp_server.recorder.refuse.add("gone@example.org")
    case = _submitted()
    notification = notify(
        to="gone@example.org",
        kind="queue_overdue",
        case=case,
        context={
            "service_name": "S",
            "count": 1,
            "oldest_reference": "X",
            "oldest_submitted_at": None,
        },
    )
    assert deliver(notification.pk) == Status.PERMANENT_FAILURE
    assert (
        case.events.filter(kind=EventKind.EMAIL).last().payload["outcome"]
        == Status.PERMANENT_FAILURE
    )


def test_supervisors_are_alerted_once_a_day_about_overdue_queues(sample_service, db, make_user):
    boss = make_user("boss@staff.example.org", roles=["city_admin"], preferred_language="es")
    make_user("other@staff.example.org", roles=["analyst"])
    fresh = _submitted()
    assert alert_overdue_queues() == []
    late = _submitted()
    Case.objects.filter(pk=late.pk).update(
        submitted_at=timezone.now() - timedelta(days=9),
        expected_decision_at=timezone.now() - timedelta(days=4),
    )
    assert alert_overdue_queues() == ["sample"]
    assert alert_overdue_queues() == []  # not again today
    [email] = Notification.objects.filter(kind="queue_overdue")
    assert email.to_email == boss.email and email.language == "es"
    assert late.reference in email.body_text and fresh.reference not in email.body_text
