"""What one case contributes to the KPIs, computed the same way by the
incremental fold, the rebuild and the raw-cases path.

Days are the city's local days (settings.TIME_ZONE), so a report for March
holds what happened in March on the city's clock.

- started:   the day the case was opened (any channel; an online draft counts)
- completed: the day it was submitted (the resident's part is done: GOV.UK's
             "completed transaction")
- decided:   the day a decision was recorded; time to decision is
             decided_at - submitted_at, in the buckets of `bucket_hours`;
             within target when decided_at <= expected_decision_at (the date
             residents were promised, submitted_at + the service's target)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils import timezone

EXACT_HOURS = 72  # below this, time to decision is kept to the hour; above, to the day

CASE_FIELDS = (
    "id",
    "service",
    "channel",
    "created_at",
    "submitted_at",
    "decided_at",
    "expected_decision_at",
)


def bucket_hours(elapsed: timedelta) -> int:
    """Whole hours below 72 hours, whole days (as hours) from there: exact
    enough for a median, and a histogram small enough to add up fast."""
    hours = max(int(elapsed.total_seconds() // 3600), 0)
    return hours if hours < EXACT_HOURS else (hours // 24) * 24


def local_day(moment: datetime | None, zone=None) -> date | None:
    """The city's calendar day of an aware moment. A rebuild makes millions of
    calls: it passes the zone, looked up once (the lookup costs more than the
    conversion)."""
    if moment is None:
        return None
    return moment.astimezone(zone or timezone.get_current_timezone()).date()


def month_of(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


@dataclass(frozen=True)
class Fact:
    case_id: int
    service: str
    channel: str
    started_on: date
    completed_on: date | None
    decided_on: date | None
    decision_bucket: int | None
    within_target: bool | None

    def contributions(self):
        """(day, counter deltas, decision bucket or None) this case adds."""
        yield self.started_on, {"started": 1}, None
        if self.completed_on:
            yield self.completed_on, {"completed": 1}, None
        if self.decided_on and self.decision_bucket is not None:
            within = 1 if self.within_target else 0
            yield self.decided_on, {"decided": 1, "within_target": within}, self.decision_bucket


def fact_from_row(row, zone=None) -> Fact:
    """From a Case values_list row in CASE_FIELDS order."""
    zone = zone or timezone.get_current_timezone()
    case_id, service, channel, created, submitted, decided, expected = row
    bucket = within = None
    if decided is not None and submitted is not None:
        bucket = bucket_hours(decided - submitted)
        within = expected is not None and decided <= expected
    return Fact(
        case_id=case_id,
        service=service,
        channel=channel,
        started_on=local_day(created, zone),
        completed_on=local_day(submitted, zone),
        # A decision counts only for a submitted case (time to decision needs both ends).
        decided_on=local_day(decided, zone) if bucket is not None else None,
        decision_bucket=bucket,
        within_target=within,
    )


def fact_from_model(model) -> Fact:
    return Fact(
        case_id=model.case_id,
        service=model.service,
        channel=model.channel,
        started_on=model.started_on,
        completed_on=model.completed_on,
        decided_on=model.decided_on,
        decision_bucket=model.decision_bucket,
        within_target=model.within_target,
    )


def survey_contribution(satisfaction: int, trust: int) -> dict[str, int]:
    return {
        "surveys": 1,
        "satisfaction_sum": satisfaction,
        "satisfied": 1 if satisfaction >= 4 else 0,
        "trust_sum": trust,
        "trusting": 1 if trust >= 4 else 0,
    }
