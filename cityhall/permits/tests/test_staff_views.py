"""Reviewers' pages: their department's queue, the application with its
document versions, decisions through the forms, and who may see them."""

import pytest
from django.urls import reverse

from cityhall.cases.models import PersonalDataView
from cityhall.permits.models import Department, StepStatus

from .conftest import paid_application, step_of

pytestmark = pytest.mark.django_db


def staff_url(name, application, *args):
    return reverse(f"permits:{name}", args=[application.case.reference, *args])


def test_the_queue_shows_the_reviewers_department(staff_client, types, applicant):
    construction = paid_application(applicant, types["small-construction"])
    party = paid_application(applicant, types["block-party"])
    client, user = staff_client("permit_reviewer", email="building@staff.example.org")
    Department.objects.get(code="building").members.add(user)
    page = client.get(reverse("permits:queue")).content.decode()
    assert construction.case.reference in page
    assert party.case.reference not in page  # transportation's
    assert "Building and Safety" in page and "Planning and Zoning" not in page


def test_a_reviewer_approves_from_the_application_page(staff_client, types, applicant):
    application = paid_application(applicant, types["small-construction"])
    client, user = staff_client("permit_reviewer")
    page = client.get(staff_url("staff-application", application)).content.decode()
    assert 'data-testid="approve-building"' in page and 'data-testid="approve-zoning"' in page
    assert "C-123456" in page  # the contractor's licence
    invoice = application.invoice
    assert f"invoice {invoice.number}: Paid" in page  # the fee, and whether it was paid
    assert 'data-version="1"' in page
    assert PersonalDataView.objects.filter(case=application.case, viewer=user).exists()
    step = step_of(application, "building")
    response = client.post(staff_url("staff-approve", application, step.pk), {"approve-note": "OK"})
    assert response.status_code == 302
    step.refresh_from_db()
    assert step.status == StepStatus.APPROVED and step.note == "OK"


def test_a_correction_request_without_a_message_is_refused(staff_client, types, applicant):
    application = paid_application(applicant, types["small-construction"])
    client, _user = staff_client("permit_reviewer")
    step = step_of(application, "zoning")
    response = client.post(
        staff_url("staff-corrections", application, step.pk),
        {"correct-message": "", "correct-documents": ["site-plan"]},
        follow=True,
    )
    assert "Say what needs to be corrected." in response.content.decode()
    application.case.refresh_from_db()
    assert application.case.status == "in_review"
    response = client.post(
        staff_url("staff-corrections", application, step.pk),
        {"correct-message": "Setback?", "correct-documents": ["site-plan"]},
    )
    application.case.refresh_from_db()
    assert application.case.status == "corrections"


def test_conditions_are_added_and_met_from_the_page(staff_client, types, applicant):
    application = paid_application(applicant, types["block-party"])
    client, _user = staff_client("permit_reviewer")
    client.post(
        staff_url("staff-add-condition", application),
        {"condition-text": "Insurance certificate", "condition-before_issue": "on"},
    )
    condition = application.conditions.get()
    assert condition.before_issue
    client.post(staff_url("staff-approve", application, step_of(application, "transportation").pk))
    application.case.refresh_from_db()
    assert application.case.status == "approved"
    client.post(staff_url("staff-meet-condition", application, condition.pk))
    application.case.refresh_from_db()
    assert application.case.status == "issued"


def test_other_staff_and_residents_cannot_review(staff_client, client, types, applicant):
    application = paid_application(applicant, types["small-construction"])
    client.force_login(applicant)
    assert client.get(staff_url("staff-application", application)).status_code == 403
    other, _user = staff_client("facility_manager")
    assert other.get(staff_url("staff-application", application)).status_code == 403
    step = step_of(application, "building")
    assert other.post(staff_url("staff-approve", application, step.pk)).status_code == 403
    step.refresh_from_db()
    assert step.status == StepStatus.PENDING


def test_a_refused_decision_keeps_what_the_reviewer_typed_on_that_step(
    staff_client, types, applicant
):
    """An invalid form comes back on the step it was for, as typed, its section
    open; a decision a colleague made first is explained on the page as it is now."""
    application = paid_application(applicant, types["small-construction"])
    client, _user = staff_client("permit_reviewer")
    zoning, building = step_of(application, "zoning"), step_of(application, "building")
    response = client.post(
        staff_url("staff-deny", application, building.pk),
        {"deny-reason": "x" * 4001},  # over the limit: refused, kept
    )
    page = response.content.decode()
    assert response.status_code == 400 and "error-summary" in page
    assert page.count("x" * 4001) == 1  # on the building step only
    assert '<details class="margin-top-2" open>' in page
    first = client.post(
        staff_url("staff-deny", application, zoning.pk), {"deny-reason": "Too tall"}
    )
    assert first.status_code == 302
    late = client.post(
        staff_url("staff-approve", application, building.pk), {"approve-note": "ok"}, follow=True
    )
    assert late.status_code == 200 and "usa-alert--error" in late.content.decode()
