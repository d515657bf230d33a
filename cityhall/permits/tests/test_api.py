"""/api/v1/permits/: types, drafts, the check, submit, reading, staff review
actions and the public search, with the bad inputs the issue lists."""

import json

import pytest

from cityhall.accounts.services import issue_api_token
from cityhall.payments.models import Invoice, Payment
from cityhall.permits.models import PermitApplication

from .conftest import ANSWERS, pay_invoice, pdf_bytes, png_bytes

pytestmark = pytest.mark.django_db

API = "/api/v1/permits"


@pytest.fixture
def auth(applicant):
    return {"Authorization": f"Bearer {issue_api_token(user=applicant).raw}"}


@pytest.fixture
def staff_auth(reviewer):
    return {"Authorization": f"Bearer {issue_api_token(user=reviewer).raw}"}


def post(client, path, body=None, headers=None):
    return client.post(
        API + path,
        data=json.dumps(body or {}),
        content_type="application/json",
        headers=headers or {},
    )


def upload(client, reference, code, data, name, content_type, headers):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        f"{API}/applications/{reference}/documents/{code}",
        {"file": SimpleUploadedFile(name, data, content_type=content_type)},
        headers=headers,
    )


FULL = {
    "permit_type": "small-construction",
    "description": "Rear deck, 300 sq ft",
    "answers": ANSWERS["small-construction"],
    "address": {"street": "200 N Harbor Blvd", "zip_code": "90731"},
    "applicant_role": "owner",
    "owner": {"name": "Ana García", "phone": "(213) 555-0147"},
}


def test_the_types_each_have_a_code(client, types):
    response = client.get(f"{API}/types")
    assert response.status_code == 200
    body = {t["code"]: t for t in response.json()}
    assert set(body) == set(types)
    construction = body["small-construction"]
    assert construction["review"] == [
        {"department": "building", "stage": 1},
        {"department": "zoning", "stage": 1},
    ]
    assert [d["code"] for d in construction["documents"]] == ["site-plan", "drawings", "photos"]
    assert construction["documents"][0]["content_types"] == ["application/pdf"]
    assert body["residential-fence"]["instant_issue"] is True


def test_a_draft_is_created_with_just_the_type(client, types, auth):
    response = post(client, "/applications", {"permit_type": "residential-fence"}, auth)
    assert response.status_code == 201
    body = response.json()
    assert body["reference"].startswith("PM-") and body["status"] == "draft"
    assert post(client, "/applications", {"permit_type": "rocket-launch"}, auth).status_code == 422
    assert post(client, "/applications", {"permit_type": "residential-fence"}).status_code == 401


def test_check_lists_problems_and_the_fee_then_submit_and_pay(client, types, auth, applicant):
    reference = post(client, "/applications", FULL, auth).json()["reference"]
    check = post(client, f"/applications/{reference}/check", headers=auth).json()
    assert check["ok"] is False
    assert {p["field"] for p in check["problems"]} == {"documents.site-plan", "documents.drawings"}
    assert check["fee"]["total_cents"] == 54125
    assert [line["code"] for line in check["fee"]["lines"]] == ["valuation", "plan-review"]
    # Submitting with problems: 422 with every problem, and nothing to pay.
    response = post(client, f"/applications/{reference}/submit", headers=auth)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "has_problems" and "documents.drawings" in error["fields"]
    assert not Invoice.objects.exists()
    # A wrong file type is refused with the reason.
    response = upload(client, reference, "site-plan", png_bytes(), "plan.png", "image/png", auth)
    assert (
        response.status_code == 422 and "documents.site-plan" in response.json()["error"]["fields"]
    )
    for code in ("site-plan", "drawings"):
        assert (
            upload(
                client, reference, code, pdf_bytes(), f"{code}.pdf", "application/pdf", auth
            ).status_code
            == 201
        )
    check = post(client, f"/applications/{reference}/check", headers=auth).json()
    assert check["ok"] is True and check["problems"] == []
    response = post(client, f"/applications/{reference}/submit", headers=auth)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "payment_due" and "/pay/" in body["pay_url"]
    # Submitting twice is a conflict; so is editing after submission.
    assert post(client, f"/applications/{reference}/submit", headers=auth).status_code == 409
    response = client.patch(
        f"{API}/applications/{reference}",
        data=json.dumps({"description": "x"}),
        content_type="application/json",
        headers=auth,
    )
    assert response.status_code == 409 and response.json()["error"]["code"] == "conflict"
    # Paying through payments sends it for review.
    from cityhall.payments.services import start_checkout

    application = PermitApplication.objects.get(case__reference=reference)
    pay_invoice(start_checkout(invoice=application.invoice))
    body = client.get(f"{API}/applications/{reference}", headers=auth).json()
    assert body["status"] == "in_review" and body["expected_decision_at"]
    assert {s["department"]: s["status"] for s in body["steps"]} == {
        "building": "pending",
        "zoning": "pending",
    }


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"answers": {**ANSWERS["small-construction"], "valuation": "0"}}, "answers.valuation"),
        (
            {"answers": {**ANSWERS["small-construction"], "valuation": "90000000"}},
            "answers.valuation",
        ),
        ({"address": {"street": "350 5th Ave", "zip_code": "10118"}}, "address.zip_code"),
        (
            {"address": {"street": "200 N Harbor Blvd", "zip_code": "90731", "city": "Long Beach"}},
            "address.city",
        ),
        (
            {"applicant_role": "contractor", "contractor": {"name": "Bob", "licence_number": ""}},
            "contractor.licence_number",
        ),
    ],
)
def test_bad_input_is_refused_per_field(client, types, auth, changes, field):
    response = post(client, "/applications", {"permit_type": "small-construction", **changes}, auth)
    assert response.status_code == 422
    assert field in response.json()["error"]["fields"], response.json()


