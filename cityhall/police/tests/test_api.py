"""/api/v1/police/: filing a report through the API (validation, idempotency,
rate limit) and the officers' endpoints (auth, 403 without a police role
whatever the record, 404 for an unknown reference, the personal-data log)."""

from __future__ import annotations

import copy
import json
import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from cityhall.accounts.services import issue_api_token
from cityhall.cases.models import Case, CaseEvent, EventKind, PersonalDataView
from cityhall.cases.references import parse_reference
from cityhall.core.models import IdempotencyRecord
from cityhall.notifications.models import Notification
from cityhall.police.models import PoliceReport, PropertyItem, RejectionReason

pytestmark = pytest.mark.django_db

URL = "/api/v1/police/reports"
REFERENCE = re.compile(r"^LP-(\d{4})-\d{5}-[A-HJ-NP-Z2-8]$")
REPORT_NUMBER = re.compile(r"^PD-(\d{4})-\d{5}-[A-HJ-NP-Z2-8]$")


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    # The rate limit counts per address in the cache, which outlives a test.
    cache.clear()
    yield
    cache.clear()


def contract_body() -> dict:
    """The documented example, with dates relative to now so it never goes stale."""
    start = timezone.now() - timedelta(days=2)
    return {
        "reporter": {
            "first_name": "Ana",
            "last_name": "García",
            "email": "ana@example.org",
            "phone": "(213) 555-0147",
            "language": "es",
        },
        "incident": {
            "kind": "stolen",
            "occurred_from": start.isoformat(),
            "occurred_to": (start + timedelta(hours=3, minutes=30)).isoformat(),
            "address": "200 N Spring St",
            "narrative": "Taken from the rack.",
        },
        "items": [
            {
                "category": "04",
                "description": "Road bicycle",
                "brand": "Trek",
                "model": "Domane AL 2",
                "serial_number": "WTU 123 G4567",
                "quantity": 1,
                "value_cents": 89900,
            }
        ],
        "declaration_accepted": True,
    }


def item(n: int, **extra) -> dict:
    return {
        "category": "75",
        "description": f"Phone {n}",
        "serial_number": f"SN-{n}",
        "value_cents": 100,
        **extra,
    }


def post(client, body, **headers):
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post(URL, data=data, content_type="application/json", headers=headers)


def nothing_created():
    assert PoliceReport.objects.count() == 0
    assert Case.objects.count() == 0
    assert PropertyItem.objects.count() == 0
    assert Notification.objects.count() == 0
    assert CaseEvent.objects.count() == 0


def error(response) -> dict:
    return response.json()["error"]


# ---- filing ---------------------------------------------------------------


def test_filing_the_contract_body_creates_the_report_its_items_timeline_and_email(client):
    response = post(client, contract_body())

    assert response.status_code == 201, response.content
    answer = response.json()
    assert answer["status"] == "submitted"
    match = REFERENCE.match(answer["reference"])
    assert match, answer["reference"]
    assert int(match.group(1)) == timezone.localdate().year
    parse_reference(answer["reference"])  # the check character is right
    assert answer["expected_decision_at"]

    report = PoliceReport.objects.select_related("case").get()
    case = report.case
    assert case.reference == answer["reference"]
    assert case.status == "submitted"
    assert case.channel == "online"
    assert case.language == "es"
    assert case.submitted_at is not None
    assert report.kind == "stolen"
    assert report.first_name == "Ana"
    assert report.last_name == "García"
    assert report.email == "ana@example.org"
    assert report.location == "200 N Spring St"
    assert report.narrative == "Taken from the rack."
    assert report.declaration_accepted_at is not None
    assert report.total_value_cents == 89900
    assert report.report_number is None  # only on approval

    (bike,) = report.items.all()
    assert bike.category == "04"  # NIBRS: bicycles
    assert bike.loss_type == "7"  # NIBRS type property loss: stolen
    assert bike.serial_number == "WTU 123 G4567"
    assert bike.serial_normalized == "WTU123G4567"
    assert (bike.brand, bike.model, bike.quantity, bike.value_cents) == (
        "Trek",
        "Domane AL 2",
        1,
        89900,
    )

    events = list(case.events.values_list("kind", "from_status", "to_status"))
    assert (EventKind.CREATED, "", "draft") in events
    assert (EventKind.STATUS_CHANGED, "draft", "submitted") in events

    email = Notification.objects.get(kind="police_received")
    assert email.case_id == case.pk
    assert email.to_email == "ana@example.org"
    assert email.language == "es"
    assert email.status == "queued"
    assert case.reference in email.body_text


