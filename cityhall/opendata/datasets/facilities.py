"""Facility utilization: per bookable unit and month, the hours it was open
for booking, the hours confirmed bookings took, and how many bookings."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cityhall.opendata import registry
from cityhall.opendata.registry import Column, Dataset, Query
from cityhall.reservations import selectors as reservations

from .common import in_key_order, last_day_of, month_of, month_text, months_between

COLUMNS = (
    Column("month", "month", _("The month (YYYY-MM).")),
    Column("unit_id", "integer", _("The bookable unit's number (stable across months).")),
    Column("facility", "string", _("The facility (park, community centre...).")),
    Column("unit", "string", _("The bookable unit (a shelter, a room...).")),
    Column("unit_kind", "string", _("The kind of unit.")),
    Column(
        "open_hours",
        "number",
        _("Hours the unit could be booked in the month (opening hours less closures)."),
    ),
    Column("booked_hours", "number", _("Hours taken by confirmed or completed bookings.")),
    Column("bookings", "integer", _("Confirmed or completed bookings in the month.")),
    Column("utilization_percent", "integer", _("Booked hours as a percent of open hours.")),
)
NAMES = tuple(c.name for c in COLUMNS)


def rows(query: Query):
    now = timezone.now()
    last_wanted = min(query.end, timezone.localdate())
    out = []
    for month in months_between(month_of(query.start), last_wanted):
        for usage in reservations.utilization(month, last_day_of(month), now=now):
            unit = usage.unit
            out.append(
                (
                    month_text(month),
                    unit.pk,
                    unit.facility.name,
                    unit.name,
                    unit.kind,
                    usage.open_hours,
                    usage.booked_hours,
                    usage.bookings,
                    usage.percent,
                )
            )
    return in_key_order(out, NAMES, 2, query)


DATASET = registry.register(
    Dataset(
        slug="facility-utilization",
        title=_("Facility utilization"),
        description=_(
            "How much the city's bookable park shelters, rooms and fields are used, month by "
            "month: hours open, hours booked and bookings per unit."
        ),
        keywords=("parks", "facilities", "reservations", "utilization", "recreation"),
        columns=COLUMNS,
        key=("month", "unit_id"),
        date_column="month",
        filterable=("unit_id", "facility", "unit_kind"),
        rows=rows,
        version=reservations.open_data_version,
        default_months=12,
        theme="Recreation",
    )
)
