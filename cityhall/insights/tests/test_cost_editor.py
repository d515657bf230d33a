"""The cost inputs of a service, kept by the digital team on a page (not only in
the admin): dated rows, prices typed in dollars, bad input explained and kept."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from cityhall.insights.models import CostModel, DigitalServiceCost, StaffRate
from cityhall.insights.services_costs import set_cost_model

URL = "/staff/insights/services/sample/costs/"


@pytest.fixture
def rates(db, sample_service):
    StaffRate.objects.create(role="clerk", hourly_cents=3000, effective_from=date(2025, 1, 1))
    StaffRate.objects.create(role="officer", hourly_cents=6000, effective_from=date(2025, 1, 1))


def _model(**extra):
    return {
        "part": "model",
        "model-channel": "counter",
        "model-effective_from": "2026-01-01",
        "model-intake_minutes": "12",
        "model-intake_role": "clerk",
        "model-review_minutes": "20.5",
        "model-review_role": "officer",
        "model-issue_minutes": "0",
        "model-issue_role": "",
        "model-paper_cents": "$0.40",
        "model-postage_cents": "0.73",
        "model-printing_cents": "",
        "model-payment_fee_cents": "",
        "model-resident_minutes": "45",
        "model-resident_travel_cents": "3.50",
        "model-notes": "Time study, March 2025",
        **extra,
    }


@pytest.mark.parametrize("role", ["digital_team", "analyst", "city_admin"])
def test_the_digital_team_records_a_channels_cost_model(rates, staff_client, role):
    client, _user = staff_client(role)
    page = client.get(URL)
    assert page.status_code == 200
    assert b'name="model-intake_role"' in page.content
    response = client.post(URL, _model())
    assert response.status_code == 302
    assert response["Location"].endswith("?channel=counter#model")
    row = CostModel.objects.get(service="sample", channel="counter")
    assert row.effective_from == date(2026, 1, 1)
    assert (row.intake_minutes, row.intake_role) == (Decimal("12"), "clerk")
    assert (row.review_minutes, row.review_role) == (Decimal("20.5"), "officer")
    assert (row.paper_cents, row.postage_cents, row.printing_cents) == (40, 73, 0)
    assert (row.resident_minutes, row.resident_travel_cents) == (Decimal("45"), 350)
    # Shown back, and the next visit starts from the latest figures.
    again = client.get(URL + "?channel=counter").content.decode()
    assert "Time study, March 2025" in again and 'value="0.73"' in again


def test_a_later_date_adds_a_row_and_the_same_date_corrects_it(rates, staff_client):
    client, _user = staff_client("digital_team")
    client.post(URL, _model())
    client.post(URL, _model(**{"model-effective_from": "2026-07-01", "model-intake_minutes": "8"}))
    client.post(URL, _model(**{"model-effective_from": "2026-07-01", "model-intake_minutes": "9"}))
    rows = CostModel.objects.filter(service="sample", channel="counter").order_by("effective_from")
    assert [(r.effective_from, r.intake_minutes) for r in rows] == [
        (date(2026, 1, 1), Decimal("12")),
        (date(2026, 7, 1), Decimal("9")),
    ]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("model-paper_cents", "forty cents", "Enter an amount in dollars"),
        ("model-paper_cents", "-1", "cannot be negative"),
        ("model-paper_cents", "99999999999999", "too large"),
        # Over what the column holds (PostgreSQL refused it with a 500 before).
        ("model-paper_cents", "30000000", "too large"),
        ("model-intake_minutes", "-3", "greater than or equal to 0"),
        ("model-intake_minutes", "NaN", "Enter a number"),
        ("model-effective_from", "31/12/2026", "Enter a valid date"),
        ("model-channel", "carrier pigeon", "Select a valid choice"),
        ("model-intake_role", "mayor", "Select a valid choice"),
    ],
)
def test_bad_input_is_explained_and_what_was_typed_is_kept(
    rates, staff_client, field, value, message
):
    client, _user = staff_client("digital_team")
    page = client.post(URL, _model(**{field: value, "model-notes": "Typed with care"}))
    assert page.status_code == 200
    text = page.content.decode()
    assert message in text and "Typed with care" in text
    assert "usa-error-message" in text and 'id="error-summary"' in text
    assert not CostModel.objects.exists()


def test_minutes_without_someone_to_price_them_are_refused(rates, staff_client):
    client, _user = staff_client("digital_team")
    page = client.post(URL, _model(**{"model-intake_role": ""}))
    assert "Say who spends these minutes" in page.content.decode()
    assert not CostModel.objects.exists()


def test_the_digital_investment_is_recorded(rates, staff_client):
    client, _user = staff_client("digital_team")
    response = client.post(
        URL,
        {
            "part": "digital",
            "digital-effective_from": "2026-01-01",
            "digital-launched_on": "2026-02-01",
            "digital-build_cost_cents": "$12,500",
            "digital-hosting_monthly_cents": "80",
            "digital-support_monthly_cents": "120.50",
            "digital-staff_time_redeployed": "on",
            "digital-resident_hour_value_cents": "28",
            "digital-notes": "",
        },
    )
    assert response.status_code == 302
    row = DigitalServiceCost.objects.get(service="sample")
    assert (row.launched_on, row.build_cost_cents) == (date(2026, 2, 1), 1_250_000)
    assert row.running_monthly_cents == 20_050 and row.staff_time_redeployed
    assert row.resident_hour_value_cents == 2800


def test_a_bad_digital_form_keeps_the_cost_model_form_untouched(rates, staff_client):
    client, _user = staff_client("digital_team")
    page = client.post(URL, {"part": "digital", "digital-launched_on": "someday"})
    text = page.content.decode()
    assert page.status_code == 200 and "Enter a valid date" in text
    assert not DigitalServiceCost.objects.exists()


@pytest.mark.parametrize("role", ["police_reviewer", "finance_clerk", "resident"])
def test_other_people_cannot_see_or_change_the_costs(rates, staff_client, role):
    client, _user = staff_client(role)
    assert client.get(URL).status_code == 403
    assert client.post(URL, _model()).status_code == 403
    assert not CostModel.objects.exists()


def test_an_unknown_service_is_not_found(rates, staff_client):
    client, _user = staff_client("digital_team")
    assert client.get("/staff/insights/services/nope/costs/").status_code == 404
    assert client.post("/staff/insights/services/nope/costs/", _model()).status_code == 404
    assert not CostModel.objects.exists()


def test_the_service_function_corrects_a_dated_row(db):
    first, created = set_cost_model(
        service="sample", channel="online", effective_from=date(2026, 1, 1), values={"notes": "a"}
    )
    again, created_again = set_cost_model(
        service="sample", channel="online", effective_from=date(2026, 1, 1), values={"notes": "b"}
    )
    assert created and not created_again and first.pk == again.pk
    assert CostModel.objects.get().notes == "b"


def test_the_figures_use_what_was_entered(rates, staff_client):
    """The service's insights page prices its counter transactions with the new model."""
    client, _user = staff_client("digital_team")
    client.post(URL, _model())
    page = client.get("/staff/insights/services/sample/?start=2026-01-01&end=2026-03-31")
    assert page.status_code == 200
    text = page.content.decode()
    # 12 min of a $30/h clerk + 20.5 min of a $60/h officer = $6.00 + $20.50
    assert "12.00 / 20.50 / 0.00" in text and "$26.50" in text
