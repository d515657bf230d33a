from datetime import timedelta

import pytest
from django.utils import timezone

from cityhall.cases import services
from cityhall.cases.errors import IllegalTransition, NotAllowed, ReasonRequired
from cityhall.cases.models import Case, CaseEvent, EventKind, PersonalDataView
from cityhall.cases.workflow import APPLICANT, SYSTEM, State, Transition, Workflow


def test_open_case_gets_reference_initial_state_and_timeline(sample_service, db):
    case = services.open_case(
        service="sample", contact_email=" Ana@Example.ORG ", channel="counter"
    )
    assert case.reference.startswith("SP-")
    assert case.status == "draft"
    assert case.contact_email == "ana@example.org"
    assert case.submitted_at is None
    assert list(case.events.values_list("kind", flat=True)) == [EventKind.CREATED]


def test_submit_starts_the_clock(submitted_case):
    case = submitted_case
    assert case.status == "submitted"
    assert case.submitted_at is not None
    assert case.expected_decision_at == case.submitted_at + timedelta(days=5)
    event = case.events.get(kind=EventKind.STATUS_CHANGED)
    assert (event.from_status, event.to_status, event.public) == ("draft", "submitted", True)


def test_staff_decide_and_the_timeline_records_who(submitted_case, make_user):
    officer = make_user("rev@staff.example.org", roles=["permit_reviewer"])
    services.transition_case(case=submitted_case, transition="approve", actor=officer)
    case = Case.objects.get(pk=submitted_case.pk)
    assert case.status == "approved"
    assert case.decided_by == officer
    assert case.decided_at and case.closed_at
    last = case.events.last()
    assert (last.actor, last.from_status, last.to_status) == (officer, "submitted", "approved")


def test_illegal_transition_changes_nothing(submitted_case, make_user):
    officer = make_user("rev@staff.example.org", roles=["permit_reviewer"])
    services.transition_case(case=submitted_case, transition="approve", actor=officer)
    events_before = CaseEvent.objects.count()
    with pytest.raises(IllegalTransition):
        services.transition_case(
            case=submitted_case, transition="reject", actor=officer, reason="late"
        )
    with pytest.raises(IllegalTransition):
        services.transition_case(case=submitted_case, transition="no-such-step", actor=officer)
    assert CaseEvent.objects.count() == events_before
    assert Case.objects.get(pk=submitted_case.pk).status == "approved"


def test_roles_are_enforced(submitted_case, make_user):
    clerk = make_user("clerk@staff.example.org", roles=["finance_clerk"])
    admin = make_user("admin@staff.example.org", roles=["city_admin"])
    for actor in (clerk, admin, None):
        with pytest.raises(NotAllowed):
            services.transition_case(case=submitted_case, transition="approve", actor=actor)
    with pytest.raises(NotAllowed):
        services.transition_case(case=submitted_case, transition="approve", acting_as=APPLICANT)
    assert Case.objects.get(pk=submitted_case.pk).status == "submitted"


def test_reason_required(submitted_case, make_user):
    officer = make_user("rev@staff.example.org", roles=["permit_reviewer"])
    with pytest.raises(ReasonRequired):
        services.transition_case(
            case=submitted_case, transition="reject", actor=officer, reason="   "
        )
    services.transition_case(
        case=submitted_case, transition="reject", actor=officer, reason="Outside the city"
    )
    assert submitted_case.events.last().reason == "Outside the city"


def test_on_enter_hooks_run_in_the_same_transaction(sample_service, submitted_case, make_user):
    officer = make_user("rev@staff.example.org", roles=["permit_reviewer"])
    seen = []

    def hook(case, event):
        seen.append((case.status, event.to_status))
        raise RuntimeError("mail server exploded")

    sample_service.workflow.enter("approved", hook)
    try:
        with pytest.raises(RuntimeError):
            services.transition_case(case=submitted_case, transition="approve", actor=officer)
    finally:
        sample_service.workflow.on_enter.pop("approved")
    assert seen == [("approved", "approved")]
    # The hook failed, so the whole change rolled back.
    assert Case.objects.get(pk=submitted_case.pk).status == "submitted"
    assert not CaseEvent.objects.filter(to_status="approved").exists()


