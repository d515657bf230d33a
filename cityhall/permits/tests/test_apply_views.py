"""The applicant's pages: sign-in first, one thing a page, messages next to
fields that keep what was typed, the check page, paying, and no editing
after submission."""

import pytest
from django.urls import reverse
from django.utils import translation

from cityhall.permits import services
from cityhall.permits.models import PermitApplication

from .conftest import complete_application, pdf_upload, png_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, applicant):
    client.force_login(applicant)
    return client


def url(name, application, *args):
    with translation.override("en"):
        return reverse(f"permits:{name}", args=[application.case.reference, *args])


def test_the_start_pages_list_the_types_and_explain_each(client, types):
    page = client.get(reverse("permits:start")).content.decode()
    for permit_type in types.values():
        assert permit_type.name_en in page
    page = client.get(reverse("permits:type", args=["small-construction"])).content.decode()
    assert "Building and Safety and Planning and Zoning" in page  # in parallel
    assert "Site plan" in page and "Foundation" in page
    page = client.get(reverse("permits:type", args=["food-truck"])).content.decode()
    assert "Environmental Health, then Fire Prevention" in page  # in sequence
    assert client.get("/es" + reverse("permits:type", args=["food-truck"])).status_code == 200


def test_starting_needs_an_account_and_comes_back(client, types):
    response = client.post(reverse("permits:begin", args=["residential-fence"]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("permits:sign-in"))
    page = client.get(response["Location"]).content.decode()
    assert "/accounts/create/?next=/permits/types/residential-fence/" in page
    assert not PermitApplication.objects.exists()


def test_sign_up_comes_back_to_the_permit(client, types):
    response = client.post(
        reverse("accounts:sign-up"),
        {
            "full_name": "Ana García",
            "email": "new@example.org",
            "preferred_language": "en",
            "password": "a long enough passphrase 42",
            "next": "/permits/types/residential-fence/",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/permits/types/residential-fence/"


def test_a_draft_is_started_and_saved_page_by_page(signed_in, types, applicant):
    response = signed_in.post(reverse("permits:begin", args=["residential-fence"]))
    application = PermitApplication.objects.get()
    assert response["Location"] == url("details", application)
    response = signed_in.post(
        url("details", application),
        {"description": "Cedar fence", "height_ft": "12", "length_ft": "80", "later": "1"},
    )
    # 12 feet is refused next to the field, and what was typed is kept.
    assert response.status_code == 200
    page = response.content.decode()
    assert "error-summary" in page and "the most this permit allows" in page
    assert 'value="80"' in page and "Cedar fence" in page
    response = signed_in.post(
        url("details", application),
        {"description": "Cedar fence", "height_ft": "6", "length_ft": "80", "later": "1"},
    )
    assert response["Location"] == url("application", application)  # saved for later
    application.refresh_from_db()
    assert application.answers == {"height_ft": 6, "length_ft": 80}
    response = signed_in.post(
        url("address", application), {"street": "1 Main St", "zip_code": "10001"}
    )
    assert "not inside the City of Port Alder" in response.content.decode()
    response = signed_in.post(
        url("address", application), {"street": "200 N Harbor Blvd", "zip_code": "90731"}
    )
    assert response["Location"] == url("contacts", application)
    response = signed_in.post(
        url("contacts", application),
        {"applicant_role": "owner", "owner_name": "Ana García", "owner_phone": "213 555 01"},
    )
    assert "area code" in response.content.decode()
    response = signed_in.post(
        url("contacts", application),
        {"applicant_role": "owner", "owner_name": "Ana García", "owner_phone": "(213) 555-0147"},
    )
    assert response["Location"] == url("documents", application)


def test_documents_page_refuses_the_wrong_type_with_a_message(signed_in, types, applicant):
    application = services.start_application(
        user=applicant, permit_type=types["small-construction"]
    )
    response = signed_in.post(
        url("documents", application), {"upload": "site-plan", "site-plan-file": png_upload()}
    )
    page = response.content.decode()
    assert response.status_code == 200 and "is not a PDF" in page and "error-summary" in page
    response = signed_in.post(
        url("documents", application), {"upload": "site-plan", "site-plan-file": pdf_upload()}
    )
    assert response.status_code == 302
    assert application.documents.count() == 1


def test_the_check_page_lists_problems_and_offers_no_submit(signed_in, types, applicant):
    application = services.start_application(
        user=applicant, permit_type=types["small-construction"]
    )
    page = signed_in.get(url("check", application)).content.decode()
    assert 'data-testid="problems"' in page
    assert "Upload the Site plan." in page
    assert 'data-testid="submit"' not in page
    response = signed_in.post(url("check", application), {"declaration": "on"})
    assert response.status_code == 200
    application.case.refresh_from_db()
    assert application.case.status == "draft"


def test_check_submit_then_pay_page(signed_in, types, applicant):
    application = complete_application(applicant, types["small-construction"])
    page = signed_in.get(url("check", application)).content.decode()
    assert 'data-testid="no-problems"' in page and "$541.25" in page
    response = signed_in.post(url("check", application), {})
    assert "Confirm the declaration" in response.content.decode()
    response = signed_in.post(url("check", application), {"declaration": "on"})
    assert response["Location"] == url("application", application)
    page = signed_in.get(url("application", application)).content.decode()
    assert 'data-state="payment_due"' in page and "Pay $541.25" in page
    response = signed_in.post(url("pay", application))
    assert response.status_code == 302 and "/pay/sandbox/" in response["Location"]


def test_editing_after_submission_is_not_offered(signed_in, types, applicant):
    application = complete_application(applicant, types["small-construction"])
    services.submit_application(application=application, actor=applicant)
    for name in ("details", "address", "contacts", "documents", "check"):
        response = signed_in.post(url(name, application), {"description": "changed"})
        assert response["Location"] == url("application", application), name
    application.refresh_from_db()
    assert application.description == "Replace the back fence."


def test_someone_elses_application_is_not_found(client, types, applicant, make_user):
    application = complete_application(applicant, types["residential-fence"])
    client.force_login(make_user("other@example.org", roles=["resident"]))
    for name in ("application", "details", "check", "permit-pdf"):
        assert client.get(url(name, application)).status_code == 404
    assert client.post(url("pay", application)).status_code == 404


def test_my_applications_and_spanish_pages(signed_in, types, applicant):
    application = complete_application(applicant, types["block-party"])
    assert application.case.reference in signed_in.get(reverse("permits:mine")).content.decode()
    for name in ("details", "address", "contacts", "documents", "check", "application"):
        response = signed_in.get("/es" + url(name, application))
        assert response.status_code == 200, name
        assert '<html lang="es">' in response.content.decode()


def test_the_status_page_shows_where_it_is_and_the_expected_date(
    signed_in, types, applicant, reviewer
):
    from cityhall.permits import review

    from .conftest import paid_application, pdf_upload, step_of

    application = paid_application(applicant, types["small-construction"])
    page = signed_in.get(url("application", application)).content.decode()
    assert 'data-state="in_review"' in page and 'data-testid="expected"' in page
    assert 'data-department="building" data-status="pending"' in page
    review.approve_step(step=step_of(application, "zoning"), actor=reviewer)
    review.request_corrections(
        step=step_of(application, "building"),
        actor=reviewer,
        message="Rear setback?",
        documents=["site-plan"],
    )
    page = signed_in.get(url("application", application)).content.decode()
    assert 'data-state="corrections"' in page and "Rear setback?" in page
    assert 'data-department="zoning" data-status="approved"' in page
    response = signed_in.post(url("corrections", application), {"send": "1", "answer": "done"})
    assert "Upload a new version of: Site plan" in response.content.decode()
    response = signed_in.post(
        url("corrections", application), {"upload": "site-plan", "site-plan-file": pdf_upload()}
    )
    assert response.status_code == 302
    response = signed_in.post(
        url("corrections", application), {"send": "1", "answer": "Added 12 ft"}
    )
    assert response["Location"] == url("application", application)
    application.case.refresh_from_db()
    assert application.case.status == "in_review"


def test_the_sign_in_step_never_sends_people_to_another_site(client, types):
    for target in ("//evil.example/", "https://evil.example/", "javascript:alert(1)"):
        page = client.get(reverse("permits:sign-in"), {"next": target}).content.decode()
        main = page[page.index("<main") : page.index("</main>")]
        assert "evil" not in main and "javascript" not in main
        assert 'href="/accounts/sign-in/?next=/permits/"' in main
