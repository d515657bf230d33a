"""What anyone may see of issued permits: the public search (by address or
permit number) and the permits dataset in the field names of BLDS, the
Building and Land Development Specification (permitdata.org), which the
opendata app publishes. No personal data: no names, emails or phones; a
contractor appears only by company name and state licence number, which
are public records of licensed businesses.

Only issued permits (active, completed, expired) are public, and only those
with an address: BLDS needs OriginalAddress1, City, State and Zip.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.conf import settings
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation

from .models import ContactRole, Permit, PermitStatus

# The BLDS core permits dataset: required fields first. BLDS requires AppliedDate
# or IssuedDate; every permit here has both. CompletedDate is filled when the
# permit is completed (required "when applicable").
BLDS_REQUIRED = (
    "PermitNum",
    "Description",
    "AppliedDate",
    "IssuedDate",
    "StatusCurrent",
    "OriginalAddress1",
    "OriginalCity",
    "OriginalState",
    "OriginalZip",
)
BLDS_FIELDS = (  # in the specification's order
    "PermitNum",
    "Description",
    "AppliedDate",
    "IssuedDate",
    "CompletedDate",
    "StatusCurrent",
    "OriginalAddress1",
    "OriginalAddress2",
    "OriginalCity",
    "OriginalState",
    "OriginalZip",
    "Jurisdiction",
    "PermitClass",
    "PermitClassMapped",
    "StatusCurrentMapped",
    "WorkClass",
    "WorkClassMapped",
    "PermitType",
    "PermitTypeMapped",
    "PermitTypeDesc",
    "StatusDate",
    "ExpiresDate",
    "EstProjectCost",
    "TotalSqFt",
    "ContractorCompanyName",
    "ContractorLicNum",
    "Link",
)
# Answers with these keys (by convention in the permit types' questions) fill
# BLDS's cost and area.
VALUATION_KEY, AREA_KEY = "valuation", "floor_area"
MAX_RESULTS = 50


def public_permits() -> QuerySet[Permit]:
    return (
        Permit.objects.exclude(application__street="")
        .select_related("application__case", "application__permit_type")
        .prefetch_related("application__contacts", "inspections")
        .order_by("-issued_at", "-pk")
    )


def search(*, address: str = "", number: str = "") -> list[Permit]:
    """Issued permits at an address (every word typed is in the street, and the
    ZIP code matches when one is typed) or with a permit number."""
    address = " ".join((address or "").split())
    number = "".join((number or "").split()).upper()
    if not address and not number:
        return []
    permits = public_permits()
    if number:
        permits = permits.filter(number__iexact=number)
    if address:
        words = address.replace(",", " ").split()
        zips = [w for w in words if w.isdigit() and len(w) == 5]
        condition = Q()
        for word in (w for w in words if w not in zips):
            condition &= Q(
                application__street__icontains=word
            )  # "200 harbor" finds "200 N Harbor Blvd"
        if zips:
            condition &= Q(application__zip_code__in=zips)
        permits = permits.filter(condition)
    return list(permits[:MAX_RESULTS])


def status_of(permit: Permit) -> tuple[str, str]:
    """(StatusCurrent as the city says it, StatusCurrentMapped in BLDS's words)."""
    if permit.status == PermitStatus.COMPLETED:
        return "Completed", "Permit Finaled"
    if permit.status == PermitStatus.EXPIRED:
        # BLDS has no "expired": ExpiresDate says when, and the permit no longer stands.
        return "Expired", "Permit Cancelled"
    if any(i.inspected_at for i in permit.inspections.all()):
        return "Inspections", "Inspection Phase"
    return "Issued", "Permit Issued"


def public_link(permit: Permit) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return settings.CITY_SITE_URL + reverse("permits:public-permit", args=[permit.number])


def _day(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "hour"):
        value = timezone.localtime(value).date()
    return value.isoformat()


def blds_record(permit: Permit) -> dict[str, str]:
    application = permit.application
    case, permit_type = application.case, application.permit_type
    status, mapped = status_of(permit)
    contractor = next(
        (c for c in application.contacts.all() if c.role == ContactRole.CONTRACTOR), None
    )
    valuation = application.answers.get(VALUATION_KEY)
    area = application.answers.get(AREA_KEY)
    description = " ".join(application.description.split())
    values = {
        "PermitNum": permit.number,
        "Description": f"{permit_type.name_en}: {description}"
        if description
        else permit_type.name_en,
        "AppliedDate": _day(case.submitted_at or case.created_at),
        "IssuedDate": _day(permit.issued_at),
        "CompletedDate": _day(permit.completed_at),
        "StatusCurrent": status,
        "OriginalAddress1": application.street,
        "OriginalAddress2": application.unit,
        "OriginalCity": application.city,
        "OriginalState": application.state,
        "OriginalZip": application.zip_code,
        "Jurisdiction": settings.CITY_NAMES["en"],
        "PermitClass": permit_type.permit_class,
        "PermitClassMapped": "Residential"
        if permit_type.permit_class.lower() == "residential"
        else "Non-Residential",
        "StatusCurrentMapped": mapped,
        "WorkClass": permit_type.work_class,
        "WorkClassMapped": "New" if permit_type.work_class.lower() == "new" else "Existing",
        "PermitType": permit_type.blds_type,
        "PermitTypeMapped": permit_type.blds_type,
        "PermitTypeDesc": permit_type.name_en,
        "StatusDate": _day(case.status_changed_at),
        "ExpiresDate": _day(permit.valid_until),
        "EstProjectCost": f"{valuation / 100:.2f}" if isinstance(valuation, int) else "",
        "TotalSqFt": str(area) if isinstance(area, int) else "",
        "ContractorCompanyName": contractor.company if contractor else "",
        "ContractorLicNum": contractor.licence_number if contractor else "",
        "Link": public_link(permit),
    }
    return {name: values[name] for name in BLDS_FIELDS}


def blds_permits() -> Iterator[dict[str, str]]:
    """The permits dataset, one BLDS record per issued permit (for opendata)."""
    for permit in public_permits().iterator(chunk_size=500):
        yield blds_record(permit)