def test_deadline_reminder_then_timeout_runs_once(sample_service, submitted_case, make_user):
    officer = make_user("rev@staff.example.org", roles=["permit_reviewer"])
    services.transition_case(
        case=submitted_case, transition="request_info", actor=officer, reason="Send a photo"
    )
    case = Case.objects.get(pk=submitted_case.pk)
    assert case.deadline_at - case.status_changed_at == timedelta(days=15)
    reminded = []
    sample_service.workflow.remind("info_requested", lambda c, e: reminded.append(c.pk))
    try:
        assert services.process_deadlines() == {"reminders": 0, "timeouts": 0}
        soon = case.deadline_at - timedelta(days=2)
        assert services.process_deadlines(now=soon) == {"reminders": 1, "timeouts": 0}
        assert services.process_deadlines(now=soon) == {"reminders": 0, "timeouts": 0}
        later = case.deadline_at + timedelta(minutes=1)
        assert services.process_deadlines(now=later) == {"reminders": 0, "timeouts": 1}
        assert services.process_deadlines(now=later) == {"reminders": 0, "timeouts": 0}
    finally:
        sample_service.workflow.on_reminder.pop("info_requested")
    case.refresh_from_db()
    assert case.status == "expired" and case.closed_at and case.deadline_at is None
    assert reminded == [case.pk]
    assert case.events.filter(kind=EventKind.REMINDER).count() == 1


def test_resubmitting_clears_the_deadline(submitted_case, make_user):
    officer = make_user("rev@staff.example.org", roles=["permit_reviewer"])
    services.transition_case(
        case=submitted_case, transition="request_info", actor=officer, reason="Photo please"
    )
    services.transition_case(case=submitted_case, transition="resubmit", acting_as=APPLICANT)
    case = Case.objects.get(pk=submitted_case.pk)
    assert case.status == "submitted" and case.deadline_at is None
    assert services.process_deadlines(now=timezone.now() + timedelta(days=30))["timeouts"] == 0


def test_only_the_system_expires_and_it_takes_no_actor(submitted_case, make_user):
    officer = make_user("rev@staff.example.org", roles=["permit_reviewer"])
    services.transition_case(
        case=submitted_case, transition="request_info", actor=officer, reason="Photo"
    )
    with pytest.raises(NotAllowed):
        services.transition_case(case=submitted_case, transition="expire", actor=officer)
    with pytest.raises(ValueError):
        services.transition_case(
            case=submitted_case, transition="expire", actor=officer, acting_as=SYSTEM
        )
    services.transition_case(case=submitted_case, transition="expire", acting_as=SYSTEM)
    assert Case.objects.get(pk=submitted_case.pk).status == "expired"


def test_assign_only_to_people_who_work_the_service(submitted_case, make_user):
    officer = make_user("rev@staff.example.org", roles=["permit_reviewer"])
    clerk = make_user("clerk@staff.example.org", roles=["finance_clerk"])
    services.assign_case(case=submitted_case, assignee=officer, actor=officer)
    assert Case.objects.get(pk=submitted_case.pk).assigned_to == officer
    with pytest.raises(NotAllowed):
        services.assign_case(case=submitted_case, assignee=clerk, actor=officer)


def test_personal_data_views_are_logged(submitted_case, make_user):
    officer = make_user("rev@staff.example.org", roles=["permit_reviewer"])
    services.record_personal_data_view(case=submitted_case, viewer=officer, what="case page")
    assert PersonalDataView.objects.get().viewer == officer


def test_workflow_tables_are_checked_when_built():
    with pytest.raises(ValueError):
        Workflow.build(initial="x", states=[State("a", "A")], transitions=[])
    with pytest.raises(ValueError):
        Workflow.build(
            initial="a", states=[State("a", "A")], transitions=[Transition("t", ("a",), "b", "T")]
        )
    with pytest.raises(ValueError):
        Workflow.build(
            initial="a", states=[State("a", "A", deadline=timedelta(days=1))], transitions=[]
        )


def test_taking_a_case_someone_holds_is_refused(submitted_case, make_user):
    from cityhall.cases.errors import AlreadyTaken

    first = make_user("a@staff.example.org", roles=["permit_reviewer"], full_name="Alex First")
    second = make_user("b@staff.example.org", roles=["permit_reviewer"])
    services.claim_case(case=submitted_case, actor=first)
    services.claim_case(case=submitted_case, actor=first)  # again: still theirs, no error
    with pytest.raises(AlreadyTaken, match="Alex First"):
        services.claim_case(case=Case.objects.get(pk=submitted_case.pk), actor=second)
    assert Case.objects.get(pk=submitted_case.pk).assigned_to == first
