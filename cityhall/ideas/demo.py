"""Demo ideas in every stage, one of them live: the online police report, linked to
the police service and its pilot (both made by the insights demo, which runs first)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from cityhall.cases import registry as cases_registry
from cityhall.core.demo import staff_email
from cityhall.insights import selectors as insights

from . import services
from .models import Idea, State

LIVE_TITLE = "Lost property reports online instead of at the front desk"

IDEAS = [
    # (author role, title, department, times a year, minutes, after, role, days ago)
    ("police_reviewer", LIVE_TITLE, "Police", 2400, 25, 5, "counter_clerk", 400),
    (
        "finance_clerk",
        "Parking permit renewals by email",
        "Finance",
        1800,
        12,
        2,
        "counter_clerk",
        14,
    ),
    (
        "facility_manager",
        "Shelter key handover log on a tablet",
        "Parks",
        600,
        10,
        3,
        "counter_clerk",
        20,
    ),
    (
        "permit_reviewer",
        "Fence permit pre-check questionnaire",
        "Building",
        900,
        30,
        10,
        "counter_clerk",
        45,
    ),
    ("finance_clerk", "Scan and email paper receipts", "Finance", 300, 5, 4, "mail_clerk", 60),
]


def seed(stdout) -> None:
    if Idea.objects.filter(title=LIVE_TITLE).exists():
        stdout.write("Demo ideas are already there.\n")
        return
    User = get_user_model()
    people = {u.email: u for u in User.objects.filter(email__endswith="@staff.example.org")}
    team = people.get(staff_email("city_admin"))
    if team is None:
        return
    with transaction.atomic():
        made = []
        for role, title, dept, times, minutes, after, who, days in IDEAS:
            author = people.get(staff_email(role)) or team
            idea = services.propose_idea(
                author=author,
                title=title,
                process_today="Paper form at the counter, typed into the system later.",
                department=dept,
                times_per_year=times,
                minutes_each=minutes,
                minutes_after=after,
                role=who,
                pain_points="Queues, typing errors, residents coming back twice.",
                proposed_change="An online form that residents fill in themselves.",
                author_name_consent=True,
            )
            Idea.objects.filter(pk=idea.pk).update(created_at=timezone.now() - timedelta(days=days))
            made.append(idea)
        live, overdue, reviewing, accepted, declined = made
        for supporter in ("analyst", "permit_reviewer", "facility_manager"):
            user = people.get(staff_email(supporter))
            if user and user != live.author:
                services.support_idea(idea=live, user=user)
        _make_live(live, team)
        services.change_state(
            idea=reviewing, to=State.UNDER_REVIEW, note="We are checking with Parks.", actor=team
        )
        services.change_state(
            idea=accepted, to=State.ACCEPTED, note="Good value: planned for spring.", actor=team
        )
        services.record_build_estimate(
            idea=accepted, cost_cents=1_800_000, effort_days=25, actor=team
        )
        services.change_state(
            idea=declined,
            to=State.DECLINED,
            note="Thank you for the idea.",
            reason="The county's finance system will do this for every city next year.",
            actor=team,
        )
        services.set_publishing(idea=live, publish=True, actor=team)
    stdout.write(f"Demo ideas: {len(made)}; the overdue one is #{overdue.pk}.\n")


def _make_live(idea, team) -> None:
    services.change_state(idea=idea, to=State.ACCEPTED, note="Yes: police agree.", actor=team)
    services.record_build_estimate(idea=idea, cost_cents=4_500_000, effort_days=60, actor=team)
    try:
        cases_registry.get("police_report")
    except LookupError:
        return
    pilot = insights.pilots_of("police_report").first()
    services.link_service(
        idea=idea, service_code="police_report", pilot_id=pilot.pk if pilot else None, actor=team
    )
    if pilot:
        services.change_state(idea=idea, to=State.IN_PILOT, note="Pilot started.", actor=team)
    else:  # no insights demo history (seed-demo --scale 0): no pilot to run
        services.change_state(idea=idea, to=State.PLANNED, note="Planned.", actor=team)
    services.change_state(idea=idea, to=State.LIVE, note="Live for every resident.", actor=team)