def test_lost_items_have_no_nibrs_loss_type(client):
    body = contract_body()
    body["incident"]["kind"] = "lost"
    assert post(client, body).status_code == 201
    assert PropertyItem.objects.get().loss_type == ""


def test_fifty_items_are_accepted_with_their_positions(client):
    body = contract_body()
    body["items"] = [item(n) for n in range(50)]
    response = post(client, body)
    assert response.status_code == 201, response.content
    report = PoliceReport.objects.get()
    assert report.items.count() == 50
    assert list(report.items.values_list("position", flat=True)) == list(range(1, 51))
    assert report.total_value_cents == 50 * 100


def test_names_with_accents_and_emoji_are_kept_exactly(client):
    body = contract_body()
    body["reporter"].update(first_name="José", last_name="Núñez 🚲")
    body["items"][0]["description"] = "Bicicleta de montaña 🚵‍♀️ «Señorita»"
    assert post(client, body).status_code == 201
    report = PoliceReport.objects.select_related("case").get()
    assert (report.first_name, report.last_name) == ("José", "Núñez 🚲")
    assert report.case.contact_name == "José Núñez 🚲"
    assert report.items.get().description == "Bicicleta de montaña 🚵‍♀️ «Señorita»"


def test_html_in_the_narrative_is_stored_as_typed(client):
    narrative = '<script>alert("x")</script> <b>bold</b> & <a href="javascript:1">link</a>'
    body = contract_body()
    body["incident"]["narrative"] = narrative
    assert post(client, body).status_code == 201
    assert PoliceReport.objects.get().narrative == narrative


@pytest.mark.parametrize(
    "typed", ["(213) 555-0147", "213.555.0147", "+1 213 555 0147", "2135550147"]
)
def test_phone_numbers_are_stored_in_e164(client, typed):
    body = contract_body()
    body["reporter"]["phone"] = typed
    assert post(client, body).status_code == 201, typed
    report = PoliceReport.objects.select_related("case").get()
    assert report.phone == "+12135550147"
    assert report.case.contact_phone == "+12135550147"


# ---- bad input ------------------------------------------------------------


def _future(body):
    body["incident"]["occurred_from"] = (timezone.now() + timedelta(days=1)).isoformat()
    body["incident"]["occurred_to"] = None


def _to_before_from(body):
    start = timezone.now() - timedelta(days=2)
    body["incident"]["occurred_from"] = start.isoformat()
    body["incident"]["occurred_to"] = (start - timedelta(hours=1)).isoformat()


def _years_ago(body):
    body["incident"]["occurred_from"] = (timezone.now() - timedelta(days=4 * 365)).isoformat()
    body["incident"]["occurred_to"] = None


def _naive(body):
    body["incident"]["occurred_from"] = "2026-01-02T18:00:00"
    body["incident"]["occurred_to"] = None


def _set(path: str, value):
    def change(body):
        *parents, last = path.split(".")
        target = body
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        target[int(last) if last.isdigit() else last] = value

    return change


def _drop(path: str):
    def change(body):
        *parents, last = path.split(".")
        target = body
        for part in parents:
            target = target[part]
        del target[last]

    return change


BAD_INPUT = [
    ("future", _future, "incident.occurred_from"),
    ("to-before-from", _to_before_from, "incident.occurred_to"),
    ("more-than-three-years-ago", _years_ago, "incident.occurred_from"),
    ("no-utc-offset", _naive, "incident.occurred_from"),
    ("negative-value", _set("items.0.value_cents", -1), "items.0.value_cents"),
    ("value-over-a-million", _set("items.0.value_cents", 100_000_001), "items.0.value_cents"),
    ("no-items", _set("items", []), "items"),
    ("51-items", _set("items", [item(n) for n in range(51)]), "items"),
    ("quantity-0", _set("items.0.quantity", 0), "items.0.quantity"),
    ("unknown-category", _set("items.0.category", "99"), "items.0.category"),
    ("firearms-not-online", _set("items.0.category", "13"), "items.0.category"),
    ("bad-email", _set("reporter.email", "ana@"), "reporter.email"),
    ("phone-too-short", _set("reporter.phone", "12"), "reporter.phone"),
    ("phone-letters", _set("reporter.phone", "call me"), "reporter.phone"),
    ("declaration-false", _set("declaration_accepted", False), "declaration_accepted"),
    ("blank-first-name", _set("reporter.first_name", "   "), "reporter.first_name"),
    ("unknown-kind", _set("incident.kind", "borrowed"), "incident.kind"),
    ("unknown-language", _set("reporter.language", "fr"), "reporter.language"),
    ("missing-reporter", _drop("reporter"), "reporter"),
    ("missing-email", _drop("reporter.email"), "reporter.email"),
    ("missing-kind", _drop("incident.kind"), "incident.kind"),
    ("missing-narrative", _drop("incident.narrative"), "incident.narrative"),
    ("missing-declaration", _drop("declaration_accepted"), "declaration_accepted"),
    ("value-as-text", _set("items.0.value_cents", "lots"), "items.0.value_cents"),
]


