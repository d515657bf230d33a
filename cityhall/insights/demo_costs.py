"""Demo cost inputs and pilots for every registered service (generic: a
service the demo does not know gets the default profile)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from cityhall.cases.models import Channel

from .models import CostModel, DigitalServiceCost, Pilot, StaffRate


@dataclass(frozen=True)
class Profile:
    weight: float  # share of the demo's cases
    launch_months_ago: int
    review_minutes: int  # an officer's or manager's review, offline
    reviewer_rate_cents: int
    online_share: float  # where digital take-up levels off
    redeployed: bool
    payment_fee_cents: int = 0
    decision_hours: float = 20.0  # typical time to decision


PROFILES = {
    "police_report": Profile(0.45, 16, 15, 6200, 0.72, True, decision_hours=14),
    "facility_booking": Profile(0.35, 11, 8, 4800, 0.82, False, payment_fee_cents=95),
}
DEFAULT = Profile(0.20, 6, 20, 5500, 0.6, True, decision_hours=60)
RATES = {"counter_clerk": 3800, "phone_agent": 3500, "mail_clerk": 3400}
RESIDENT_HOUR_CENTS = 2900  # about the median US hourly wage


def profile_of(code: str) -> Profile:
    return PROFILES.get(code, DEFAULT)


def months_ago(today: date, months: int) -> date:
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    return date(year, month + 1, 1)


def reviewer_role(service) -> str:
    return sorted(service.staff_roles)[0] if service.staff_roles else "reviewer"


def seed_rates(services, today: date) -> None:
    since = months_ago(today, 30)
    rates = dict(RATES)
    for service in services:
        rates.setdefault(reviewer_role(service), profile_of(service.code).reviewer_rate_cents)
    for role, cents in rates.items():
        StaffRate.objects.get_or_create(
            role=role, effective_from=since, defaults={"hourly_cents": cents}
        )
        # A 3% raise a year ago: dated rates keep last year's figures as they were.
        StaffRate.objects.get_or_create(
            role=role,
            effective_from=months_ago(today, 12),
            defaults={"hourly_cents": round(cents * 1.03)},
        )


def seed_cost_models(service, *, expected_online_per_month: float, today: date) -> None:
    """Cost models per channel, the digital service, and a pilot."""
    p = profile_of(service.code)
    reviewer = reviewer_role(service)
    since = months_ago(today, 30)
    channels = {
        Channel.COUNTER: {
            "intake_minutes": 12,
            "intake_role": "counter_clerk",
            "issue_minutes": 5,
            "issue_role": "counter_clerk",
            "paper_cents": 15,
            "printing_cents": 25,
            "resident_minutes": 55,
            "resident_travel_cents": 650,
        },
        Channel.PHONE: {
            "intake_minutes": 14,
            "intake_role": "phone_agent",
            "issue_minutes": 4,
            "issue_role": "mail_clerk",
            "postage_cents": 73,
            "printing_cents": 25,
            "resident_minutes": 22,
        },
        Channel.MAIL: {
            "intake_minutes": 10,
            "intake_role": "mail_clerk",
            "issue_minutes": 5,
            "issue_role": "mail_clerk",
            "paper_cents": 15,
            "postage_cents": 146,
            "printing_cents": 25,
            "resident_minutes": 25,
            "resident_travel_cents": 73,
        },
        Channel.ONLINE: {"payment_fee_cents": p.payment_fee_cents, "resident_minutes": 8},
    }
    for channel, fields in channels.items():
        review = p.review_minutes if channel != Channel.ONLINE else round(p.review_minutes * 0.7)
        CostModel.objects.get_or_create(
            service=service.code,
            channel=channel,
            effective_from=since,
            defaults={
                "review_minutes": review,
                "review_role": reviewer,
                "notes": "Demo figures: time-and-motion estimates.",
                **fields,
            },
        )
    launch = months_ago(today, p.launch_months_ago) + timedelta(days=9)
    # Sized to the demo's volume so the story holds at any --scale: running
    # costs about a tenth of what going online saves, paid back in about a year.
    saving_per_month = expected_online_per_month * (p.review_minutes * p.reviewer_rate_cents / 60)
    running = max(int(saving_per_month * 0.10), 2000)
    investment = {
        "launched_on": launch,
        "build_cost_cents": max(int(saving_per_month * 11), 500_000),
        "hosting_monthly_cents": running // 3,
        "support_monthly_cents": running - running // 3,
        "staff_time_redeployed": p.redeployed,
        "resident_hour_value_cents": RESIDENT_HOUR_CENTS,
        "notes": "Demo figures.",
    }
    DigitalServiceCost.objects.get_or_create(
        service=service.code, effective_from=since, defaults=investment
    )
    if not p.redeployed:
        # Dated inputs at work: from four months ago the freed staff time was
        # moved to other work, so from then on it counts as a hard saving.
        DigitalServiceCost.objects.get_or_create(
            service=service.code,
            effective_from=months_ago(today, 4),
            defaults={
                **investment,
                "staff_time_redeployed": True,
                "notes": "Demo: staff moved to park programming.",
            },
        )
    Pilot.objects.get_or_create(
        service=service.code,
        starts_on=launch,
        defaults={
            "ends_on": launch + timedelta(days=365 if p.launch_months_ago < 14 else 180),
            "target_take_up_pct": 40,
            "target_satisfaction": 4,
            "max_cost_per_transaction_cents": 1500,
            "notes": "Demo pilot.",
        },
    )
