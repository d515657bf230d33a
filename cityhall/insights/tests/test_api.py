"""GET /api/v1/insights/services[/{code}]: KPIs with their inputs; analysts
and city administrators only."""

from __future__ import annotations

import pytest

from cityhall.accounts.services import issue_api_token
from cityhall.insights import rollups

from .conftest import cost_inputs

MARCH = "from=2026-03-01&to=2026-03-31"


@pytest.fixture
def token(make_user):
    def issue(role):
        user = make_user(f"{role}-api@staff.example.org", roles=[role])
        return {"HTTP_AUTHORIZATION": f"Bearer {issue_api_token(user=user, name='test').raw}"}

    return issue


@pytest.fixture
def ready(history):
    cost_inputs()
    rollups.rebuild()


def test_service_detail_has_the_kpis_and_their_inputs(ready, client, token):
    body = client.get(f"/api/v1/insights/services/sample?{MARCH}", **token("analyst")).json()
    assert body["period"] == {"start": "2026-03-01", "end": "2026-03-31", "channel": None}
    assert (body["started"], body["completed"]) == (7, 6)
    assert body["completion_rate"] == 0.8571
    assert body["digital_take_up"] == 0.5
    assert (body["median_hours_to_decision"], body["p90_hours_to_decision"]) == (30, 192)
    assert body["cost_per_transaction"] == 1414
    assert body["satisfaction"] == 3.67
    assert (body["hard_savings"], body["soft_savings"]) == (1811, 6075)  # 1810.5 rounds up
    assert body["roi"] == -0.4141
    assert (body["payback_months"], body["payback_projected"]) == (4, True)
    inputs = body["inputs"]
    assert inputs["counts"]["decision_hours_histogram"] == {
        "2": 1,
        "5": 1,
        "30": 1,
        "50": 1,
        "96": 1,
        "192": 1,
    }
    assert inputs["baseline_weights"] == {"counter": 0.75, "phone": 0.25}
    assert inputs["staff_rates"] == {"clerk": 3000, "officer": 6000}
    assert inputs["digital_service"]["launched_on"] == "2026-02-01"
    online = next(c for c in inputs["channels"] if c["channel"] == "online")
    assert (online["staff_cost"], online["running_cost"], online["cost_per_transaction"]) == (
        3000,
        372,
        1124,
    )
    assert inputs["savings"]["staff_time_saved_hard"] == 2025
    assert [m["month"] for m in body["months"]] == ["2026-03"]


def test_list_has_every_registered_service(ready, client, token):
    response = client.get(f"/api/v1/insights/services?{MARCH}", **token("city_admin"))
    assert response.status_code == 200
    codes = {row["code"] for row in response.json()}
    assert {"sample", "police_report", "facility_booking"} <= codes
    sample = next(row for row in response.json() if row["code"] == "sample")
    assert sample["digital_take_up"] == 0.5


def test_no_token_is_401_and_other_roles_403(ready, client, token):
    police, finance = token("police_reviewer"), token("finance_clerk")
    for path in ["/api/v1/insights/services", "/api/v1/insights/services/sample"]:
        anonymous = client.get(path)
        assert anonymous.status_code == 401
        assert anonymous.json()["error"]["code"] == "not_authenticated"
        assert client.get(path, HTTP_AUTHORIZATION="Bearer ch_wrong").status_code == 401
        refused = client.get(path, **police)
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
        assert "started" not in refused.content.decode()
        assert client.get(path, **finance).status_code == 403


def test_bad_parameters_are_422_with_fields(ready, client, token):
    headers = token("analyst")
    body = client.get("/api/v1/insights/services/sample?from=2026-02-30", **headers).json()
    assert body["error"]["code"] == "validation_error" and "from" in body["error"]["fields"]
    response = client.get(
        "/api/v1/insights/services/sample?from=2026-03-31&to=2026-03-01", **headers
    )
    assert response.status_code == 422 and "to" in response.json()["error"]["fields"]
    response = client.get("/api/v1/insights/services/sample?from=0001-01-01", **headers)
    assert response.status_code == 422
    assert "five years" in response.json()["error"]["fields"]["to"][0]
    response = client.get("/api/v1/insights/services?channel=pigeon", **headers)
    assert response.status_code == 422 and "channel" in response.json()["error"]["fields"]
    assert client.get("/api/v1/insights/services/nope", **headers).status_code == 404