@pytest.mark.parametrize(
    ("change", "field"), [case[1:] for case in BAD_INPUT], ids=[c[0] for c in BAD_INPUT]
)
def test_bad_input_is_refused_per_field_and_creates_nothing(client, change, field):
    body = contract_body()
    change(body)
    response = post(client, body)

    assert response.status_code == 422, response.content
    problem = error(response)
    assert problem["code"] == "validation_error"
    assert field in problem["fields"], problem
    assert all(isinstance(m, str) and m for m in problem["fields"][field])
    nothing_created()


def test_the_messages_say_what_to_fix(client):
    body = contract_body()
    _future(body)
    body["reporter"]["phone"] = "12"
    fields = error(post(client, body))["fields"]
    assert "future" in fields["incident.occurred_from"][0]
    assert "digits" in fields["reporter.phone"][0]

    body = contract_body()
    body["items"][0]["category"] = "13"
    fields = error(post(client, body))["fields"]
    assert "cannot be reported online" in fields["items.0.category"][0]


def test_several_bad_fields_are_reported_together(client):
    body = contract_body()
    body["items"][0]["quantity"] = 0
    body["items"][0]["category"] = "99"
    body["reporter"]["email"] = "not an email"
    fields = error(post(client, body))["fields"]
    assert {"items.0.quantity", "items.0.category", "reporter.email"} <= set(fields)
    nothing_created()


@pytest.mark.parametrize("raw", ["{not json", "", "[1, 2]", "null", "reporter=Ana"])
def test_a_body_that_is_not_a_report_gets_a_4xx_with_the_error_shape(client, raw):
    response = post(client, raw)
    # Unparseable JSON is a 400 (bad_request); JSON of the wrong shape a 422.
    assert response.status_code in {400, 422}, response.content
    assert error(response)["code"] in {"bad_request", "validation_error"}
    assert error(response)["message"]
    nothing_created()


def test_unparseable_json_is_a_bad_request(client):
    response = post(client, '{"reporter": ')
    assert response.status_code == 400
    assert error(response)["code"] == "bad_request"
    nothing_created()


def test_a_theft_above_the_online_limit_is_refused_with_a_clear_message(client):
    body = contract_body()
    body["items"] = [item(1, value_cents=60_000), item(2, value_cents=60_000)]  # $1,200 > $950
    response = post(client, body)
    assert response.status_code == 422, response.content
    assert "cannot be reported online" in error(response)["message"]
    nothing_created()
    assert IdempotencyRecord.objects.count() == 0


# ---- Idempotency-Key ------------------------------------------------------


def test_same_key_and_body_twice_gives_the_same_report_once(client):
    body = contract_body()
    first = post(client, body, **{"Idempotency-Key": "3f1c9a52-0b1e-4a7e-9f4e-1d1b2c3d4e5f"})
    second = post(client, body, **{"Idempotency-Key": "3f1c9a52-0b1e-4a7e-9f4e-1d1b2c3d4e5f"})

    assert first.status_code == 201
    assert second.status_code == 200
    assert second.json()["reference"] == first.json()["reference"]
    assert second.json()["status"] == "submitted"
    assert PoliceReport.objects.count() == 1
    assert Notification.objects.filter(kind="police_received").count() == 1


def test_same_key_with_key_order_changed_is_the_same_request(client):
    body = contract_body()
    first = post(client, body, **{"Idempotency-Key": "k-order"})
    reordered = json.dumps(dict(reversed(list(body.items()))))
    second = post(client, reordered, **{"Idempotency-Key": "k-order"})
    assert (first.status_code, second.status_code) == (201, 200)
    assert PoliceReport.objects.count() == 1


