"""Permit inspectors: field staff who see the day's inspections, what the visit
needs of the application (its plans, conditions and contacts) and record
results, but review nothing. Reviewers keep inspecting too (a small city)."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from cityhall.cases.errors import NotAllowed
from cityhall.cases.models import PersonalDataView
from cityhall.permits import inspections, review
from cityhall.permits.models import InspectionStatus, PermitStatus, StepStatus

from .conftest import on_the_day, paid_application, png_upload, step_of

pytestmark = pytest.mark.django_db

FINAL = {"complete": "pass", "smoke": "pass", "grading": "pass"}


def signed_in(make_user, role, email):
    """A separate browser per person (the `client` fixture is one browser)."""
    user = make_user(email, roles=[role], full_name=f"{role} person")
    device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    client = Client()
    client.force_login(user)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return client, user


@pytest.fixture
def inspector(make_user):
    return signed_in(make_user, "permit_inspector", "ivan@staff.example.org")


@pytest.fixture
def permit(types, applicant, reviewer):
    """An issued small construction permit with a condition, and slots to book."""
    application = paid_application(applicant, types["small-construction"])
    review.add_condition(
        application=application,
        actor=reviewer,
        text="Keep the side gate closed.",
        before_issue=False,
    )
    for department in ("building", "zoning"):
        review.approve_step(step=step_of(application, department), actor=reviewer)
    inspections.ensure_slots()
    application.refresh_from_db()
    return application.permit


def booked_today(permit, code, user):
    kind = permit.application.permit_type.inspection_types.get(code=code)
    inspection = inspections.request_inspection(
        permit=permit, inspection_type=kind, slot=inspections.open_slots()[0], actor=user
    )
    return on_the_day(inspection)


def as_form(results: dict, **fields) -> dict:
    """The result page's POST: an `item_<code>` field per checklist item."""
    return {f"item_{code}": value for code, value in results.items()} | fields


def test_the_role_exists_after_migrate_with_view_only_admin_permissions(db):
    group = Group.objects.get(name="permit_inspector")
    codenames = set(group.permissions.values_list("codename", flat=True))
    assert codenames == {
        "view_inspection",
        "view_inspectionslot",
        "view_inspectiontype",
        "view_permit",
    }


def test_an_inspector_opens_the_day_list_and_records_a_result(
    inspector, permit, applicant, make_user
):
    client, user = inspector
    inspection = booked_today(permit, "foundation", applicant)
    home = client.get(reverse("core:staff-home")).content.decode()
    assert f'href="{reverse("permits:inspections")}"' in home  # their work queue
    assert f'href="{reverse("permits:queue")}"' not in home
    day = client.get(reverse("permits:inspections")).content.decode()
    assert f'data-testid="inspection-{inspection.pk}"' in day and "200 N Harbor Blvd" in day

    url = reverse("permits:inspection", args=[inspection.pk])
    page = client.get(url).content.decode()
    application = permit.application
    assert "Replace the back fence." in page  # the work
    assert "Keep the side gate closed." in page  # the conditions on the permit
    assert "C-123456" in page and "(213) 555-0147" in page  # whom to call on site
    document = application.documents.get(requirement__code="site-plan")
    file_url = reverse("permits:inspection-file", args=[inspection.pk, document.attachment_id])
    assert file_url in page
    # The review is the reviewers' page: no link to it, and no way in.
    assert reverse("permits:staff-application", args=[application.case.reference]) not in page
    assert PersonalDataView.objects.filter(case=application.case, viewer=user).exists()

    download = client.get(file_url)
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content).startswith(b"%PDF")

    partial = {"forms": "pass", "rebar": "fail", "depth": "pass"}
    response = client.post(
        url, as_form(partial, notes="Rebar spacing over 12 in.", photos=[png_upload()])
    )
    assert response.status_code == 302
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.PARTIAL and inspection.inspector == user
    photo = inspection.photos.get()
    page = client.get(url).content.decode()
    photo_url = reverse("permits:inspection-file", args=[inspection.pk, photo.attachment_id])
    assert photo_url in page and client.get(photo_url).status_code == 200


