"""Rollups kept up by the fold agree exactly with a rebuild from the raw cases."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.management import call_command
from django.utils import timezone

from cityhall.cases import services as cases
from cityhall.cases.models import Case, CaseEvent, EventKind
from cityhall.core.registry import registry
from cityhall.insights import rollups
from cityhall.insights.kpis import service_kpis
from cityhall.insights.models import CaseFact, Rollup, RollupState
from cityhall.insights.stores import RawStore

from .conftest import local, make_case


def snapshot():
    return sorted(
        (
            r.grain,
            r.day,
            r.service,
            r.channel,
            *(getattr(r, name) for name in rollups.COUNTERS),
            tuple(sorted(r.decision_hours.items())),
        )
        for r in Rollup.objects.all()
    )


def later():
    return timezone.now() + rollups.LAG + timedelta(seconds=1)


def test_fold_follows_real_case_changes_and_agrees_with_rebuild(db, sample_service, make_user):
    officer = make_user("officer@staff.example.org", roles=["permit_reviewer"])
    opened = [
        cases.open_case(service="sample", channel=channel)
        for channel in ["online", "online", "counter", "phone", "mail"]
    ]
    for case in opened[:4]:
        cases.transition_case(case=case, transition="submit", acting_as="applicant")
    cases.transition_case(case=opened[0], transition="approve", actor=officer)
    cases.transition_case(case=opened[2], transition="reject", actor=officer, reason="No")
    assert rollups.fold_new_events(now=later()) == 5
    folded = snapshot()
    assert folded, "the fold wrote rollups"

    # More changes: a decision, a new case; folded twice (the second finds nothing).
    cases.transition_case(case=opened[1], transition="approve", actor=officer)
    cases.open_case(service="sample", channel="online")
    assert rollups.fold_new_events(now=later()) == 2
    assert rollups.fold_new_events(now=later()) == 0
    incremental = snapshot()

    rollups.rebuild()
    assert snapshot() == incremental
    today = timezone.localdate()
    k = service_kpis("sample", start=today, end=today)
    assert (k.started, k.completed, k.counts["decided"]) == (6, 4, 3)


def test_a_moved_decision_leaves_no_trace_on_its_old_day(db, sample_service):
    case = make_case(
        "online", local(date(2026, 3, 2)), submitted=local(date(2026, 3, 2)), decided_after_hours=3
    )
    rollups.fold_new_events(now=later())
    # A correction moves the decision a week later (as a re-decision would).
    Case.objects.filter(pk=case.pk).update(decided_at=case.decided_at + timedelta(days=7))
    CaseEvent.objects.create(case=case, kind=EventKind.STATUS_CHANGED, to_status="approved")
    rollups.fold_new_events(now=later())
    incremental = snapshot()
    days = {row[1] for row in incremental if row[0] == "d" and row[6]}  # decided > 0
    assert days == {date(2026, 3, 9)}
    rollups.rebuild()
    assert snapshot() == incremental


def test_recent_events_are_folded_again_until_they_settle(db, sample_service):
    case = cases.open_case(service="sample", channel="online")
    rollups.fold_new_events()  # now: the event is too fresh to move the watermark past
    state = RollupState.objects.get(name="cases")
    assert state.last_event_id < case.events.get().pk
    assert CaseFact.objects.filter(case_id=case.pk).exists()
    assert rollups.fold_new_events() == 0  # folded again, nothing changes
    rollups.fold_new_events(now=later())
    assert RollupState.objects.get(name="cases").last_event_id == case.events.get().pk


def test_purged_cases_keep_their_statistics(db, sample_service):
    case = cases.open_case(service="sample", channel="counter")
    rollups.fold_new_events(now=later())
    before = snapshot()
    Case.objects.filter(pk=case.pk).delete()
    rollups.rebuild()
    assert snapshot() == before


def test_rebuild_command_matches_raw_cases(history, capsys):
    call_command("rebuild_insights")
    assert "rollup rows" in capsys.readouterr().out
    start, end, today = date(2026, 1, 1), date(2026, 3, 31), date(2026, 4, 1)
    a = service_kpis("sample", start=start, end=end, today=today)
    b = service_kpis("sample", start=start, end=end, today=today, store=RawStore())
    for name in ["started", "completed", "median_hours", "p90_hours", "satisfaction", "counts"]:
        assert getattr(a, name) == getattr(b, name), name
    assert [m.as_dict() for m in a.months] == [m.as_dict() for m in b.months]


def test_the_fold_is_a_periodic_job():
    assert registry.periodic["insights.fold"].every == timedelta(minutes=1)