def test_same_key_with_another_body_is_refused(client):
    body = contract_body()
    first = post(client, body, **{"Idempotency-Key": "key-1"})
    other = copy.deepcopy(body)
    other["items"][0]["serial_number"] = "SOMETHING ELSE"
    second = post(client, other, **{"Idempotency-Key": "key-1"})

    assert first.status_code == 201
    assert second.status_code == 422
    assert error(second)["code"] == "idempotency_key_reused"
    assert PoliceReport.objects.count() == 1
    assert not PropertyItem.objects.filter(serial_number="SOMETHING ELSE").exists()


def test_without_a_key_two_posts_are_two_reports(client):
    body = contract_body()
    first, second = post(client, body), post(client, body)
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["reference"] != second.json()["reference"]
    assert PoliceReport.objects.count() == 2


def test_a_refused_request_does_not_use_up_its_key(client):
    bad = contract_body()
    bad["items"][0]["quantity"] = 0
    assert post(client, bad, **{"Idempotency-Key": "retry-me"}).status_code == 422
    over_limit = contract_body()
    over_limit["items"][0]["value_cents"] = (
        99_999_99  # a theft above the online limit: refused by the service
    )
    assert post(client, over_limit, **{"Idempotency-Key": "retry-me"}).status_code == 422
    assert IdempotencyRecord.objects.count() == 0
    # The client fixes the body and retries with the same key: it goes through.
    response = post(client, contract_body(), **{"Idempotency-Key": "retry-me"})
    assert response.status_code == 201
    assert PoliceReport.objects.count() == 1


def test_an_overlong_key_is_refused(client):
    response = post(client, contract_body(), **{"Idempotency-Key": "k" * 151})
    assert response.status_code == 422
    nothing_created()


# ---- rate limit -----------------------------------------------------------


def test_the_fourth_post_in_the_window_is_rate_limited(client, settings):
    settings.CITYHALL_PUBLIC_SUBMIT_RATE = "3/3600"
    answers = [post(client, contract_body()).status_code for _ in range(3)]
    assert answers == [201, 201, 201]
    fourth = post(client, contract_body())
    assert fourth.status_code == 429
    assert error(fourth)["code"] == "rate_limited"
    assert PoliceReport.objects.count() == 3


def test_the_rate_limit_is_per_address(client, settings):
    settings.CITYHALL_PUBLIC_SUBMIT_RATE = "1/3600"
    assert post(client, contract_body()).status_code == 201
    assert post(client, contract_body()).status_code == 429
    other = client.post(
        URL,
        data=json.dumps(contract_body()),
        content_type="application/json",
        REMOTE_ADDR="10.1.2.3",
    )
    assert other.status_code == 201
    assert PoliceReport.objects.count() == 2


# ---- officers' endpoints --------------------------------------------------


@pytest.fixture
def officer(make_user):
    return make_user(
        "officer@staff.example.org", roles=["police_reviewer"], full_name="Dana Whitfield"
    )


@pytest.fixture
def officer_token(officer):
    return issue_api_token(user=officer).raw


@pytest.fixture
def analyst_token(make_user):
    return issue_api_token(user=make_user("analyst@staff.example.org", roles=["analyst"])).raw


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def filed(client):
    """A submitted report, filed through the API."""
    response = post(client, contract_body())
    assert response.status_code == 201
    return response.json()["reference"]


def status_of(reference: str) -> str:
    return Case.objects.get(reference=reference).status


def test_list_of_submitted_reports(client, officer_token, filed):
    response = client.get(f"{URL}?status=submitted", headers=bearer(officer_token))
    assert response.status_code == 200
    (row,) = response.json()
    assert row["reference"] == filed
    assert row["status"] == "submitted"
    assert row["kind"] == "stolen"
    assert row["total_value_cents"] == 89900
    assert row["report_number"] is None
    assert client.get(f"{URL}?status=approved", headers=bearer(officer_token)).json() == []


def test_one_report_in_full_and_the_read_is_logged(client, officer, officer_token, filed):
    response = client.get(f"{URL}/{filed}", headers=bearer(officer_token))
    assert response.status_code == 200
    report = response.json()
    assert report["reference"] == filed
    assert report["reporter"]["last_name"] == "García"
    assert report["reporter"]["phone"] == "+12135550147"
    assert report["incident"]["address"] == "200 N Spring St"
    (bike,) = report["items"]
    assert (bike["category"], bike["category_name"], bike["loss_type"]) == ("04", "Bicycles", "7")

    (view,) = PersonalDataView.objects.all()
    assert view.viewer == officer
    assert view.case.reference == filed