def test_other_residents_cannot_see_or_change_it(client, types, auth, make_user):
    reference = post(client, "/applications", {"permit_type": "residential-fence"}, auth).json()[
        "reference"
    ]
    other = {"Authorization": f"Bearer {issue_api_token(user=make_user('other@example.org')).raw}"}
    assert client.get(f"{API}/applications/{reference}", headers=other).status_code == 404
    assert post(client, f"/applications/{reference}/check", headers=other).status_code == 404
    assert post(client, f"/applications/{reference}/submit", headers=other).status_code == 404


def test_an_idempotency_key_gives_one_draft(client, types, auth):
    headers = {**auth, "Idempotency-Key": "draft-1"}
    first = post(client, "/applications", {"permit_type": "residential-fence"}, headers)
    again = post(client, "/applications", {"permit_type": "residential-fence"}, headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["reference"] == again.json()["reference"]
    assert PermitApplication.objects.count() == 1


def test_staff_review_actions(client, types, applicant, auth, staff_auth, make_user):
    from .conftest import paid_application

    application = paid_application(applicant, types["small-construction"])
    reference = application.case.reference
    queue = client.get(f"{API}/review", headers=staff_auth).json()
    steps = {row["department"]: row["step_id"] for row in queue if row["reference"] == reference}
    assert set(steps) == {"building", "zoning"}
    # Residents get 403 on staff actions, and cannot see the queue.
    assert client.get(f"{API}/review", headers=auth).status_code == 403
    assert (
        post(
            client, f"/applications/{reference}/steps/{steps['zoning']}/approve", {}, auth
        ).status_code
        == 403
    )
    response = post(
        client,
        f"/applications/{reference}/steps/{steps['zoning']}/request-corrections",
        {"message": " "},
        staff_auth,
    )
    assert response.status_code == 422
    response = post(
        client,
        f"/applications/{reference}/conditions",
        {"text": "Erosion control", "before_issue": False},
        staff_auth,
    )
    assert (
        response.status_code == 200
        and response.json()["conditions"][0]["text"] == "Erosion control"
    )
    post(
        client,
        f"/applications/{reference}/steps/{steps['zoning']}/approve",
        {"note": "ok"},
        staff_auth,
    )
    body = post(
        client, f"/applications/{reference}/steps/{steps['building']}/approve", {}, staff_auth
    ).json()
    assert body["status"] == "issued" and body["permit"]["number"].startswith("PMT-")
    again = post(
        client, f"/applications/{reference}/steps/{steps['building']}/approve", {}, staff_auth
    )
    assert again.status_code == 422  # no longer waiting
    # The reviewer may read it; the search finds it by address without personal data.
    assert client.get(f"{API}/applications/{reference}", headers=staff_auth).status_code == 200
    found = client.get(f"{API}/search", {"address": "200 N Harbor"}).json()
    assert [p["permit_number"] for p in found] == [body["permit"]["number"]]
    assert "Ana" not in json.dumps(found)
    assert client.get(f"{API}/search", {"address": "x" * 300}).status_code == 422


def test_paying_is_impossible_without_passing_the_check(client, types, auth):
    reference = post(client, "/applications", {"permit_type": "residential-fence"}, auth).json()[
        "reference"
    ]
    body = client.get(f"{API}/applications/{reference}", headers=auth).json()
    assert body["pay_url"] is None
    assert post(client, f"/applications/{reference}/submit", headers=auth).status_code == 422
    assert not Invoice.objects.exists() and not Payment.objects.exists()
