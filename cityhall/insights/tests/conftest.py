"""Fixtures for the insights tests: a fixed small history of the sample
service, with cost inputs, whose KPIs test_kpis.py works out by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.utils import timezone

from cityhall.cases.models import Case, CaseEvent, EventKind
from cityhall.cases.references import next_reference
from cityhall.insights.models import CostModel, DigitalServiceCost, StaffRate, SurveyResponse

TARGET = timedelta(days=5)  # the sample service's target time


def local(day: date, hour: int = 12) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def make_case(
    channel: str,
    created: datetime,
    *,
    submitted: datetime | None = None,
    decided_after_hours: float | None = None,
    service: str = "sample",
    email: str = "",
    language: str = "en",
) -> Case:
    # In UTC: aware arithmetic in the city's zone would add wall-clock hours (DST).
    decided = (
        submitted.astimezone(UTC) + timedelta(hours=decided_after_hours)
        if submitted and decided_after_hours is not None
        else None
    )
    case = Case.objects.create(
        reference=next_reference("SP"),
        service=service,
        channel=channel,
        status="approved" if decided else ("submitted" if submitted else "draft"),
        created_at=created,
        status_changed_at=created,
        submitted_at=submitted,
        expected_decision_at=submitted.astimezone(UTC) + TARGET if submitted else None,
        decided_at=decided,
        closed_at=decided,
        contact_email=email,
        language=language,
    )
    CaseEvent.objects.create(case=case, kind=EventKind.CREATED, created_at=created)
    return case


def cost_inputs(*, redeployed=True, service="sample"):
    """Hourly rates, three channels' cost models and the digital service (see test_kpis)."""
    StaffRate.objects.create(role="clerk", hourly_cents=3000, effective_from=date(2025, 1, 1))
    StaffRate.objects.create(role="officer", hourly_cents=6000, effective_from=date(2025, 1, 1))
    common = {"service": service, "effective_from": date(2025, 1, 1)}
    CostModel.objects.create(
        channel="counter",
        intake_minutes=12,
        intake_role="clerk",
        review_minutes=10,
        review_role="officer",
        issue_minutes=3,
        issue_role="clerk",
        paper_cents=20,
        printing_cents=30,
        resident_minutes=60,
        resident_travel_cents=500,
        **common,
    )
    CostModel.objects.create(
        channel="phone",
        intake_minutes=9,
        intake_role="clerk",
        review_minutes=10,
        review_role="officer",
        postage_cents=60,
        resident_minutes=18,
        **common,
    )
    CostModel.objects.create(channel="online", review_minutes=10, review_role="officer", **common)
    DigitalServiceCost.objects.create(
        service=service,
        effective_from=date(2025, 1, 1),
        launched_on=date(2026, 2, 1),
        build_cost_cents=5000,
        hosting_monthly_cents=300,
        support_monthly_cents=65,
        staff_time_redeployed=redeployed,
        resident_hour_value_cents=2000,
    )


@pytest.fixture
def history(db, sample_service):
    """January 2026 (before launch): 6 counter and 2 phone transactions.
    February: 2 online. March: 4 online started (3 completed), 2 counter,
    1 phone; six decisions; three survey answers."""
    for n in range(6):
        make_case("counter", local(date(2026, 1, 5 + n)), submitted=local(date(2026, 1, 5 + n)))
    for n in range(2):
        make_case("phone", local(date(2026, 1, 20 + n)), submitted=local(date(2026, 1, 20 + n)))
    for n in range(2):
        make_case("online", local(date(2026, 2, 10 + n)), submitted=local(date(2026, 2, 10 + n)))
    march = [
        ("online", 2, 2),
        ("online", 3, 30),
        ("online", 4, 100),
        ("counter", 5, 5),
        ("counter", 6, 50),
        ("phone", 1, 200),
    ]
    cases = []
    for channel, day, hours in march:
        moment = local(date(2026, 3, day), 9)
        cases.append(make_case(channel, moment, submitted=moment, decided_after_hours=hours))
    make_case("online", local(date(2026, 3, 20)))  # a draft never sent
    for case, (satisfaction, trust) in zip(cases, [(5, 4), (4, 3), (2, 2)], strict=False):
        SurveyResponse.objects.create(
            case=case,
            service=case.service,
            channel=case.channel,
            satisfaction=satisfaction,
            trust=trust,
            answered_at=local(date(2026, 3, 25)),
        )
    return cases
