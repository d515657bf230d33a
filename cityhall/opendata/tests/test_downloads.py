"""The download endpoints: CSV streamed, JSON pages with a cursor, validators,
rate limits, and a clear 4xx for every bad input."""

import csv
import io
import json

import pytest
from django.core.cache import cache
from django.http import StreamingHttpResponse

from .conftest import moment

pytestmark = pytest.mark.django_db

CSV = "/data/lost-and-stolen-property.csv"
JSON = "/data/lost-and-stolen-property.json"
DATES = {"start": "2026-01-01", "end": "2026-12-31"}


@pytest.fixture
def reports(file_report):
    for month in (3, 4, 5):
        for zip_code in ("90731", "90732"):
            for _ in range(5):
                file_report(filed=moment(2026, month), zip_code=zip_code)


def body_of(response) -> str:
    return b"".join(response.streaming_content).decode()


def test_csv_streams_with_the_column_names_first(client, reports):
    response = client.get(CSV, DATES)
    assert response.status_code == 200 and isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(body_of(response))))
    assert len(rows) == 9  # 3 months x (2 neighbourhoods + the total)
    assert rows[0]["month"] == "2026-03" and rows[0]["reports"] == "5"
    assert response["ETag"] and response["Last-Modified"]
    assert "max-age" in response["Cache-Control"]


def test_csv_filters_by_dates_and_field(client, reports):
    response = client.get(
        CSV, {"start": "2026-04-01", "end": "2026-04-30", "neighbourhood": "90732"}
    )
    rows = list(csv.DictReader(io.StringIO(body_of(response))))
    assert [(r["month"], r["neighbourhood"]) for r in rows] == [("2026-04", "90732")]


def test_json_pages_with_an_opaque_cursor_until_the_end(client, reports):
    seen, url, params = [], JSON, {**DATES, "limit": "4"}
    for _ in range(5):
        page = client.get(url, params).json()
        seen += page["data"]
        if not page["next"]:
            break
        assert "cursor=" in page["next"] and page["count"] == 4
        url, params = page["next"], None
    keys = [(r["month"], r["neighbourhood"], r["category"]) for r in seen]
    assert len(keys) == 9 and keys == sorted(keys) and len(set(keys)) == 9
    assert isinstance(seen[0]["reports"], int) and isinstance(seen[0]["total_value_usd"], float)


def test_json_of_an_empty_dataset_is_an_empty_page(client, db):
    page = client.get(JSON).json()
    assert page["data"] == [] and page["next"] is None and "month" in page["columns"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"start": "2026-13-01"}, "start"),
        ({"start": "yesterday"}, "start"),
        ({"end": "2026-02-30"}, "end"),
        ({"start": "2026-05-01", "end": "2026-04-01"}, "start"),
        ({"start": "1900-01-01", "end": "2026-01-01"}, "start"),
        ({"colour": "red"}, "colour"),
        ({"reports": "5"}, "reports"),  # a column, but not one to filter on
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"cursor": "WyJhIl0"}, "cursor"),  # ["a"]: the wrong shape for this dataset
        ({"limit": "0"}, "limit"),
        ({"limit": "lots"}, "limit"),
        ({"limit": "100001"}, "limit"),
    ],
)
def test_bad_input_is_a_400_with_a_message_naming_the_field(client, db, params, field):
    response = client.get(JSON, params)
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "bad_query" and body["field"] == field and body["message"]


@pytest.mark.parametrize("params", [{"start": "2026-13-01"}, {"colour": "red"}, {"cursor": "x"}])
def test_the_csv_refuses_bad_input_too(client, db, params):
    response = client.get(CSV, params)
    assert response.status_code == 400 and response.json()["message"]


def test_an_integer_column_filter_must_be_a_number(client, db):
    response = client.get("/data/facility-utilization.json", {"unit_id": "abc"})
    assert response.status_code == 400 and response.json()["field"] == "unit_id"


@pytest.mark.parametrize("path", ["/data/no-such-thing.csv", "/data/no-such-thing.json"])
def test_an_unknown_dataset_is_a_404(client, db, path):
    response = client.get(path)
    assert response.status_code == 404 and response.json()["error"] == "not_found"


def test_only_get(client, db):
    assert client.post(CSV).status_code == 405


def test_a_repeated_download_is_a_304_until_the_data_changes(client, reports, file_report):
    first = client.get(CSV, DATES)
    etag, modified = first["ETag"], first["Last-Modified"]
    again = client.get(CSV, DATES, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again["ETag"] == etag
    assert client.get(CSV, DATES, HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    other = client.get(CSV, {**DATES, "neighbourhood": "90731"}, HTTP_IF_NONE_MATCH=etag)
    assert other.status_code == 200  # another query, another ETag
    file_report(filed=moment(2026, 6))
    changed = client.get(CSV, DATES, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_too_many_downloads_from_one_address_get_a_429_with_retry_after(client, db, settings):
    settings.CITYHALL_OPEN_DATA_RATE = "3/60"
    cache.clear()
    assert [client.get(JSON).status_code for _ in range(3)] == [200, 200, 200]
    refused = client.get(JSON)
    assert refused.status_code == 429 and refused["Retry-After"] == "60"
    assert json.loads(refused.content)["error"] == "rate_limited"
    other = client.get(JSON, REMOTE_ADDR="10.1.2.3")
    assert other.status_code == 200  # per client


def test_head_answers_with_the_validators_and_no_rows(client, reports):
    response = client.head(CSV, DATES)
    assert response.status_code == 200 and response["ETag"]
    assert b"".join(response.streaming_content) == b""


def test_text_a_spreadsheet_would_run_as_a_formula_is_defused():
    from cityhall.opendata.exports import _spreadsheet_safe

    row = ['=HYPERLINK("http://x")', "+1 555", "@SUM(A1)", "-5", "-2.5", "- a list", -7, "Acme"]
    assert _spreadsheet_safe(row) == [
        '\'=HYPERLINK("http://x")',
        "'+1 555",
        "'@SUM(A1)",
        "-5",
        "-2.5",
        "'- a list",
        -7,
        "Acme",
    ]
    plain = ("2026-01-02", 3, "Fence")
    assert _spreadsheet_safe(plain) is plain  # the common case is not copied


def test_a_corrected_cost_model_changes_the_performance_download(client, db):
    """Cost rows are corrected in place on the cost inputs page; the download's
    version must notice, or caches would keep yesterday's cost per transaction."""
    from datetime import date

    from cityhall.insights.models import CostModel
    from cityhall.insights.services_costs import set_cost_model

    set_cost_model(
        service="police_report", channel="counter", effective_from=date(2025, 1, 1),
        values={"review_minutes": 10},
    )  # fmt: skip
    first = client.get("/data/service-performance.csv")
    assert first.status_code == 200
    set_cost_model(
        service="police_report", channel="counter", effective_from=date(2025, 1, 1),
        values={"review_minutes": 12},
    )  # fmt: skip
    assert CostModel.objects.count() == 1  # corrected, not added
    again = client.get("/data/service-performance.csv", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200 and again["ETag"] != first["ETag"]
