"""Fixtures for the ideas tests: staff, a rate for the clerk's role, a proposal helper."""

from __future__ import annotations

from datetime import date

import pytest

from cityhall.ideas import services
from cityhall.insights.models import StaffRate

CLERK_RATE = 3800  # cents an hour


@pytest.fixture
def rates(db):
    StaffRate.objects.create(
        role="counter_clerk", hourly_cents=3600, effective_from=date(2024, 1, 1)
    )
    StaffRate.objects.create(
        role="counter_clerk", hourly_cents=CLERK_RATE, effective_from=date(2025, 1, 1)
    )


@pytest.fixture
def clerk(make_user):
    return make_user("clerk@staff.example.org", roles=["finance_clerk"], full_name="Ana Clerk")


@pytest.fixture
def analyst(make_user):
    return make_user("analyst@staff.example.org", roles=["analyst"], full_name="Dee Analyst")


@pytest.fixture
def colleagues(make_user):
    return [
        make_user(f"colleague{i}@staff.example.org", roles=["permit_reviewer"]) for i in range(3)
    ]


FIELDS = {
    "title": "Parking permit renewals by email",
    "process_today": "Residents bring a paper form; we type it in.",
    "department": "Finance",
    "times_per_year": 1200,
    "minutes_each": 15,
    "minutes_after": 5,
    "role": "counter_clerk",
    "pain_points": "Typing errors, queues at the counter.",
    "proposed_change": "An online form that pays and renews at once.",
}


@pytest.fixture
def propose(rates, clerk):
    def make(author=None, **changes):
        return services.propose_idea(author=author or clerk, **{**FIELDS, **changes})

    return make
