"""Permits issued, in the field names of BLDS (permitdata.org). One row per
permit, read through a server-side cursor: the one dataset that grows without
bound, so it is the one the streaming and the benchmark are about."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cityhall.opendata import registry
from cityhall.opendata.registry import DAILY, Column, Dataset, Query
from cityhall.permits import public

MEANINGS = {
    "PermitNum": ("string", _("The permit number the city issued.")),
    "Description": ("string", _("The permit type and the work, as described on the application.")),
    "AppliedDate": ("date", _("The day the application was sent.")),
    "IssuedDate": ("date", _("The day the permit was issued.")),
    "CompletedDate": ("date", _("The day the work was finaled; empty until then.")),
    "StatusCurrent": ("string", _("The permit's status in the city's words.")),
    "OriginalAddress1": ("string", _("The street address of the work (a public record).")),
    "OriginalAddress2": ("string", _("The unit or suite, if any.")),
    "OriginalCity": ("string", _("The city of the work site.")),
    "OriginalState": ("string", _("The state (two letters).")),
    "OriginalZip": ("string", _("The ZIP code of the work site.")),
    "Jurisdiction": ("string", _("The city that issued the permit.")),
    "PermitClass": ("string", _("The permit class in the city's words.")),
    "PermitClassMapped": ("string", _("BLDS class: Residential or Non-Residential.")),
    "StatusCurrentMapped": ("string", _("BLDS status, e.g. Permit Issued, Permit Finaled.")),
    "WorkClass": ("string", _("The kind of work in the city's words.")),
    "WorkClassMapped": ("string", _("BLDS work class: New or Existing.")),
    "PermitType": ("string", _("The permit type in the city's words.")),
    "PermitTypeMapped": ("string", _("BLDS permit type.")),
    "PermitTypeDesc": ("string", _("The permit type's name.")),
    "StatusDate": ("date", _("The day the status last changed.")),
    "ExpiresDate": ("date", _("The last day the permit is valid.")),
    "EstProjectCost": ("number", _("The project's value given on the application, in dollars.")),
    "TotalSqFt": ("integer", _("The floor area given on the application, in square feet.")),
    "ContractorCompanyName": ("string", _("The licensed contractor's company, if any.")),
    "ContractorLicNum": ("string", _("The contractor's state licence number, if any.")),
    "Link": ("url", _("The permit's public page.")),
}
COLUMNS = tuple(Column(name, *MEANINGS[name]) for name in public.BLDS_FIELDS)
NAMES = public.BLDS_FIELDS
PYTHON_FILTERS = ("StatusCurrent",)  # computed per row, not a database column


def _start_of(day):
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def rows(query: Query):
    db_filters = {k: v for k, v in query.filters.items() if k in public.FILTER_COLUMNS}
    row_filters = [(NAMES.index(k), v) for k, v in query.filters.items() if k in PYTHON_FILTERS]
    queryset = public.blds_queryset(
        issued_from=_start_of(query.start),
        issued_before=_start_of(query.end + timedelta(days=1)),
        filters=db_filters,
        after=query.after[0] if query.after else None,
    )
    for row in public.blds_rows(queryset):
        if all(row[i] == v for i, v in row_filters):
            yield row


DATASET = registry.register(
    Dataset(
        slug="permits-issued",
        title=_("Permits issued"),
        description=_(
            "Every permit the city issued, with its address, type, status and dates, in the "
            "field names of the Building and Land Development Specification (BLDS). No "
            "applicant's name, email or phone is included."
        ),
        keywords=("permits", "BLDS", "building", "construction", "licences"),
        columns=COLUMNS,
        key=("PermitNum",),
        date_column="IssuedDate",
        filterable=(*public.FILTER_COLUMNS, *PYTHON_FILTERS),
        rows=rows,
        version=public.blds_version,
        default_months=120,
        periodicity=DAILY,
        theme="Housing and Development",
    )
)
