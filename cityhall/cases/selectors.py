"""Reads of cases shaped for pages: the work queue, tracking, a resident's list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db.models import Count, QuerySet
from django.utils import timezone

from . import registry
from .models import Case, CaseEvent
from .references import InvalidReference, parse_reference

TRACKING_SALT = "cityhall.cases.track"


@dataclass(frozen=True)
class QueueFilters:
    service: str = ""
    status: str = ""
    assignee: str = ""  # "", "me", "none"
    older_than_days: int | None = None
    sort: str = "oldest"  # or "newest"


def work_queue(user, filters: QueueFilters) -> QuerySet[Case]:
    """Cases the person's roles cover, filtered; one query, no per-row lookups."""
    codes = [s.code for s in registry.visible_to(user)]
    if filters.service:
        codes = [c for c in codes if c == filters.service]
    records = sorted({s.record for s in registry.all_services() if s.code in codes and s.record})
    cases = (
        Case.objects.filter(service__in=codes)
        .exclude(submitted_at__isnull=True)
        .select_related(*records)  # the rows' links (staff_case_url) ask no more queries
    )
    if filters.status:
        cases = cases.filter(status=filters.status)
    else:
        waiting = [
            (s.code, state)
            for s in registry.all_services()
            if s.code in codes
            for state in s.workflow.awaiting_staff_states()
        ]
        from django.db.models import Q

        condition = Q(pk__in=[])
        for service_code, state in waiting:
            condition |= Q(service=service_code, status=state)
        cases = cases.filter(condition)
    if filters.assignee == "me":
        cases = cases.filter(assigned_to=user)
    elif filters.assignee == "none":
        cases = cases.filter(assigned_to__isnull=True)
    if filters.older_than_days:
        cases = cases.filter(
            submitted_at__lte=timezone.now() - timedelta(days=filters.older_than_days)
        )
    order = "submitted_at" if filters.sort != "newest" else "-submitted_at"
    return cases.select_related("assigned_to").order_by(order, "id")


def counts_by_state(user) -> list[dict]:
    """[{service, status, count}] for submitted cases the person's roles cover."""
    codes = [s.code for s in registry.visible_to(user)]
    return list(
        Case.objects.filter(service__in=codes, submitted_at__isnull=False)
        .values("service", "status")
        .annotate(count=Count("id"))
        .order_by("service", "status")
    )


def queue_size(service_code: str) -> int:
    service = registry.get(service_code)
    return Case.objects.filter(
        service=service_code, status__in=service.workflow.awaiting_staff_states()
    ).count()


def find_for_tracking(reference: str, email: str) -> Case | None:
    """The case with this reference and contact email, or None (either wrong: same answer)."""
    try:
        parsed = parse_reference(reference)
    except InvalidReference:
        return None
    return (
        Case.objects.filter(reference=str(parsed), contact_email__iexact=(email or "").strip())
        .exclude(submitted_at__isnull=True)
        .first()
    )


def tracking_token(case: Case) -> str:
    return signing.dumps(case.public_id.hex, salt=TRACKING_SALT, compress=True)


def status_url(case: Case) -> str:
    """The case's status page, by its signed link, in full and in the case's
    language: for emails, calendar files, anything that leaves the site."""
    from django.urls import reverse
    from django.utils import translation

    with translation.override(case.language):
        path = reverse("cases:track-status", kwargs={"token": tracking_token(case)})
    return settings.CITY_SITE_URL + path


def read_tracking_token(token: str) -> tuple[Case | None, bool]:
    """(the case a status link opens, whether the link is genuine but too old).
    The case is None when the link is forged, too old or the case is gone."""
    try:
        public_id = signing.loads(
            token, salt=TRACKING_SALT, max_age=timedelta(days=settings.CITYHALL_TRACKING_LINK_DAYS)
        )
    except signing.SignatureExpired:
        return None, True
    except signing.BadSignature:
        return None, False
    return Case.objects.filter(public_id=public_id).first(), False


def case_from_tracking_token(token: str) -> Case | None:
    return read_tracking_token(token)[0]


def public_timeline(case: Case) -> list[CaseEvent]:
    return list(case.events.filter(public=True).order_by("created_at", "id"))


def staff_timeline(case: Case) -> list[CaseEvent]:
    return list(case.events.select_related("actor").order_by("created_at", "id"))


def cases_of_resident(user) -> QuerySet[Case]:
    return (
        Case.objects.filter(applicant=user)
        .exclude(submitted_at__isnull=True)
        .order_by("-submitted_at")
    )


def expired_drafts(*, older_than: timedelta) -> QuerySet[Case]:
    return Case.objects.filter(
        submitted_at__isnull=True, created_at__lt=timezone.now() - older_than
    )


def assignable_staff(service_code: str):
    """Active people holding a role that works this service, for 'assign to'."""
    from django.contrib.auth import get_user_model

    roles = registry.get(service_code).staff_roles
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=roles)
        .distinct()
        .order_by("full_name", "email")
    )
