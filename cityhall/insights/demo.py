"""`cityhall seed-demo --scale N`: N cases over the last 24 months across every
registered service and channel, the shift to online after each launch, cost
inputs, pilots and survey answers, so the dashboards tell a story on the
first run. Bulk inserts; the rollups are rebuilt once at the end.

History cases are marked with the contact name "Demo history", have no
contact details, and are decided (or abandoned as drafts), so they never wait
in a staff queue. Running it again adds nothing.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from cityhall.cases import registry as cases_registry
from cityhall.cases.models import Case, Channel
from cityhall.cases.references import format_reference, reserve_numbers
from cityhall.cases.workflow import SYSTEM

from . import rollups
from .demo_costs import months_ago, profile_of, seed_cost_models, seed_rates
from .models import SurveyResponse

DEFAULT_SCALE = 4000
MARKER = "Demo history"
OFFLINE_MIX = [(Channel.COUNTER, 0.55), (Channel.PHONE, 0.30), (Channel.MAIL, 0.15)]
SATISFACTION = {Channel.ONLINE: 4.5, Channel.COUNTER: 3.7, Channel.PHONE: 3.4, Channel.MAIL: 3.2}


def seed(stdout, scale: int | None = None) -> None:
    count = DEFAULT_SCALE if scale is None else scale
    if Case.objects.filter(contact_name=MARKER).exists():
        stdout.write("Insights demo history is already there.\n")
        return
    services = cases_registry.all_services()
    if not services or count <= 0:
        return
    rng = random.Random(20260101)  # the same story every time
    today, now = timezone.localdate(), timezone.now()
    total_weight = sum(profile_of(s.code).weight for s in services)
    seed_rates(services, today)
    cases: list[Case] = []
    for service in services:
        p = profile_of(service.code)
        n = round(count * p.weight / total_weight)
        seed_cost_models(
            service, expected_online_per_month=n / 24 * p.online_share * 0.7, today=today
        )
        cases += [_case(service, rng, today, now) for _ in range(n)]
    _number(cases)
    Case.objects.bulk_create(cases, batch_size=2000)
    answers = [a for a in (_answer(c, rng, now) for c in cases) if a]
    SurveyResponse.objects.bulk_create(answers, batch_size=2000)
    rollups.rebuild()
    stdout.write(
        f"Insights demo: {len(cases):,} cases over 24 months, {len(answers):,} survey answers.\n"
    )


def _online_share(service, day, today) -> float:
    p = profile_of(service.code)
    launch = months_ago(today, p.launch_months_ago) + timedelta(days=9)
    if day < launch:
        return 0.0
    months_live = (day - launch).days / 30.4
    return p.online_share * (1 - math.exp(-months_live / 4))


def _pick(rng, weighted):
    roll, seen = rng.random(), 0.0
    for value, weight in weighted:
        seen += weight
        if roll < seen:
            return value
    return weighted[-1][0]


def _final_states(workflow):
    """(decided outcomes with weights, the closed state a kept decision ends in)."""
    # A decision that still waits for staff (a permit approved with conditions
    # to check) would put history in today's queues: end on the others.
    decided = [s for s in workflow.states.values() if s.decided and not s.awaiting_staff]
    outcomes = [(decided[0], 0.88), *((s, 0.12 / max(len(decided) - 1, 1)) for s in decided[1:])]
    follow_up = {}
    for state in decided:
        if not state.closed:
            step = next(
                (
                    t
                    for t in workflow.transitions.values()
                    if state.code in t.sources
                    and SYSTEM in t.roles
                    and workflow.states[t.target].closed
                ),
                None,
            )
            follow_up[state.code] = step.target if step else None
    return outcomes, follow_up


def _case(service, rng, today, now) -> Case:
    start = months_ago(today, 24)
    day = start + timedelta(days=int((today - start).days * rng.random() ** 0.85))
    channel = Channel.ONLINE if rng.random() < _online_share(service, day, today) else None
    channel = channel or _pick(rng, OFFLINE_MIX)
    hour = rng.randint(7, 22) if channel == Channel.ONLINE else rng.randint(8, 16)
    created = timezone.make_aware(datetime.combine(day, time(hour, rng.randint(0, 59))))
    created = min(created, now - timedelta(minutes=rng.randint(30, 600)))
    workflow = service.workflow
    case = Case(
        reference="",
        service=service.code,
        channel=channel,
        status=workflow.initial,
        contact_name=MARKER,
        language="es" if rng.random() < 0.25 else "en",
        created_at=created,
        status_changed_at=created,
    )
    if channel == Channel.ONLINE and rng.random() < 0.14:
        return case  # started online, never sent
    submitted = created + timedelta(minutes=rng.randint(6, 25) if channel == Channel.ONLINE else 0)
    case.submitted_at = submitted
    case.expected_decision_at = submitted + service.target_time
    typical = profile_of(service.code).decision_hours * (0.6 if channel == Channel.ONLINE else 1)
    hours = rng.lognormvariate(math.log(typical), 0.7) + (48 if channel == Channel.MAIL else 0)
    decided = min(submitted + timedelta(hours=hours), now - timedelta(minutes=1))
    outcomes, follow_up = _final_states(workflow)
    state = _pick(rng, outcomes)
    case.status, case.decided_at, case.status_changed_at = state.code, decided, decided
    if state.closed:
        case.closed_at = decided
    elif follow_up.get(state.code):
        case.status = follow_up[state.code]
        case.closed_at = min(decided + timedelta(days=rng.randint(1, 20)), now)
        case.status_changed_at = case.closed_at
    return case


@transaction.atomic
def _number(cases: list[Case]) -> None:
    """Reference numbers from blocks reserved in each (prefix, year) sequence,
    so later real cases never collide with the history."""
    groups = defaultdict(list)
    for case in cases:
        prefix = cases_registry.get(case.service).prefix
        groups[(prefix, timezone.localtime(case.created_at).year)].append(case)
    for (prefix, year), members in groups.items():
        members.sort(key=lambda c: c.created_at)
        numbers = reserve_numbers(prefix, year, len(members))
        for number, case in zip(numbers, members, strict=True):
            case.reference = format_reference(prefix, year, number)


def _answer(case: Case, rng, now) -> SurveyResponse | None:
    if not (case.closed_at and case.submitted_at) or rng.random() > 0.12:
        return None
    mean = SATISFACTION[case.channel]
    if case.decided_at and case.decided_at > case.expected_decision_at:
        mean -= 0.7
    satisfaction = min(5, max(1, round(rng.gauss(mean, 0.9))))
    trust = min(5, max(1, round(satisfaction - 0.3 + rng.gauss(0, 0.8))))
    return SurveyResponse(
        case=case,
        service=case.service,
        channel=case.channel,
        satisfaction=satisfaction,
        trust=trust,
        language=case.language,
        answered_at=min(case.closed_at + timedelta(hours=rng.uniform(1, 72)), now),
    )