def test_a_reference_is_found_whatever_its_case(client, officer_token, filed):
    response = client.get(f"{URL}/{filed.lower()}", headers=bearer(officer_token))
    assert response.status_code == 200
    assert response.json()["reference"] == filed


def test_approve(client, officer, officer_token, filed):
    response = client.post(f"{URL}/{filed}/approve", headers=bearer(officer_token))
    assert response.status_code == 200, response.content
    answer = response.json()
    assert answer["status"] == "approved"
    assert answer["reference"] == filed
    match = REPORT_NUMBER.match(answer["report_number"])
    assert match, answer["report_number"]
    assert int(match.group(1)) == timezone.localdate().year
    parse_reference(answer["report_number"])

    report = PoliceReport.objects.select_related("case").get()
    assert report.report_number == answer["report_number"]
    assert report.case.status == "approved"
    assert report.case.decided_by == officer
    event = report.case.events.get(to_status="approved")
    assert event.actor == officer
    assert event.payload["report_number"] == answer["report_number"]
    assert report.rms_export.status == "pending"


def test_approving_twice_is_a_conflict_and_keeps_the_number(client, officer_token, filed):
    first = client.post(f"{URL}/{filed}/approve", headers=bearer(officer_token))
    second = client.post(f"{URL}/{filed}/approve", headers=bearer(officer_token))
    assert first.status_code == 200
    assert second.status_code == 409
    assert error(second)["code"] == "conflict"
    assert error(second)["message"] == "Not possible: the case's status is now “approved”."
    report = PoliceReport.objects.get()
    assert report.report_number == first.json()["report_number"]
    assert CaseEvent.objects.filter(case=report.case, to_status="approved").count() == 1


def test_reject_with_a_reason_code(client, officer, officer_token, filed):
    RejectionReason.objects.get_or_create(
        code="outside-jurisdiction",
        defaults={
            "label_en": "Not in our jurisdiction",
            "label_es": "Fuera de nuestra jurisdicción",
            "explanation_en": "Contact the police where it happened.",
            "explanation_es": "Comuníquese con la policía del lugar.",
        },
    )
    response = client.post(
        f"{URL}/{filed}/reject",
        data={"reason": "outside-jurisdiction", "note": "Happened in Pasadena."},
        content_type="application/json",
        headers=bearer(officer_token),
    )
    assert response.status_code == 200, response.content
    assert response.json() == {"reference": filed, "status": "rejected"}
    report = PoliceReport.objects.select_related("case", "rejection_reason").get()
    assert report.case.status == "rejected"
    assert report.rejection_reason.code == "outside-jurisdiction"
    assert report.reviewer_note == "Happened in Pasadena."
    assert (
        report.case.events.get(to_status="rejected").payload["reason_code"]
        == "outside-jurisdiction"
    )
    assert Notification.objects.filter(kind="police_rejected", case=report.case).count() == 1


def test_reject_with_an_unknown_reason_lists_the_codes(client, officer_token, filed):
    RejectionReason.objects.get_or_create(
        code="duplicate",
        defaults={
            "label_en": "Already reported",
            "label_es": "Ya reportado",
            "explanation_en": "x",
            "explanation_es": "x",
        },
    )
    response = client.post(
        f"{URL}/{filed}/reject",
        data={"reason": "because"},
        content_type="application/json",
        headers=bearer(officer_token),
    )
    assert response.status_code == 422
    assert "duplicate" in error(response)["fields"]["reason"][0]
    assert status_of(filed) == "submitted"


def test_request_information(client, officer_token, filed):
    response = client.post(
        f"{URL}/{filed}/request-info",
        data={"message": "What colour is the bicycle?"},
        content_type="application/json",
        headers=bearer(officer_token),
    )
    assert response.status_code == 200, response.content
    assert response.json() == {"reference": filed, "status": "info_requested"}
    case = Case.objects.get(reference=filed)
    assert case.status == "info_requested"
    assert case.deadline_at is not None
    assert case.events.get(to_status="info_requested").reason == "What colour is the bicycle?"
    assert Notification.objects.filter(kind="police_info_requested", case=case).count() == 1


def test_request_information_needs_a_message(client, officer_token, filed):
    response = client.post(
        f"{URL}/{filed}/request-info",
        data={"message": ""},
        content_type="application/json",
        headers=bearer(officer_token),
    )
    assert response.status_code == 422
    assert "message" in error(response)["fields"]
    assert status_of(filed) == "submitted"


