"""A resident completes a published service in Spanish; staff approve; the PDF of the answers is emailed."""

import io

import pytest
from django.core import mail
from django.test import Client
from pypdf import PdfReader

from cityhall.formbuilder import services_builder
from cityhall.formbuilder.models import Submission
from cityhall.formbuilder.tasks import issue_approval_document
from cityhall.formbuilder.testing import definition

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(make_user):
    admin = make_user("maker@staff.example.org", roles=["digital_team"])
    service = services_builder.create_service(raw=definition(), actor=admin)
    services_builder.publish(service=service, actor=admin)
    return service


def test_resident_journey_in_spanish_then_staff_approve(
    published, staff_client, django_capture_on_commit_callbacks
):
    resident = Client()
    home = resident.get("/es/").content.decode()
    assert "Reportar un farol roto" in home
    response = resident.post("/es/services/streetlight/")
    assert response.status_code == 302 and "/page/where/" in response["Location"]
    base = response["Location"].rsplit("page/", 1)[0]
    bad = resident.post(base + "page/where/", {"pole": "zz", "kind": ""})
    body = bad.content.decode()
    assert bad.status_code == 200 and "error-summary" in body and 'value="zz"' in body
    response = resident.post(base + "page/where/", {"pole": "AB1234", "kind": "out"})
    assert response["Location"].endswith("/page/more/")  # the flicker page is skipped
    response = resident.post(base + "page/more/", {"count": "2", "ok": "on"})
    assert response["Location"].endswith("/contact/")
    resident.post(base + "contact/", {"name": "Ana", "email": "ana@example.org"})
    check = resident.get(base + "check/").content.decode()
    assert "AB1234" in check and "Parpadeo" not in check
    response = resident.post(base + "check/")
    assert response["Location"].endswith("/sent/")
    # The back button after sending: the contact form goes to the answers, no 500.
    again = resident.post(base + "contact/", {"name": "Ana", "email": "ana@example.org"})
    assert again.status_code == 302 and again["Location"].endswith("/check/")
    submission = Submission.objects.get()
    assert submission.case.status == "submitted" and submission.case.channel == "online"
    assert submission.case.language == "es"

    client, _user = staff_client("city_admin")
    reference = submission.case.reference
    page = client.get(f"/staff/formbuilder/cases/{reference}/").content.decode()
    assert "AB1234" in page
    with django_capture_on_commit_callbacks(execute=True) as queued:
        decided = client.post(
            f"/staff/formbuilder/cases/{reference}/decide/", {"transition": "approve"}, follow=True
        )
    assert f"{reference} is now “Approved”" in decided.content.decode()
    submission.case.refresh_from_db()
    assert submission.case.status == "approved" and queued
    # The worker's turn (the database task backend does not run in tests).
    assert issue_approval_document.call(submission.case.pk) == "issued"
    assert issue_approval_document.call(submission.case.pk) == "already issued"
    emails = [m for m in mail.outbox if m.to == ["ana@example.org"]]
    assert emails and "Aprobado." in emails[-1].body
    _name, content, _kind = emails[-1].attachments[0]
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
    assert "AB1234" in text and "Reporte de farol" in text


def test_a_stranger_cannot_open_someone_elses_answers(published):
    owner = Client()
    location = owner.post("/services/streetlight/")["Location"]
    assert Client().get(location).status_code == 404


def test_staff_of_another_service_cannot_see_the_case(published, staff_client):
    submission_location = Client().post("/services/streetlight/")["Location"]
    assert submission_location
    reference = Submission.objects.get().case.reference
    client, _user = staff_client("police_reviewer")
    assert client.get(f"/staff/formbuilder/cases/{reference}/").status_code == 404


def test_unpublished_service_start_page_is_gone(published, make_user):
    services_builder.unpublish(service=published, actor=make_user("x@staff.example.org"))
    assert Client().get("/services/streetlight/").status_code == 404
