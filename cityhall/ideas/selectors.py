"""Reads of the ideas pipeline, shaped for its pages, the digest and (later) the
transparency page. Measured figures come from insights' selectors only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from fractions import Fraction

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from cityhall.cases import registry as cases_registry
from cityhall.insights import selectors as insights
from cityhall.insights.figures import cents

from .estimates import SIMILAR_AT, similarity
from .models import OPEN_STATES, Idea, State, Support


def answer_target() -> timedelta:
    return timedelta(days=settings.CITYHALL_IDEAS_ANSWER_DAYS)


def with_counts(queryset=None):
    queryset = Idea.objects.all() if queryset is None else queryset
    return queryset.select_related("author").annotate(
        support_count=Count("supports", distinct=True),
        comment_count=Count("comments", distinct=True),
    )


def idea_list(*, state: str = "", department: str = "", q: str = "", mine_of=None):
    ideas = with_counts().exclude(state=State.MERGED)
    if state:
        ideas = ideas.filter(state=state)
    if department:
        ideas = ideas.filter(department__iexact=department)
    if q:
        ideas = ideas.filter(Q(title__icontains=q) | Q(proposed_change__icontains=q))
    if mine_of is not None:
        ideas = ideas.filter(author=mine_of)
    return ideas.order_by("-created_at", "-pk")


def departments() -> list[str]:
    return sorted(set(Idea.objects.values_list("department", flat=True)), key=str.lower)


def similar_ideas(title: str, *, exclude: int | None = None, limit: int = 5) -> list[Idea]:
    """Open ideas whose titles look like this one (word or trigram overlap, in Python:
    a city has hundreds of open ideas, not millions)."""
    if len(title.strip()) < 4:
        return []
    scored = []
    for idea in Idea.objects.filter(state__in=OPEN_STATES).only("pk", "title", "state"):
        if idea.pk == exclude:
            continue
        score = similarity(title, idea.title)
        if score >= SIMILAR_AT:
            scored.append((score, idea.pk, idea))
    scored.sort(key=lambda s: (-s[0], s[1]))
    return [idea for _score, _pk, idea in scored[:limit]]


def is_overdue(idea: Idea, now=None) -> bool:
    now = now or timezone.now()
    return idea.state == State.NEW and idea.created_at + answer_target() < now


def unanswered():
    """Ideas waiting for the digital team's first answer, oldest first, each with its due time."""
    now = timezone.now()
    rows = list(with_counts().filter(state=State.NEW).order_by("created_at", "pk"))
    for idea in rows:
        idea.answer_due = idea.created_at + answer_target()
        idea.overdue = idea.answer_due < now
    return rows


def unanswered_count() -> int:
    return Idea.objects.filter(state=State.NEW).count()


def under_review():
    return with_counts().filter(state=State.UNDER_REVIEW).order_by("state_changed_at", "pk")


def backlog():
    """Open ideas not yet live, ranked by estimated annual saving per dollar of build cost;
    ideas without a build estimate follow, by saving."""
    rows = list(
        with_counts().filter(
            state__in=[State.NEW, State.UNDER_REVIEW, State.ACCEPTED, State.PLANNED]
        )
    )
    for idea in rows:
        idea.ratio = (
            Fraction(idea.estimated_saving_cents, idea.build_cost_cents)
            if idea.build_cost_cents
            else None
        )
        idea.ratio_display = round(float(idea.ratio), 2) if idea.ratio is not None else None
    rows.sort(
        key=lambda i: (
            i.ratio is None,
            -(i.ratio or 0),
            -i.estimated_saving_cents,
            i.pk,
        )
    )
    return rows


def idea_page(idea_id: int, viewer):
    idea = with_counts().select_related("pilot", "merged_into").filter(pk=idea_id).first()
    if idea is None:
        return None
    idea.supported_by_viewer = Support.objects.filter(idea=idea, user=viewer).exists()
    return {
        "idea": idea,
        "supporters": Support.objects.filter(idea=idea).select_related("user").order_by("pk"),
        "comments": idea.comments.select_related("author"),
        "timeline": idea.events.select_related("actor"),
        "duplicates": idea.duplicates.all(),
        "overdue": is_overdue(idea),
        "answer_due": idea.created_at + answer_target(),
        "service_name": service_name(idea.service_code),
        "measured": measured(idea),
    }