def test_serial_search_ignores_case_spaces_and_dashes(client, officer_token, filed):
    response = client.get(
        "/api/v1/police/property?serial=wtu-123-g4567", headers=bearer(officer_token)
    )
    assert response.status_code == 200
    (match,) = response.json()
    assert match["reference"] == filed
    assert match["serial_number"] == "WTU 123 G4567"
    assert match["description"] == "Road bicycle"
    nothing = client.get(
        "/api/v1/police/property?serial=WTU123G4568", headers=bearer(officer_token)
    )
    assert nothing.json() == []


# ---- who may call them ----------------------------------------------------

UNKNOWN = "LP-2026-99999-A"


def staff_calls(reference: str):
    """Every officers' endpoint, as (method, path, json body)."""
    return [
        ("get", f"{URL}?status=submitted", None),
        ("get", f"{URL}/{reference}", None),
        ("post", f"{URL}/{reference}/approve", None),
        ("post", f"{URL}/{reference}/reject", {"reason": "outside-jurisdiction", "note": "x"}),
        ("post", f"{URL}/{reference}/request-info", {"message": "Which colour?"}),
        ("get", "/api/v1/police/property?serial=WTU123G4567", None),
    ]


def call(client, method, path, body, headers=None):
    if method == "get":
        return client.get(path, headers=headers or {})
    return client.post(
        path, data=json.dumps(body or {}), content_type="application/json", headers=headers or {}
    )


def test_no_token_is_401_everywhere(client, filed):
    for method, path, body in staff_calls(filed):
        response = call(client, method, path, body)
        assert response.status_code == 401, path
        assert error(response)["code"] == "not_authenticated", path
        assert response["WWW-Authenticate"] == "Bearer"
    bad = call(client, "get", f"{URL}/{filed}", None, bearer("ch_deadbeef_not-a-real-token"))
    assert bad.status_code == 401
    assert status_of(filed) == "submitted"
    assert PersonalDataView.objects.count() == 0


def test_a_revoked_token_is_401(client, officer, filed):
    from cityhall.accounts.services import revoke_api_token

    issued = issue_api_token(user=officer)
    revoke_api_token(token=issued.token)
    response = client.get(f"{URL}/{filed}", headers=bearer(issued.raw))
    assert response.status_code == 401


@pytest.mark.parametrize("exists", [True, False], ids=["existing", "unknown"])
def test_without_a_police_role_it_is_403_and_nothing_happens(client, analyst_token, filed, exists):
    reference = filed if exists else UNKNOWN
    for method, path, body in staff_calls(reference):
        response = call(client, method, path, body, bearer(analyst_token))
        assert response.status_code == 403, (path, response.content)
        assert error(response)["code"] == "forbidden"
        # Nothing in the answer tells whether the record exists.
        assert reference not in response.content.decode()
    assert status_of(filed) == "submitted"
    report = PoliceReport.objects.get()
    assert report.report_number is None
    assert report.rejection_reason is None
    assert PersonalDataView.objects.count() == 0
    assert not CaseEvent.objects.filter(
        case=report.case, to_status__in=["approved", "rejected", "info_requested"]
    ).exists()


def test_a_resident_token_is_403(client, make_user, filed):
    resident = make_user("someone@example.org", roles=["resident"])
    response = client.get(f"{URL}/{filed}", headers=bearer(issue_api_token(user=resident).raw))
    assert response.status_code == 403


def test_unknown_reference_with_a_police_token_is_404(client, officer_token, filed):
    for method, path, body in staff_calls(UNKNOWN):
        if "?" in path:
            continue  # the list and the search have no reference
        response = call(client, method, path, body, bearer(officer_token))
        assert response.status_code == 404, path
        assert error(response)["code"] == "not_found"
    assert PersonalDataView.objects.count() == 0


def test_the_openapi_document_lists_every_police_endpoint(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    expected = {
        "/api/v1/police/reports": {"get", "post"},
        "/api/v1/police/reports/{reference}": {"get"},
        "/api/v1/police/reports/{reference}/approve": {"post"},
        "/api/v1/police/reports/{reference}/reject": {"post"},
        "/api/v1/police/reports/{reference}/request-info": {"post"},
        "/api/v1/police/property": {"get"},
    }
    for path, methods in expected.items():
        assert path in paths, sorted(paths)
        assert methods <= set(paths[path]), (path, paths[path].keys())
    filing = paths["/api/v1/police/reports"]["post"]
    assert "security" not in filing  # public
    assert paths["/api/v1/police/reports/{reference}/approve"]["post"]["security"]
