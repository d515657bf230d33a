"""One dataset per formbuilder service the digital team marked for open data:
cases sent by month and current status, small counts withheld. Never the
answers: they are free text that may name or locate a person."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, time, timedelta
from functools import partial

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cityhall.formbuilder import selectors as formbuilder
from cityhall.opendata import registry
from cityhall.opendata.registry import Column, Dataset, Query
from cityhall.opendata.suppression import Cell, Group, suppress

from .common import in_key_order, last_day_of, month_of, month_text

ALL = "ALL"
COLUMNS = (
    Column("month", "month", _("The month the requests were sent (YYYY-MM).")),
    Column("status", "string", _("The requests' status today; ALL on the month's total row.")),
    Column("requests", "integer", _("Requests sent. Empty when suppressed.")),
    Column(
        "suppressed",
        "string",
        _("“yes” when the figure is withheld to protect privacy (small counts)."),
    ),
)
NAMES = tuple(c.name for c in COLUMNS)
PREFIX = "service-requests-"


def _start(day):
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def groups_for(code: str, first_day, last_day) -> list[Group]:
    cells: dict = defaultdict(dict)
    for case_id, month, status in formbuilder.monthly_status_counts(
        code, _start(first_day), _start(last_day + timedelta(days=1))
    ):
        month = timezone.localtime(month).date() if hasattr(month, "hour") else month
        cell = cells[month].setdefault(status, Cell((month, status)))
        cell.people.add(case_id)
    groups = []
    for month in sorted(cells):
        group = Group(month, cells=list(cells[month].values()), total=Cell((month, ALL)))
        for cell in group.cells:
            group.total.people |= cell.people
        groups.append(group)
    return groups


def _row(cell: Cell) -> tuple:
    month, status = cell.key
    if cell.suppressed:
        return (month_text(month), status, "", "yes")
    return (month_text(month), status, cell.count, "no")


def rows(code: str, query: Query):
    first, last = month_of(query.start), last_day_of(month_of(query.end))
    out = []
    for group in suppress(groups_for(code, first, last), registry.min_cell()):
        out += [_row(c) for c in group.cells] + [_row(group.total)]
    return in_key_order(out, NAMES, 2, query)


def dataset_of(service) -> Dataset:
    return Dataset(
        slug=PREFIX + service.code.replace("_", "-"),
        title=_("Requests: %(name)s") % {"name": service.name_en},
        description=_(
            "Requests sent to the city's “%(name)s” service, by month and status. Small counts "
            "are withheld; the answers people gave are never published."
        )
        % {"name": service.name_en},
        keywords=("service requests", service.code),
        columns=COLUMNS,
        key=("month", "status"),
        date_column="month",
        filterable=("status", "suppressed"),
        rows=partial(rows, service.code),
        version=partial(formbuilder.open_data_version, service.code),
        suppressed=True,
    )


def published() -> list[Dataset]:
    return [dataset_of(s) for s in formbuilder.open_data_services()]


registry.register_source(published)