def service_name(code: str):
    if not code:
        return ""
    try:
        return cases_registry.get(code).name
    except LookupError:
        return code


def service_choices() -> list[tuple[str, str]]:
    """Every registered service (built-in or defined in formbuilder)."""
    return [(s.code, f"{s.name} ({s.code})") for s in cases_registry.all_services()]


@dataclass
class Measured:
    """What insights measured for the linked service, next to the idea's estimate."""

    since: object
    to: object
    hard_to_date_cents: int | None
    soft_to_date_cents: int | None
    staff_time_annual_cents: int | None  # the measure comparable to the estimate
    hard_annual_cents: int | None
    soft_annual_cents: int | None
    digital_take_up: object
    satisfaction: object
    completed: int
    online: int


def measured(idea: Idea) -> Measured | None:
    """From the pilot's first day (else the day the service was linked) to today."""
    if not idea.service_code:
        return None
    if idea.pilot_id:
        since = idea.pilot.starts_on
    else:
        linked = idea.events.filter(kind="service_linked").order_by("-pk").first()
        since = timezone.localdate(linked.created_at) if linked else timezone.localdate()
    k = insights.service_value(idea.service_code, since)
    if k is None:
        return None
    staff = k.savings.staff_hard + k.savings.staff_soft
    return Measured(
        since=k.start,
        to=k.end,
        hard_to_date_cents=cents(k.savings.hard),
        soft_to_date_cents=cents(k.savings.soft),
        staff_time_annual_cents=k.projected_annual(staff),
        hard_annual_cents=k.projected_annual_hard_cents,
        soft_annual_cents=k.projected_annual_soft_cents,
        digital_take_up=k.digital_take_up,
        satisfaction=k.satisfaction,
        completed=k.all_completed,
        online=k.online_completed,
    )


def author_name(idea: Idea) -> str:
    author = idea.author
    return (author.get_full_name() or author.email) if author else ""


def wins():
    """Live ideas with what they measured to date, and who proposed them (staff only)."""
    rows = list(with_counts().filter(state=State.LIVE).select_related("pilot"))
    for idea in rows:
        idea.measured = measured(idea)
        idea.proposer = author_name(idea)
        idea.supporter_names = [
            s.user.get_full_name() or s.user.email
            for s in idea.supports.select_related("user").order_by("pk")
        ]
    rows.sort(key=lambda i: -(i.measured.hard_to_date_cents or 0) if i.measured else 0)
    return rows


def public_ideas():
    """What the transparency page may show: ideas the city chose to publish (and not merged),
    with their public answers; the author's name only when they agreed."""
    published = with_counts().filter(publish=True).exclude(state=State.MERGED)
    out = []
    for idea in published.prefetch_related("events"):
        out.append(
            {
                "id": idea.pk,
                "title": idea.title,
                "department": idea.department,
                "state": idea.state,
                "state_label": str(State(idea.state).label),
                "proposed_change": idea.proposed_change,
                "estimated_saving_cents": idea.estimated_saving_cents,
                "estimated_hours": round(idea.minutes_saved_a_year / 60, 1),
                "build_cost_cents": idea.build_cost_cents,
                "decline_reason": idea.decline_reason,
                "supports": idea.support_count,
                "author": author_name(idea) if idea.author_name_consent else None,
                "answers": [
                    {"on": e.created_at, "state": e.to_state, "note": e.note}
                    for e in idea.events.all()
                    if e.kind == "state_changed"
                ],
                "proposed_on": idea.created_at,
            }
        )
    return out


def digest_recipients():
    """Active staff who did not opt out of the weekly digest."""
    from django.contrib.auth import get_user_model

    from cityhall.core.roles import STAFF_ROLES

    from .models import DigestOptOut

    User = get_user_model()
    opted_out = DigestOptOut.objects.filter(user=OuterRef("pk"))
    return (
        User.objects.filter(is_active=True)
        .filter(Q(groups__name__in=STAFF_ROLES) | Q(is_superuser=True))
        .exclude(Exists(opted_out))
        .distinct()
        .order_by("pk")
    )