def test_an_inspector_opens_only_this_permits_files(inspector, permit, types, applicant):
    client, _user = inspector
    inspection = booked_today(permit, "foundation", applicant)
    other = paid_application(applicant, types["small-construction"])
    elsewhere = other.documents.first().attachment_id
    url = reverse("permits:inspection-file", args=[inspection.pk, elsewhere])
    assert client.get(url).status_code == 404


def test_an_inspectors_passed_final_inspection_completes_the_permit(inspector, permit, applicant):
    _client, user = inspector
    inspection = booked_today(permit, "final", applicant)
    inspections.record_result(inspection=inspection, actor=user, results=FINAL)
    permit.refresh_from_db()
    assert permit.status == PermitStatus.COMPLETED
    permit.application.case.refresh_from_db()
    assert permit.application.case.status == "completed"


def test_an_inspector_gets_403_on_every_reviewer_action(inspector, types, applicant, reviewer):
    client, user = inspector
    application = paid_application(applicant, types["small-construction"])
    condition = review.add_condition(
        application=application, actor=reviewer, text="Hold.", before_issue=True
    )
    step = step_of(application, "building")
    reference = application.case.reference

    def url(name, *args):
        return reverse(f"permits:{name}", args=[reference, *args])

    # Refused for the role, not for being no staff at all: the inspections open.
    assert client.get(reverse("permits:inspections")).status_code == 200
    assert client.get(reverse("permits:queue")).status_code == 403
    assert client.get(url("staff-application")).status_code == 403
    posts = [
        (url("staff-approve", step.pk), {"approve-note": "Fine"}),
        (url("staff-corrections", step.pk), {"correct-message": "Redo", "correct-documents": []}),
        (url("staff-deny", step.pk), {"deny-reason": "No"}),
        (url("staff-add-condition"), {"condition-text": "More", "condition-before_issue": ""}),
        (url("staff-meet-condition", condition.pk), {}),
    ]
    for target, data in posts:
        assert client.post(target, data).status_code == 403, target
    # And the services say no too (nothing changed).
    with pytest.raises(NotAllowed):
        review.approve_step(step=step, actor=user)
    step.refresh_from_db()
    condition.refresh_from_db()
    application.case.refresh_from_db()
    assert step.status == StepStatus.PENDING and condition.met_at is None
    assert application.case.status == "in_review"
    assert application.conditions.count() == 1


def test_a_reviewer_still_inspects_and_reaches_the_review_from_the_inspection(
    staff_client, permit, applicant
):
    client, user = staff_client("permit_reviewer", email="rosa@staff.example.org")
    inspection = booked_today(permit, "final", applicant)
    url = reverse("permits:inspection", args=[inspection.pk])
    page = client.get(url).content.decode()
    assert reverse("permits:staff-application", args=[permit.application.case.reference]) in page
    plan = permit.application.documents.get(requirement__code="site-plan")
    plan_url = reverse("permits:inspection-file", args=[inspection.pk, plan.attachment_id])
    assert plan_url in page and client.get(plan_url).status_code == 200
    response = client.post(url, as_form(FINAL))
    assert response.status_code == 302
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.PASSED and inspection.inspector == user
    permit.refresh_from_db()
    assert permit.status == PermitStatus.COMPLETED


def test_other_staff_cannot_inspect(staff_client, permit, applicant):
    client, user = staff_client("facility_manager")
    inspection = booked_today(permit, "foundation", applicant)
    assert client.get(reverse("permits:inspections")).status_code == 403
    assert client.get(reverse("permits:inspection", args=[inspection.pk])).status_code == 403
    plan = permit.application.documents.first()
    file_url = reverse("permits:inspection-file", args=[inspection.pk, plan.attachment_id])
    assert client.get(file_url).status_code == 403
    with pytest.raises(NotAllowed):
        inspections.record_result(inspection=inspection, actor=user, results={})
