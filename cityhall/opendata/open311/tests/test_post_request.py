"""POST requests: a real case through the formbuilder's write path, the same
answer rules as the resident's pages, and every refusal in the error format."""

import pytest

from cityhall.cases.models import Case
from cityhall.formbuilder.models import Submission

from .conftest import ERROR_FIELDS, POSTED_FIELDS, children, xml_of

pytestmark = pytest.mark.django_db


def test_post_makes_a_real_case(client, streetlight, post_request):
    response = post_request()
    assert response.status_code == 200, response.content
    answer = response.json()
    assert len(answer) == 1 and list(answer[0]) == POSTED_FIELDS
    submission = Submission.objects.select_related("case").get()
    case = submission.case
    assert answer[0]["service_request_id"] == case.reference and case.reference.startswith("SL-")
    assert answer[0]["account_id"] is None
    assert case.status == "submitted" and case.submitted_at and case.expected_decision_at
    assert case.contact_name == "Zelda Quixote"
    assert case.contact_email == "zelda.quixote@example.org"
    assert case.contact_phone == "+12135550147"
    assert case.applicant is None  # the key belongs to the app, not the resident
    assert submission.answers == {
        "location": "Corner of Main St and 3rd Ave",
        "pole": "PA1234",
        "problem": "out",
        "details": "Dark for three nights",
    }
    # The token answers with the same request.
    token = answer[0]["token"]
    looked_up = client.get(f"/open311/v2/tokens/{token}.json").json()
    assert looked_up == [{"service_request_id": case.reference, "token": token}]


def test_post_in_xml(client, streetlight, post_request):
    root = xml_of(post_request("xml"))
    assert root.tag == "service_requests" and children(root) == ["request"]
    assert children(root[0]) == POSTED_FIELDS
    reference = root[0].findtext("service_request_id")
    assert Case.objects.get().reference == reference
    token = root[0].findtext("token")
    looked_up = xml_of(client.get(f"/open311/v2/tokens/{token}.xml"))
    assert children(looked_up[0]) == ["service_request_id", "token"]
    assert looked_up[0].findtext("service_request_id") == reference


def test_lat_long_stand_for_the_address(streetlight, post_request):
    assert post_request(address_string=None, lat="45.5231", long="-122.6765").status_code == 200
    assert Submission.objects.get().answers["location"] == "45.523100, -122.676500"


def errors_of(response, status):
    assert response.status_code == status, response.content
    body = response.json()
    assert body and all(list(e) == ERROR_FIELDS and e["code"] == status for e in body)
    assert Case.objects.count() == 0  # a refused request leaves nothing behind
    return [e["description"] for e in body]


@pytest.mark.parametrize(
    ("changes", "status", "says"),
    [
        ({"api_key": None}, 403, "api_key"),
        ({"api_key": "ch_nope_nope"}, 403, "api_key"),
        ({"service_code": "nope"}, 404, "service_code"),
        ({"service_code": "parking_permit"}, 404, "service_code"),
        ({"service_code": ""}, 400, "service_code"),
        ({"attribute[problem]": None}, 400, "attribute[problem]: Answer this question."),
        ({"attribute[problem]": "exploded"}, 400, "attribute[problem]: Choose one of the options."),
        ({"attribute[pole]": "12"}, 400, "attribute[pole]: Pole numbers look like PA1234."),
        ({"attribute[colour]": "red"}, 400, "attribute[colour] is not a question"),
        ({"address_string": None}, 400, "address_string: Answer this question."),
        ({"address_string": None, "lat": "95", "long": "0"}, 400, "lat and long"),
        ({"address_string": None, "lat": "north", "long": "0"}, 400, "lat and long"),
        ({"email": None}, 400, "email:"),
        ({"email": "not-an-email"}, 400, "email:"),
        ({"first_name": None, "last_name": None}, 400, "first_name, last_name:"),
        ({"phone": "12"}, 400, "phone:"),
        ({"description": "x" * 4001}, 400, "description: Keep this to 4000 characters."),
    ],
)
def test_bad_posts_are_refused_with_the_reason(streetlight, post_request, changes, status, says):
    descriptions = errors_of(post_request(**changes), status)
    assert any(says in d for d in descriptions), descriptions


def test_every_problem_is_listed_at_once(streetlight, post_request):
    descriptions = errors_of(
        post_request(
            **{"attribute[problem]": "exploded", "attribute[pole]": "12", "email": "nope"}
        ),
        400,
    )
    assert len(descriptions) == 3 and descriptions[2].startswith("email:")


def test_errors_in_xml(streetlight, post_request):
    response = post_request("xml", api_key="wrong")
    assert response.status_code == 403
    root = xml_of(response)
    assert root.tag == "errors" and children(root[0]) == ERROR_FIELDS
    assert root[0].findtext("code") == "403"


def test_a_revoked_key_is_refused(streetlight, post_request):
    from cityhall.accounts.models import ApiToken
    from cityhall.accounts.services import revoke_api_token

    revoke_api_token(token=ApiToken.objects.get())
    errors_of(post_request(), 403)


