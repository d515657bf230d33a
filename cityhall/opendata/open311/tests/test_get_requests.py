"""GET requests, requests/{id} and tokens/{token}: the spec's fields, the
filters, bad input, and no personal data in either format."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from cityhall.cases.models import Case
from cityhall.formbuilder import services as form_services
from cityhall.formbuilder.models import Submission

from .conftest import ERROR_FIELDS, REQUEST_FIELDS, children, xml_of

pytestmark = pytest.mark.django_db
ISO_WITH_ZONE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$")


@pytest.fixture
def sent(streetlight, post_request):
    """Three streetlight reports: out (open), flicker (open), damaged (rejected)."""
    references = []
    for problem in ("out", "flicker", "damaged"):
        response = post_request(**{"attribute[problem]": problem})
        assert response.status_code == 200, response.content
        references.append(response.json()[0]["service_request_id"])
    return references


@pytest.fixture
def rejected(sent, make_user):
    reviewer = make_user("reviewer@city.example.org", roles=["city_admin"])
    submission = Submission.objects.get(case__reference=sent[2])
    form_services.decide(
        submission=submission,
        transition="reject",
        actor=reviewer,
        reason="Zelda Quixote called twice; her neighbour at 9 Hidden Rd says it works",
    )
    return sent[2]


def test_requests_json_has_the_spec_fields(client, sent, rejected):
    response = client.get("/open311/v2/requests.json")
    assert response.status_code == 200 and response["Access-Control-Allow-Origin"] == "*"
    found = response.json()
    assert [r["service_request_id"] for r in found] == list(reversed(sent))  # newest first
    for record in found:
        assert list(record) == REQUEST_FIELDS
        for name in ("requested_datetime", "updated_datetime", "expected_datetime"):
            assert ISO_WITH_ZONE.match(record[name]), record[name]
        assert record["media_url"] is None and record["lat"] is None
        assert record["service_code"] == "streetlight"
        assert record["service_name"] == "Report a broken streetlight"
        assert record["address"] == "Corner of Main St and 3rd Ave"  # a public place
        assert record["agency_responsible"]
    closed, flicker, out = found
    assert closed["status"] == "closed" and closed["status_notes"] == (
        "We could not act on this report."
    )
    assert out["status"] == "open" and out["status_notes"] == "Received, waiting for review"
    assert out["description"] == "The problem: The light is out"  # a fixed option, marked public
    assert flicker["description"] == "The problem: It flickers"
    assert out["service_notice"] == "We aim to decide within 5 days."
    requested = Case.objects.get(reference=out["service_request_id"]).submitted_at
    expected = timezone.datetime.fromisoformat(out["expected_datetime"])
    assert expected - requested.replace(microsecond=0) == timedelta(days=5)


def test_requests_xml_has_the_spec_fields(client, sent, rejected):
    root = xml_of(client.get("/open311/v2/requests.xml"))
    assert root.tag == "service_requests" and children(root) == ["request"] * 3
    for request in root:
        assert children(request) == REQUEST_FIELDS
    assert root[0].findtext("status") == "closed" and root[1].findtext("status") == "open"
    assert root[0].findtext("media_url") == ""


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_one_request_and_its_token(client, sent, post_request, fmt):
    response = client.get(f"/open311/v2/requests/{sent[0]}.{fmt}")
    assert response.status_code == 200
    if fmt == "json":
        found = response.json()
        assert len(found) == 1 and list(found[0]) == REQUEST_FIELDS
        assert found[0]["service_request_id"] == sent[0]
    else:
        root = xml_of(response)
        assert children(root) == ["request"] and children(root[0]) == REQUEST_FIELDS
    # Lower case is the same reference.
    assert client.get(f"/open311/v2/requests/{sent[0].lower()}.json").status_code == 200


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("path", ["requests/SL-2020-99999", "tokens/forged:token", "tokens/x"])
def test_unknown_requests_and_tokens_are_404s(client, sent, fmt, path):
    response = client.get(f"/open311/v2/{path}.{fmt}")
    assert response.status_code == 404
    if fmt == "json":
        assert list(response.json()[0]) == ERROR_FIELDS
    else:
        assert xml_of(response).tag == "errors"


def test_drafts_and_other_services_never_appear(client, sent, make_user):
    from cityhall.cases.services import open_case
    from cityhall.formbuilder.models import FormService

    # A draft started on the resident's pages but never sent.
    form_services.start_submission(version=FormService.objects.get().current_version)
    # A case of a service not listed (a police report's reference).
    police = open_case(service="police_report", contact_email="victim@example.org")
    found = client.get("/open311/v2/requests.json").json()
    assert len(found) == 3
    assert client.get(f"/open311/v2/requests/{police.reference}.json").status_code == 404
    ids = ",".join([police.reference, sent[0]])
    listed = client.get("/open311/v2/requests.json", {"service_request_id": ids}).json()
    assert [r["service_request_id"] for r in listed] == [sent[0]]


def test_filters(client, sent, rejected):
    def codes(**params):
        response = client.get("/open311/v2/requests.json", params)
        assert response.status_code == 200, response.content
        return [r["service_request_id"] for r in response.json()]

    assert codes(status="open") == [sent[1], sent[0]]
    assert codes(status="closed") == [sent[2]]
    assert codes(status="open,closed") == codes()
    assert codes(service_code="streetlight") == codes()
    assert codes(service_code="nope") == []
    assert codes(service_code="nope,streetlight") == codes()
    # The ids override every other filter.
    assert codes(service_request_id=f"{sent[0]}, {sent[2]}", status="open") == [sent[2], sent[0]]
    # Dates: move one report back 100 days; the default window is 90.
    Case.objects.filter(reference=sent[0]).update(submitted_at=timezone.now() - timedelta(days=100))
    assert sent[0] not in codes()
    then = (timezone.now() - timedelta(days=101)).strftime("%Y-%m-%dT%H:%M:%SZ")
    until = (timezone.now() - timedelta(days=95)).isoformat()
    assert codes(start_date=then, end_date=until) == [sent[0]]
    assert codes(start_date=then) == [sent[0]]  # 90 days from the start
    today = timezone.localdate().isoformat()
    assert codes(start_date=today) == [sent[2], sent[1]]
    assert codes(end_date=then) == []
    assert codes(start_date=(timezone.now() + timedelta(days=3)).isoformat()) == []


def test_the_most_returned_is_capped(client, sent, monkeypatch):
    from cityhall.opendata.open311 import selectors

    monkeypatch.setattr(selectors, "MAX_REQUESTS", 2)
    assert len(client.get("/open311/v2/requests.json").json()) == 2


@pytest.mark.parametrize(
    ("params", "says"),
    [
        ({"status": "pending"}, "status"),
        ({"status": "open,maybe"}, "status"),
        ({"start_date": "yesterday"}, "start_date"),
        ({"end_date": "2026-13-45T00:00:00Z"}, "end_date"),
        ({"start_date": "2026-02-01T00:00:00Z", "end_date": "2026-01-01T00:00:00Z"}, "before"),
        ({"start_date": "2025-01-01T00:00:00Z", "end_date": "2026-01-01T00:00:00Z"}, "90 days"),
        ({"start_date": "9999-12-31T00:00:00Z"}, "real dates"),
        ({"end_date": "0001-01-01T00:00:00Z"}, "real dates"),
        ({"service_request_id": ",".join(f"SL-{n}" for n in range(1001))}, "1000"),
    ],
)
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_bad_filters_are_400s(client, streetlight, params, says, fmt):
    response = client.get(f"/open311/v2/requests.{fmt}", params)
    assert response.status_code == 400
    if fmt == "json":
        body = response.json()
        assert body[0]["code"] == 400 and says in body[0]["description"]
    else:
        root = xml_of(response)
        assert root[0].findtext("code") == "400" and says in root[0].findtext("description")


PERSONAL = [
    "Zelda",
    "Quixote",
    "zelda.quixote",
    "555",
    "2135550147",
    "Dark for three nights",  # free text
    "Private Lane",  # a home address
    "Hidden Rd",  # the reviewer's reason
    "app-maker",  # the api key's owner
    "Partner App Owner",
    "ch_",  # the key itself
]


def test_no_personal_data_in_any_answer(client, streetlight, home_visit, post_request, rejected):
    home = post_request(
        service_code="home_visit",
        description=None,
        address_string="12 Private Lane",
        **{"attribute[reason]": "fall", "attribute[problem]": None, "attribute[pole]": None},
    )
    assert home.status_code == 200
    home_id, token = home.json()[0]["service_request_id"], home.json()[0]["token"]
    paths = [
        "services",
        "services/streetlight",
        "services/home_visit",
        "requests",
        f"requests/{rejected}",
        f"requests/{home_id}",
        f"tokens/{token}",
    ]
    for path in paths:
        for fmt in ("json", "xml"):
            response = client.get(f"/open311/v2/{path}.{fmt}")
            assert response.status_code == 200, path
            body = response.content.decode()
            leaks = [p for p in PERSONAL if p.lower() in body.lower()]
            assert not leaks, (path, fmt, leaks)
    # The home visit is listed, with nothing of the home.
    record = client.get(f"/open311/v2/requests/{home_id}.json").json()[0]
    assert record["address"] is None and record["description"] is None


def test_the_number_of_queries_does_not_grow_with_the_requests(client, streetlight, post_request):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/open311/v2/requests.json").status_code == 200
        return len(captured.captured_queries)

    for _n in range(2):
        assert post_request().status_code == 200
    few = queries()
    for _n in range(6):
        assert post_request().status_code == 200
    assert queries() == few <= 8


def test_naive_dates_are_the_citys_time(client, sent):
    today = timezone.localdate().isoformat()
    found = client.get("/open311/v2/requests.json", {"start_date": f"{today}T00:00:00"}).json()
    assert len(found) == 3
