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


# ---- the same records for a large export: one query, no model instances ----
# blds_record() above builds a record from objects (pages, one permit); a
# download of every permit reads plain values through a server-side cursor so
# memory stays flat whatever the count. Both give the same fields
# (tests/test_public.py compares them).

_VALUES = (
    "number",
    "application__permit_type__name_en",
    "application__description",
    "applied_on",
    "issued_on",
    "completed_on",
    "status",
    "inspected",
    "application__street",
    "application__unit",
    "application__city",
    "application__state",
    "application__zip_code",
    "application__permit_type__permit_class",
    "application__permit_type__work_class",
    "application__permit_type__blds_type",
    "status_changed_on",
    "expires_on",
    "valuation",
    "area",
    "contractor_company",
    "contractor_licence",
)
# BLDS field -> the column it is filtered on in the database.
FILTER_COLUMNS = {
    "OriginalZip": "application__zip_code",
    "PermitType": "application__permit_type__blds_type",
    "PermitClass": "application__permit_type__permit_class",
    "WorkClass": "application__permit_type__work_class",
}


def blds_queryset(*, issued_from=None, issued_before=None, filters=None, after: str | None = None):
    """Issued permits with an address, as plain values, ordered by permit number
    (the keyset: `after` is the last number already sent). `issued_from` and
    `issued_before` are aware datetimes; `filters` maps BLDS fields of
    FILTER_COLUMNS to exact values."""
    from django.db.models import CharField, Exists, OuterRef, Subquery
    from django.db.models.fields.json import KeyTextTransform
    from django.db.models.functions import Cast, Coalesce

    from .models import Contact, Inspection

    contractor = Contact.objects.filter(
        application=OuterRef("application"), role=ContactRole.CONTRACTOR
    ).order_by("pk")
    permits = Permit.objects.exclude(application__street="").annotate(
        inspected=Exists(
            Inspection.objects.filter(permit=OuterRef("pk"), inspected_at__isnull=False)
        ),
        valuation=KeyTextTransform(VALUATION_KEY, "application__answers"),
        area=KeyTextTransform(AREA_KEY, "application__answers"),
        contractor_company=Subquery(contractor.values("company")[:1]),
        contractor_licence=Subquery(contractor.values("licence_number")[:1]),
        # Days as text in the city's zone, made by the database: converting and
        # formatting timestamps row by row in Python was most of the export's time.
        applied_on=_day_text(
            Coalesce("application__case__submitted_at", "application__case__created_at")
        ),
        issued_on=_day_text("issued_at"),
        completed_on=_day_text("completed_at"),
        status_changed_on=_day_text("application__case__status_changed_at"),
        expires_on=Cast("valid_until", CharField()),
    )
    if issued_from is not None:
        permits = permits.filter(issued_at__gte=issued_from)
    if issued_before is not None:
        permits = permits.filter(issued_at__lt=issued_before)
    for name, value in (filters or {}).items():
        permits = permits.filter(**{FILTER_COLUMNS[name]: value})
    if after is not None:
        permits = permits.filter(number__gt=after)
    return permits.order_by("number").values_list(*_VALUES)


def _day_text(expression):
    from django.db.models import CharField
    from django.db.models.functions import Cast, TruncDate

    return Cast(TruncDate(expression), CharField())


_STATUS = {
    PermitStatus.COMPLETED: ("Completed", "Permit Finaled"),
    PermitStatus.EXPIRED: ("Expired", "Permit Cancelled"),
}


def _whole(text) -> str:
    """A JSON number kept as text by the database ("45000"), when it is a whole number."""
    if text is None or isinstance(text, bool):
        return None
    try:
        value = int(str(text))
    except ValueError:
        return None
    return value if str(value) == str(text).strip() else None


def blds_rows(queryset, *, chunk_size: int = 2000) -> Iterator[tuple]:
    """BLDS records as tuples in BLDS_FIELDS order, streamed in chunks."""
    jurisdiction = settings.CITY_NAMES["en"]
    with translation.override(settings.LANGUAGE_CODE):
        link = settings.CITY_SITE_URL + reverse("permits:public-permit", args=["NUMBER"])
    before, after_link = link.split("NUMBER")
    for (
        number,
        type_name,
        description,
        applied,
        issued,
        completed,
        status,
        inspected,
        street,
        unit,
        city,
        state,
        zip_code,
        permit_class,
        work_class,
        blds_type,
        status_changed,
        expires,
        valuation,
        area,
        company,
        licence,
    ) in queryset.iterator(chunk_size=chunk_size):
        current, mapped = _STATUS.get(
            status,
            ("Inspections", "Inspection Phase") if inspected else ("Issued", "Permit Issued"),
        )
        description = " ".join(description.split())
        valuation, area = _whole(valuation), _whole(area)
        yield (
            number,
            f"{type_name}: {description}" if description else type_name,
            applied,
            issued,
            completed or "",
            current,
            street,
            unit,
            city,
            state,
            zip_code,
            jurisdiction,
            permit_class,
            "Residential" if permit_class.lower() == "residential" else "Non-Residential",
            mapped,
            work_class,
            "New" if work_class.lower() == "new" else "Existing",
            blds_type,
            blds_type,
            type_name,
            status_changed,
            expires,
            f"{valuation / 100:.2f}" if valuation is not None else "",
            str(area) if area is not None else "",
            company or "",
            licence or "",
            before + number + after_link,
        )


def blds_version():
    """(last change, token) of the permits dataset: a few indexed aggregates."""
    from django.db.models import Count, Max

    from cityhall.cases.models import Case

    from .models import Inspection, PermitApplication
    from .workflow import SERVICE_CODE

    permits = Permit.objects.aggregate(n=Count("pk"), last=Max("pk"), done=Max("completed_at"))
    cases = Case.objects.filter(service=SERVICE_CODE).aggregate(changed=Max("status_changed_at"))
    applications = PermitApplication.objects.aggregate(changed=Max("updated_at"))
    inspected = Inspection.objects.aggregate(changed=Max("inspected_at"))
    moments = [
        m
        for m in (cases["changed"], applications["changed"], inspected["changed"], permits["done"])
        if m is not None
    ]
    token = "|".join(str(v) for v in (*permits.values(), *moments))
    return (max(moments) if moments else None), token
