"""Reads for police pages: the review queue with its flags, related reports, serial search."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.db.models import Case, Count, IntegerField, Max, Q, QuerySet, Value, When
from django.utils import timezone

from cityhall.cases import models as cases_models

from .models import Kind, PoliceReport, PoliceSettings, PropertyItem, RmsExport
from .validation import normalize_serial
from .workflow import REJECTED, SERVICE_CODE, SUBMITTED, SUPERVISOR_REVIEW

DUPLICATE_WINDOW = timedelta(days=30)
LIVE_STATES = [SUBMITTED, SUPERVISOR_REVIEW, "info_requested", "approved"]


@dataclass
class Flags:
    possible_duplicate: list[str] = field(default_factory=list)  # references of the other reports
    high_value: bool = False
    serial_reported_stolen: list[str] = field(default_factory=list)

    @property
    def any(self) -> bool:
        return bool(self.possible_duplicate or self.high_value or self.serial_reported_stolen)


def review_queue(*, status: str | None = None, assigned_to=None) -> QuerySet[PoliceReport]:
    states = [status] if status else [SUBMITTED, SUPERVISOR_REVIEW]
    reports = PoliceReport.objects.filter(case__status__in=states).select_related(
        "case", "case__assigned_to"
    )
    if assigned_to is not None:
        reports = reports.filter(case__assigned_to=assigned_to)
    return reports.order_by("case__submitted_at", "pk")


def review_queue_count() -> int:
    return cases_models.Case.objects.filter(
        service=SERVICE_CODE, status__in=[SUBMITTED, SUPERVISOR_REVIEW]
    ).count()


def export_errors_count() -> int:
    return RmsExport.objects.filter(status=RmsExport.Status.FAILED).count()


def flags_for(reports: list[PoliceReport]) -> dict[int, Flags]:
    """Flags for a page of reports in a fixed number of queries, whatever the page size."""
    flags = {r.pk: Flags() for r in reports}
    if not reports:
        return flags
    high = PoliceSettings.current().high_value_flag_cents
    since = timezone.now() - DUPLICATE_WINDOW
    ids = [r.pk for r in reports]
    for report in reports:
        flags[report.pk].high_value = report.total_value_cents > high

    # Same reporter (email or phone) within 30 days.
    emails = {r.email for r in reports if r.email}
    phones = {r.phone for r in reports if r.phone}
    others = PoliceReport.objects.filter(
        Q(email__in=emails) | Q(phone__in=phones), case__submitted_at__gte=since
    ).values_list("pk", "email", "phone", "case__reference")
    for report in reports:
        for pk, email, phone, reference in others:
            if pk != report.pk and (
                (email and email == report.email) or (phone and phone == report.phone)
            ):
                flags[report.pk].possible_duplicate.append(reference)

    # Serial numbers seen in other reports: within 30 days (duplicate) and in any stolen report (stolen).
    items = list(
        PropertyItem.objects.filter(report_id__in=ids)
        .exclude(serial_normalized="")
        .values_list("report_id", "serial_normalized")
    )
    serials = {serial for _rid, serial in items}
    matches = list(
        PropertyItem.objects.filter(
            serial_normalized__in=serials, report__case__status__in=LIVE_STATES
        ).values_list(
            "report_id",
            "serial_normalized",
            "report__kind",
            "report__case__submitted_at",
            "report__case__reference",
        )
    )
    for report_id, serial in items:
        for other_id, other_serial, kind, submitted_at, reference in matches:
            if other_id == report_id or other_serial != serial:
                continue
            if kind == Kind.STOLEN:
                flags[report_id].serial_reported_stolen.append(reference)
            if submitted_at and submitted_at >= since:
                flags[report_id].possible_duplicate.append(reference)
    for f in flags.values():
        f.possible_duplicate = sorted(set(f.possible_duplicate))
        f.serial_reported_stolen = sorted(set(f.serial_reported_stolen))
    return flags


def related_reports(report: PoliceReport) -> list[PoliceReport]:
    serials = [s for s in report.items.values_list("serial_normalized", flat=True) if s]
    condition = Q(pk__in=[])
    if report.email:
        condition |= Q(email=report.email)
    if report.phone:
        condition |= Q(phone=report.phone)
    if serials:
        condition |= Q(items__serial_normalized__in=serials)
    return list(
        PoliceReport.objects.filter(condition)
        .exclude(pk=report.pk)
        .exclude(case__submitted_at__isnull=True)
        .select_related("case")
        .distinct()
        .order_by("-case__submitted_at")[:20]
    )


def search_serial(serial: str) -> QuerySet[PropertyItem]:
    """Items whose serial matches ignoring spaces, dashes and case; the ones typed
    exactly as searched come first, then the newest."""
    raw = (serial or "").strip()
    normalized = normalize_serial(raw)
    if not normalized:
        return PropertyItem.objects.none()
    return (
        PropertyItem.objects.filter(serial_normalized=normalized)
        .exclude(report__case__submitted_at__isnull=True)
        .annotate(
            exact=Case(
                When(serial_number=raw, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        .select_related("report", "report__case")
        .order_by("-exact", "-report__case__submitted_at")
    )


def export_errors() -> QuerySet[RmsExport]:
    return RmsExport.objects.filter(status=RmsExport.Status.FAILED).select_related(
        "report", "report__case"
    )


# ---- for opendata: no personal data leaves through these ----------------------

_ZIP_IN_TEXT = re.compile(r"\b(\d{5})(?:-\d{4})?\b")


def neighbourhood_of(location: str) -> str:
    """The city's ZIP code area named in "where it happened", else "" (unknown).
    Only one of the city's own ZIP codes is ever returned, never the text."""
    from cityhall.core.places import city_zip_codes

    zips = city_zip_codes()
    for match in _ZIP_IN_TEXT.finditer(location or ""):
        if match.group(1) in zips:
            return match.group(1)
    return ""


def _day_start(day):
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def items_for_open_data(first_day, last_day):
    """Per property item of the reports filed (not rejected) between two local
    days: (report id, filed at, neighbourhood, NIBRS category, quantity, value
    of one in cents). The report id only tells which items share a report;
    callers never publish it. Streams in chunks."""
    rows = (
        PropertyItem.objects.filter(
            report__case__submitted_at__gte=_day_start(first_day),
            report__case__submitted_at__lt=_day_start(last_day + timedelta(days=1)),
        )
        .exclude(report__case__status=REJECTED)
        .order_by("report__case__submitted_at", "report_id", "pk")
        .values_list(
            "report_id",
            "report__case__submitted_at",
            "report__location",
            "category",
            "quantity",
            "value_cents",
        )
    )
    for report_id, filed_at, location, category, quantity, value in rows.iterator(2000):
        yield report_id, filed_at, neighbourhood_of(location), category, quantity, value


def open_data_version():
    """(last change, token) of the reports the open data counts, in one query."""
    found = cases_models.Case.objects.filter(service=SERVICE_CODE).aggregate(
        changed=Max("status_changed_at"), n=Count("pk")
    )
    items = PropertyItem.objects.aggregate(last=Max("pk"), n=Count("pk"))
    token = f"{found['changed']}|{found['n']}|{items['last']}|{items['n']}"
    return found["changed"], token
