"""The datasets on the real database: what each holds, suppression in place,
and no personal data in any output."""

from datetime import date

import pytest

from cityhall.opendata import registry
from cityhall.opendata.registry import Query

from .conftest import PEOPLE, moment

pytestmark = pytest.mark.django_db


def rows_of(slug, start=date(2026, 1, 1), end=date(2026, 12, 31), **filters):
    dataset = registry.get(slug)
    return [
        dict(zip(dataset.column_names, r, strict=True))
        for r in dataset.rows(Query(start, end, filters))
    ]


def test_lost_and_stolen_counts_by_month_neighbourhood_and_category(file_report):
    for _ in range(6):
        file_report(filed=moment(2026, 3), zip_code="90731", categories=("04",), value=50000)
    for _ in range(5):
        file_report(filed=moment(2026, 3), zip_code="90732", categories=("75",), value=80000)
    file_report(filed=moment(2026, 3), zip_code="90733", categories=("25",))  # one: withheld
    file_report(filed=moment(2026, 4), zip_code="", categories=("04",))  # a month of one
    rows = {
        (r["month"], r["neighbourhood"], r["category"]): r
        for r in rows_of("lost-and-stolen-property")
    }
    bikes = rows[("2026-03", "90731", "04")]
    assert (bikes["reports"], bikes["items"], bikes["total_value_usd"], bikes["suppressed"]) == (
        6,
        6,
        "3000.00",
        "no",
    )
    assert bikes["category_name"] == "Bicycles"
    # The single wallet report is withheld, and so is the next smallest cell (5 phones):
    # else total (12) - 6 - 5 would give it back.
    assert rows[("2026-03", "90733", "25")]["suppressed"] == "yes"
    assert rows[("2026-03", "90733", "25")]["reports"] == ""
    assert rows[("2026-03", "90732", "75")]["suppressed"] == "yes"
    total = rows[("2026-03", "ALL", "ALL")]
    assert (total["reports"], total["items"], total["suppressed"]) == (12, 12, "no")
    # April has one report: the whole month is withheld, the total too.
    assert rows[("2026-04", "unknown", "04")]["suppressed"] == "yes"
    assert rows[("2026-04", "ALL", "ALL")]["suppressed"] == "yes"


def test_no_published_figure_can_be_worked_out_by_subtraction(file_report):
    plan = {"90731": 7, "90732": 2, "90733": 3}
    for zip_code, n in plan.items():
        for _ in range(n):
            file_report(filed=moment(2026, 5), zip_code=zip_code, categories=("04",))
    rows = [r for r in rows_of("lost-and-stolen-property") if r["month"] == "2026-05"]
    shown = [r for r in rows if r["suppressed"] == "no" and r["category"] != "ALL"]
    total = next(r for r in rows if r["category"] == "ALL")
    for row in shown:
        assert row["reports"] >= 5
    hidden = [r for r in rows if r["suppressed"] == "yes"]
    if total["suppressed"] == "no":
        gap = total["items"] - sum(r["items"] for r in shown)
        # What subtraction gives is the sum of at least two withheld rows, at least k people.
        assert len(hidden) >= 2 and gap >= 5
    assert {r["neighbourhood"] for r in hidden} == {"90732", "90733"}


def test_filters_only_hide_rows_and_never_change_suppression(file_report):
    for _ in range(6):
        file_report(filed=moment(2026, 3), zip_code="90731")
    file_report(filed=moment(2026, 3), zip_code="90732")
    everything = rows_of("lost-and-stolen-property")
    one = rows_of("lost-and-stolen-property", neighbourhood="90732")
    assert one == [r for r in everything if r["neighbourhood"] == "90732"]
    assert one[0]["suppressed"] == "yes"


def test_no_personal_data_in_the_lost_and_stolen_dataset(file_report):
    for name in PEOPLE:
        for _ in range(5):
            file_report(filed=moment(2026, 6), name=name, zip_code="90731")
    text = repr(rows_of("lost-and-stolen-property"))
    for first, last, email, phone, address in PEOPLE:
        for private in (first, last, email, phone, address, "Main St", "Outside"):
            assert private not in text, private


def test_threshold_comes_from_the_city_setting(file_report, settings):
    for _ in range(3):
        file_report(filed=moment(2026, 7), zip_code="90731")
    assert rows_of("lost-and-stolen-property")[0]["suppressed"] == "yes"
    settings.CITYHALL_OPEN_DATA_MIN_CELL = 3
    assert rows_of("lost-and-stolen-property")[0]["suppressed"] == "no"
