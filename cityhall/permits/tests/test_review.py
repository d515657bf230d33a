"""Department review: parallel and sequential steps, who may act, corrections
with new document versions, conditions, denial, and corrections that lapse."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cityhall.cases.errors import NotAllowed
from cityhall.cases.services import process_deadlines
from cityhall.notifications.models import Notification
from cityhall.permits import review, services
from cityhall.permits.errors import NotEditable, NotYourDepartment, PermitError
from cityhall.permits.models import Permit, StepStatus

from .conftest import paid_application, pdf_upload, step_of

pytestmark = pytest.mark.django_db


def statuses(application):
    return {s.department.code: s.status for s in application.review_steps.all()}


def test_two_departments_review_in_parallel_and_the_last_approval_issues(
    types, applicant, department_reviewer
):
    application = paid_application(applicant, types["small-construction"])
    building, zoning = department_reviewer("building"), department_reviewer("zoning")
    review.approve_step(
        step=step_of(application, "building"), actor=building, note="Structure fine"
    )
    application.case.refresh_from_db()
    assert application.case.status == "in_review"
    assert statuses(application) == {"building": StepStatus.APPROVED, "zoning": StepStatus.PENDING}
    assert not Permit.objects.exists()
    review.approve_step(step=step_of(application, "zoning"), actor=zoning)
    application.case.refresh_from_db()
    assert application.case.status == "issued"
    assert application.case.decided_by == zoning
    assert Permit.objects.filter(application=application).exists()


def test_sequential_steps_open_one_stage_after_another(types, applicant, reviewer):
    application = paid_application(applicant, types["food-truck"])
    assert statuses(application) == {"health": StepStatus.PENDING, "fire": StepStatus.WAITING}
    with pytest.raises(PermitError):
        review.approve_step(step=step_of(application, "fire"), actor=reviewer)
    review.approve_step(step=step_of(application, "health"), actor=reviewer)
    assert statuses(application) == {"health": StepStatus.APPROVED, "fire": StepStatus.PENDING}
    review.approve_step(step=step_of(application, "fire"), actor=reviewer)
    application.case.refresh_from_db()
    assert application.case.status == "issued"


def test_only_the_steps_department_or_a_reviewer_without_one_may_decide(
    types, applicant, department_reviewer, reviewer, make_user
):
    application = paid_application(applicant, types["small-construction"])
    building = department_reviewer("building")
    with pytest.raises(NotYourDepartment):
        review.approve_step(step=step_of(application, "zoning"), actor=building)
    clerk = make_user("clerk@staff.example.org", roles=["finance_clerk"])
    with pytest.raises(NotAllowed):
        review.approve_step(step=step_of(application, "zoning"), actor=clerk)
    assert statuses(application)["zoning"] == StepStatus.PENDING
    review.approve_step(step=step_of(application, "zoning"), actor=reviewer)  # no department: any


def test_corrections_are_new_versions_then_review_goes_on(types, applicant, department_reviewer):
    application = paid_application(applicant, types["small-construction"])
    building, zoning = department_reviewer("building"), department_reviewer("zoning")
    review.approve_step(step=step_of(application, "zoning"), actor=zoning)
    Notification.objects.all().delete()
    review.request_corrections(
        step=step_of(application, "building"),
        actor=building,
        message="Show the distance to the rear property line.",
        documents=["site-plan"],
    )
    application.case.refresh_from_db()
    assert application.case.status == "corrections"
    [email] = Notification.objects.filter(kind="permit_corrections")
    assert "rear property line" in email.body_text and "Site plan" in email.body_text
    # Nothing else can be edited, and only the named document gets a new version.
    with pytest.raises(NotEditable):
        services.save_details(application=application, description="x", answers={})
    with pytest.raises(NotEditable):
        review.upload_correction(
            application=application,
            requirement_code="drawings",
            upload=pdf_upload(),
            actor=applicant,
        )
    with pytest.raises(PermitError) as error:
        review.send_corrections(application=application, actor=applicant)
    assert "Site plan" in str(error.value)
    review.upload_correction(
        application=application,
        requirement_code="site-plan",
        upload=pdf_upload("v2.pdf"),
        actor=applicant,
    )
    review.send_corrections(application=application, actor=applicant, answer="Added: 12 ft.")
    application.case.refresh_from_db()
    assert application.case.status == "in_review"
    assert statuses(application) == {"building": StepStatus.PENDING, "zoning": StepStatus.APPROVED}
    versions = application.documents.filter(requirement__code="site-plan")
    assert sorted(versions.values_list("version", flat=True)) == [1, 2]  # both kept
    review.approve_step(step=step_of(application, "building"), actor=building)
    application.case.refresh_from_db()
    assert application.case.status == "issued"


def test_a_hold_condition_stops_issue_until_it_is_met(types, applicant, reviewer):
    application = paid_application(applicant, types["block-party"])
    condition = review.add_condition(
        application=application,
        actor=reviewer,
        text="Proof of liability insurance",
        before_issue=True,
    )
    review.add_condition(
        application=application, actor=reviewer, text="Keep a fire lane open", before_issue=False
    )
    review.approve_step(step=step_of(application, "transportation"), actor=reviewer)
    application.case.refresh_from_db()
    assert application.case.status == "approved"
    assert (
        "Proof of liability insurance" in Notification.objects.get(kind="permit_approved").body_text
    )
    assert not Permit.objects.exists()
    review.meet_condition(condition=condition, actor=reviewer)
    application.case.refresh_from_db()
    assert application.case.status == "issued"
    review.meet_condition(condition=condition, actor=reviewer)  # twice: nothing more happens
    assert Permit.objects.count() == 1


def test_a_denial_needs_a_reason_and_closes_the_application(types, applicant, reviewer):
    application = paid_application(applicant, types["small-construction"])
    with pytest.raises(PermitError):
        review.deny_application(step=step_of(application, "zoning"), actor=reviewer, reason="  ")
    review.deny_application(
        step=step_of(application, "zoning"), actor=reviewer, reason="Lot coverage over 50%."
    )
    application.case.refresh_from_db()
    assert application.case.status == "denied"
    assert "Lot coverage" in Notification.objects.get(kind="permit_denied").body_text
    with pytest.raises(PermitError):
        review.approve_step(step=step_of(application, "building"), actor=reviewer)


def test_unanswered_corrections_lapse(types, applicant, reviewer):
    application = paid_application(applicant, types["block-party"])
    review.request_corrections(
        step=step_of(application, "transportation"),
        actor=reviewer,
        message="Signatures missing",
        documents=[],
    )
    process_deadlines(now=timezone.now() + timedelta(days=26))
    assert Notification.objects.filter(kind="permit_corrections_reminder").count() == 1
    process_deadlines(now=timezone.now() + timedelta(days=31))
    application.case.refresh_from_db()
    assert application.case.status == "lapsed"
