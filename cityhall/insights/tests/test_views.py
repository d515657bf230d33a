"""Dashboards, council reports: who may see them, what they show, bad input."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.management import call_command
from pypdf import PdfReader

from cityhall.insights import rollups
from cityhall.insights.models import CouncilReport, Pilot, StaffRate
from cityhall.insights.report import render_council_report

from .conftest import cost_inputs

PERIOD = "?start=2026-01-01&end=2026-03-31"


@pytest.fixture
def ready(history):
    cost_inputs()
    rollups.rebuild()
    Pilot.objects.create(
        service="sample",
        starts_on=date(2026, 2, 1),
        ends_on=date(2026, 3, 31),
        target_take_up_pct=40,
        target_satisfaction=4,
        max_cost_per_transaction_cents=1500,
    )


@pytest.mark.parametrize("role", ["analyst", "city_admin"])
def test_analysts_and_city_admins_see_every_service(ready, staff_client, role):
    client, _user = staff_client(role)
    page = client.get("/staff/insights/" + PERIOD)
    assert page.status_code == 200
    text = page.content.decode()
    assert 'data-service="sample"' in text and 'data-service="police_report"' in text
    for chart in ["volume-data", "take-up-data", "savings-data"]:
        assert f'id="{chart}"' in text  # the Chart.js data, with a table beside each
    assert "vendor/chartjs/chart.umd.min.js" in text
    assert 'data-testid="pilot"' in text


def test_service_page_shows_each_kpi_and_its_inputs(ready, staff_client):
    client, _user = staff_client("analyst")
    page = client.get("/staff/insights/services/sample/" + PERIOD)
    text = page.content.decode()
    assert page.status_code == 200
    for kpi, shown in [
        ("completion_rate", "94.1%"),  # 16 of 17 in Jan-Mar
        ("digital_take_up", "31.2%"),  # 5 of 16
        ("median", "30 h"),
        ("cost_per_transaction", "$15.40"),
        ("satisfaction", "3.67"),
        ("roi", "-41.4%"),
    ]:
        assert f'data-kpi="{kpi}">{shown}<' in text, kpi
    assert "At the counter 75.0%, By phone 25.0%" in text


@pytest.mark.parametrize("role", ["police_reviewer", "finance_clerk", "resident"])
def test_other_roles_are_refused(ready, staff_client, role):
    client, _user = staff_client(role)
    assert client.get("/staff/insights/").status_code == 403
    assert client.get("/staff/insights/services/sample/").status_code == 403
    assert (
        client.post(
            "/staff/insights/reports/", {"start": "2026-01-01", "end": "2026-01-31"}
        ).status_code
        == 403
    )
    assert not CouncilReport.objects.exists()


def test_anonymous_people_are_sent_to_sign_in(db, client):
    page = client.get("/staff/insights/")
    assert page.status_code == 302 and "/accounts/sign-in/" in page["Location"]


def test_bad_filters_are_explained_and_never_500(ready, staff_client):
    client, _user = staff_client("analyst")
    page = client.get("/staff/insights/?start=2026-13-45&end=yesterday&channel=pigeon")
    assert page.status_code == 200
    text = page.content.decode()
    assert "error-summary" in text and "Enter a date like 2026-01-01." in text
    assert 'value="2026-13-45"' in text  # what was typed stays
    page = client.get("/staff/insights/?start=2026-03-01&end=2026-01-01")
    assert "The end date must be on or after the start date." in page.content.decode()
    # One side alone is checked against the default other side.
    assert "five years or less" in client.get("/staff/insights/?start=0001-01-01").content.decode()
    # An end before the default start alone means that day, not an empty period.
    lone_end = client.get("/staff/insights/?end=2000-01-01")
    assert lone_end.status_code == 200 and "error-summary" not in lone_end.content.decode()
    assert client.get("/staff/insights/services/nope/").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_council_report_is_made_in_the_background_and_downloaded(ready, staff_client):
    client, _user = staff_client("analyst")
    page = client.post("/staff/insights/reports/", {"start": "2026-01-01", "end": "2026-03-31"})
    assert page.status_code == 302
    report = CouncilReport.objects.get()
    assert report.status == "queued"
    assert client.get(f"/staff/insights/reports/{report.public_id}/").status_code == 404
    call_command(
        "db_worker", batch=True, reload=False, startup_delay=False, verbosity=0, queue_name="*"
    )
    report.refresh_from_db()
    assert report.status == "ready" and report.size > 1000
    download = client.get(f"/staff/insights/reports/{report.public_id}/")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    pdf = b"".join(download.streaming_content)
    assert "Download the PDF" in client.get("/staff/insights/").content.decode()
    assert "Sample permit" in pdf_text(pdf)


def test_council_report_request_with_a_bad_period_is_refused(ready, staff_client):
    client, _user = staff_client("analyst")
    page = client.post(
        "/staff/insights/reports/", {"start": "2026-03-01", "end": "2026-01-01"}, follow=True
    ).content.decode()
    assert "The end date must be on or after the start date." in page  # the real reason
    assert 'value="2026-03-01"' in page  # and what was typed
    client.post("/staff/insights/reports/", {"start": "", "end": "2026-01-01"})
    assert not CouncilReport.objects.exists()


def pdf_text(pdf: bytes) -> str:
    return " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages)


@pytest.mark.parametrize("language", ["en", "es"])
def test_council_pdf_holds_the_figures_charts_tables_and_pilots(ready, language):
    text = pdf_text(render_council_report(date(2026, 1, 1), date(2026, 3, 31), language))
    for expected in [
        "Sample permit",
        "94.1%",  # completion rate
        "31.2%",  # take-up
        "$15.40",  # blended cost per transaction
        "$29.30",  # hard savings
        "$101.25",  # soft savings
        "-41.4%",  # ROI
        "$11.19",  # February's hard savings in the savings chart's table
    ]:
        assert expected in text, expected
    if language == "en":
        for words in [
            "Council report for",
            "Hard savings",
            "Soft savings",
            "Pilots",
            "Too early to tell",
        ]:
            assert words in text, words


@pytest.mark.parametrize("role", ["analyst", "city_admin"])
def test_analysts_keep_the_cost_inputs_in_the_admin(db, staff_client, role):
    client, _user = staff_client(role)
    for model in ["costmodel", "staffrate", "digitalservicecost", "pilot"]:
        assert client.get(f"/admin/insights/{model}/add/").status_code == 200, model
    assert client.get("/admin/insights/surveyresponse/").status_code == 200
    assert client.get("/admin/insights/surveyresponse/add/").status_code == 403
    response = client.post(
        "/admin/insights/staffrate/add/",
        {"role": "counter_clerk", "hourly_cents": "3800", "effective_from": "2026-01-01"},
    )
    assert response.status_code == 302
    assert StaffRate.objects.get().hourly_cents == 3800


def test_other_staff_cannot_change_cost_inputs(db, staff_client):
    client, _user = staff_client("police_reviewer")
    assert client.get("/admin/insights/costmodel/add/").status_code == 403


def test_a_report_that_fails_says_so_and_is_not_downloadable(ready, staff_client, monkeypatch):
    from cityhall.insights import report, services

    client, user = staff_client("analyst")
    queued = CouncilReport.objects.create(
        period_from=date(2026, 1, 1), period_to=date(2026, 3, 31), requested_by=user
    )

    def broken(*args, **kwargs):
        raise RuntimeError("font missing")

    monkeypatch.setattr(report, "render_council_report", broken)
    with pytest.raises(RuntimeError):
        services.make_council_report(queued.pk)
    queued.refresh_from_db()
    assert queued.status == "failed" and "font missing" in queued.error
    assert client.get(f"/staff/insights/reports/{queued.public_id}/").status_code == 404
    assert "Failed" in client.get("/staff/insights/").content.decode()