def test_a_service_without_free_text_refuses_a_description(home_visit, post_request):
    home = {
        "attribute[home_address]": "12 Private Lane",
        "attribute[reason]": "fall",
        "attribute[problem]": None,
        "attribute[pole]": None,
    }
    response = post_request(service_code="home_visit", **home)
    assert "takes no description" in errors_of(response, 400)[0]
    ok = post_request(service_code="home_visit", description=None, **home)
    assert ok.status_code == 200
    # address_string went nowhere: attribute[home_address] was sent, and wins
    assert Submission.objects.get().answers["home_address"] == "12 Private Lane"


def test_the_address_fills_the_first_address_question(home_visit, post_request):
    response = post_request(
        service_code="home_visit",
        description=None,
        address_string="12 Private Lane",
        **{"attribute[reason]": "smoke", "attribute[problem]": None, "attribute[pole]": None},
    )
    assert response.status_code == 200
    assert Submission.objects.get().answers["home_address"] == "12 Private Lane"


def test_posts_are_rate_limited_per_key(settings, streetlight, post_request):
    settings.CITYHALL_OPEN311_KEY_RATE = "2/3600"
    assert post_request().status_code == 200
    assert post_request().status_code == 200
    response = post_request()
    assert response.status_code == 429 and response.json()[0]["code"] == 429
    assert Case.objects.count() == 2


def test_refused_keys_are_rate_limited_per_address(settings, streetlight, post_request):
    settings.CITYHALL_PUBLIC_SUBMIT_RATE = "2/3600"
    assert post_request(api_key="guess-1").status_code == 403
    assert post_request(api_key="guess-2").status_code == 403
    assert post_request(api_key="guess-3").status_code == 429
    # a good key is not held back by the address's refusals
    assert post_request().status_code == 200


def test_the_channel_and_the_form_rules_are_the_residents(streetlight, post_request):
    """The same rules as the HTML pages: a page hidden by the answers is not asked."""
    response = post_request(**{"attribute[problem]": "flicker"})
    assert response.status_code == 200
    assert Case.objects.get().channel == "online"


def test_a_get_of_a_post_only_thing_and_a_post_of_a_get_only_thing(client, streetlight, api_key):
    response = client.post("/open311/v2/services.json", {"api_key": api_key})
    assert response.status_code == 405 and response.json()[0]["code"] == 405


def test_several_values_for_a_multivaluelist(home_visit, post_request):
    response = post_request(
        service_code="home_visit",
        description=None,
        **{
            "attribute[reason]": "fall",
            "attribute[rooms][]": ["hall", "kitchen"],
            "attribute[problem]": None,
            "attribute[pole]": None,
        },
    )
    assert response.status_code == 200, response.content
    assert Submission.objects.get().answers["rooms"] == ["kitchen", "hall"]  # the list's order
    wrong = post_request(
        service_code="home_visit",
        description=None,
        **{
            "attribute[reason]": "fall",
            "attribute[rooms][]": ["hall", "attic"],
            "attribute[problem]": None,
            "attribute[pole]": None,
        },
    )
    assert wrong.status_code == 400 and Case.objects.count() == 1
    assert wrong.json()[0]["description"] == "attribute[rooms]: Choose from the options."


def test_a_location_for_a_service_without_an_address_is_refused(db, post_request):
    from .conftest import HOME_VISIT, publish

    publish(
        {
            **HOME_VISIT,
            "code": "noise",
            "prefix": "NZ",
            "pages": [
                {**HOME_VISIT["pages"][0], "questions": HOME_VISIT["pages"][0]["questions"][1:2]}
            ],
        }
    )
    response = post_request(
        service_code="noise",
        description=None,
        **{"attribute[reason]": "fall", "attribute[problem]": None, "attribute[pole]": None},
    )
    assert "takes no address" in errors_of(response, 400)[0]


def test_a_date_question_takes_a_w3c_date_time(db, post_request):
    from .conftest import HOME_VISIT, publish

    questions = [
        *HOME_VISIT["pages"][0]["questions"][:2],
        {"key": "since", "type": "date", "label_en": "Since", "label_es": "Desde", "max": 0},
    ]
    publish({**HOME_VISIT, "pages": [{**HOME_VISIT["pages"][0], "questions": questions}]})
    home = {"attribute[reason]": "fall", "attribute[problem]": None, "attribute[pole]": None}
    response = post_request(
        service_code="home_visit",
        description=None,
        **{**home, "attribute[since]": "2026-01-02T08:00:00-08:00"},
    )
    assert response.status_code == 200, response.content
    assert Submission.objects.get().answers["since"] == "2026-01-02"
    wrong = post_request(
        service_code="home_visit", description=None, **{**home, "attribute[since]": "soon"}
    )
    assert wrong.json()[0]["description"] == "attribute[since]: Enter a date like 2026-07-04."


def test_one_or_several_values_whatever_the_form(home_visit, post_request):
    response = post_request(
        service_code="home_visit",
        description=None,
        **{
            "attribute[reason][]": "fall",
            "attribute[rooms]": "hall",
            "attribute[problem]": None,
            "attribute[pole]": None,
        },
    )
    assert response.status_code == 200, response.content
    answers = Submission.objects.get().answers
    assert answers["reason"] == "fall" and answers["rooms"] == ["hall"]
