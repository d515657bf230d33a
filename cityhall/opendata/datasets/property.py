"""Lost and stolen property reports: items and their value by month of filing,
neighbourhood (the city's ZIP code area named in "where it happened") and
NIBRS category, with small counts suppressed (suppression.py). Nothing about a
person is read: the police selector hands over ids, days, ZIP codes,
categories and values only."""

from __future__ import annotations

from collections import defaultdict

from django.utils.translation import gettext_lazy as _

from cityhall.opendata import registry
from cityhall.opendata.registry import Column, Dataset, Query
from cityhall.opendata.suppression import Cell, Group, suppress
from cityhall.police import selectors as police
from cityhall.police.nibrs import PROPERTY_DESCRIPTIONS

from .common import dollars, in_key_order, last_day_of, local_day, month_of, month_text

ALL = "ALL"
UNKNOWN = "unknown"

COLUMNS = (
    Column("month", "month", _("The month the reports were filed (YYYY-MM).")),
    Column(
        "neighbourhood",
        "string",
        _(
            "The city ZIP code area named in where it happened; “unknown” when none was "
            "given; ALL on the month's total row."
        ),
    ),
    Column(
        "category",
        "string",
        _("NIBRS property description code (FBI data element 15); ALL on the total row."),
    ),
    Column("category_name", "string", _("The NIBRS category in words.")),
    Column(
        "reports",
        "integer",
        _("Reports with at least one item in this row. Empty when suppressed."),
    ),
    Column("items", "integer", _("Items reported (quantity counted). Empty when suppressed.")),
    Column(
        "total_value_usd",
        "number",
        _("The value residents gave the items, in dollars. Empty when suppressed."),
    ),
    Column(
        "suppressed",
        "string",
        _("“yes” when the figures are withheld to protect privacy (small counts)."),
    ),
)
NAMES = tuple(c.name for c in COLUMNS)


def groups_for(first_day, last_day) -> list[Group]:
    """One group per month: its cells (neighbourhood x category) and its total."""
    cells: dict = defaultdict(dict)
    for report_id, filed_at, zip_code, category, quantity, value in police.items_for_open_data(
        first_day, last_day
    ):
        month = month_of(local_day(filed_at))
        key = (month, zip_code or UNKNOWN, category)
        cell = cells[month].get(key)
        if cell is None:
            cell = cells[month][key] = Cell(key, measures={"items": 0, "value": 0})
        cell.people.add(report_id)
        cell.measures["items"] += quantity
        cell.measures["value"] += quantity * value
    groups = []
    for month in sorted(cells):
        group = Group(month, cells=list(cells[month].values()))
        total = Cell((month, ALL, ALL), measures={"items": 0, "value": 0})
        for cell in group.cells:
            total.people |= cell.people
            total.measures["items"] += cell.measures["items"]
            total.measures["value"] += cell.measures["value"]
        group.total = total
        groups.append(group)
    return groups


def _row(cell: Cell) -> tuple:
    month, zip_code, category = cell.key
    name = PROPERTY_DESCRIPTIONS.get(category, "") if category != ALL else "All categories"
    if cell.suppressed:
        return (month_text(month), zip_code, category, name, "", "", "", "yes")
    return (
        month_text(month),
        zip_code,
        category,
        name,
        cell.count,
        cell.measures["items"],
        dollars(cell.measures["value"]),
        "no",
    )


def rows(query: Query):
    """Suppression runs on whole months (the groups), before any filter: a filter
    only hides rows, it never makes a new total."""
    first, last = month_of(query.start), last_day_of(month_of(query.end))
    out = []
    for group in suppress(groups_for(first, last), registry.min_cell()):
        out += [_row(c) for c in group.cells] + [_row(group.total)]
    return in_key_order(out, NAMES, 3, query)


DATASET = registry.register(
    Dataset(
        slug="lost-and-stolen-property",
        title=_("Lost and stolen property reports"),
        description=_(
            "Property reported lost or stolen to the police, by month, neighbourhood and "
            "category: how many reports, items and their value. Small counts are withheld "
            "so nobody can be recognised, and no personal data is ever included."
        ),
        keywords=("police", "lost property", "stolen property", "NIBRS", "public safety"),
        columns=COLUMNS,
        key=("month", "neighbourhood", "category"),
        date_column="month",
        filterable=("neighbourhood", "category", "suppressed"),
        rows=rows,
        version=police.open_data_version,
        suppressed=True,
        theme="Public Safety",
    )
)
