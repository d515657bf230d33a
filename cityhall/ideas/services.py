"""Every write of the ideas pipeline: one function per use case, keyword-only
arguments, one transaction, an IdeaEvent for each change."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cityhall.cases import registry as cases_registry
from cityhall.core.roles import ANALYST, CITY_ADMIN
from cityhall.core.roles import DIGITAL_TEAM as DIGITAL_TEAM_ROLE
from cityhall.insights import selectors as insights

from .errors import IdeaError
from .estimates import estimate
from .models import (
    LINKABLE_STATES,
    TRANSITIONS,
    Comment,
    EventKind,
    Idea,
    IdeaEvent,
    State,
    Support,
)

# Who answers ideas, ranks the backlog and links services: the digital team
# (the role that builds services), with analysts and city administrators.
TRIAGERS = (ANALYST, CITY_ADMIN, DIGITAL_TEAM_ROLE)


def is_digital_team(user) -> bool:
    return bool(user and (user.is_superuser or user.has_role(*TRIAGERS)))


def _require_team(actor) -> None:
    if not is_digital_team(actor):
        raise IdeaError(_("Only the digital team can do this."))


def _event(idea, kind, *, actor=None, note="", from_state="", to_state="", **payload):
    return IdeaEvent.objects.create(
        idea=idea,
        kind=kind,
        actor=actor,
        note=note,
        from_state=from_state,
        to_state=to_state,
        payload=payload,
    )


def _locked(idea_id: int) -> Idea:
    return Idea.objects.select_for_update().get(pk=idea_id)


@transaction.atomic
def propose_idea(
    *,
    author,
    title: str,
    process_today: str,
    department: str,
    times_per_year: int,
    minutes_each: int,
    minutes_after: int = 0,
    role: str,
    pain_points: str,
    proposed_change: str,
    author_name_consent: bool = False,
) -> Idea:
    if minutes_after > minutes_each:
        raise IdeaError(
            _("The time after the change cannot be longer than today's."), field="minutes_after"
        )
    guess = estimate(
        times_per_year=times_per_year,
        minutes_each=minutes_each,
        minutes_after=minutes_after,
        role=role,
    )
    idea = Idea.objects.create(
        author=author,
        title=title.strip(),
        process_today=process_today,
        department=department.strip(),
        times_per_year=times_per_year,
        minutes_each=minutes_each,
        minutes_after=minutes_after,
        role=role,
        hourly_cents=guess.hourly_cents,
        estimated_saving_cents=guess.cents or 0,
        pain_points=pain_points,
        proposed_change=proposed_change,
        author_name_consent=author_name_consent,
    )
    _event(idea, EventKind.PROPOSED, actor=author, to_state=State.NEW)
    return idea


def support_idea(*, idea: Idea, user) -> Support:
    """One support per person (a unique constraint): supporting twice is harmless."""
    with transaction.atomic():
        locked = _locked(idea.pk)
        if not locked.is_open:
            raise IdeaError(_("This idea is closed: it can no longer be supported."))
        if locked.author_id == user.pk:
            raise IdeaError(_("You proposed this idea: your support is already counted."))
        existing = Support.objects.filter(idea=locked, user=user).first()
        if existing:
            return existing
        try:
            with transaction.atomic():
                support = Support.objects.create(idea=locked, user=user)
        except IntegrityError:  # a parallel request of the same person got there first
            return Support.objects.get(idea=locked, user=user)
        _event(locked, EventKind.SUPPORTED, actor=user)
        return support


@transaction.atomic
def withdraw_support(*, idea: Idea, user) -> bool:
    locked = _locked(idea.pk)
    deleted, _rows = Support.objects.filter(idea=locked, user=user).delete()
    if deleted:
        _event(locked, EventKind.SUPPORT_WITHDRAWN, actor=user)
    return bool(deleted)


@transaction.atomic
def comment(*, idea: Idea, author, body: str) -> Comment:
    body = body.strip()
    if not body:
        raise IdeaError(_("Write a comment first."), field="body")
    locked = _locked(idea.pk)
    if locked.state == State.MERGED:
        raise IdeaError(_("This idea was merged: comment on the idea it was merged into."))
    made = Comment.objects.create(idea=locked, author=author, body=body)
    _event(locked, EventKind.COMMENTED, actor=author, comment_id=made.pk)
    return made


@transaction.atomic
def change_state(*, idea: Idea, to: str, note: str, actor, reason: str = "") -> Idea:
    """The digital team's answer: a new state with a public note (and a reason to decline)."""
    _require_team(actor)
    locked = _locked(idea.pk)
    if to not in TRANSITIONS.get(locked.state, ()):
        raise IdeaError(
            _("An idea that is “%(now)s” cannot become “%(to)s”.")
            % {"now": State(locked.state).label, "to": State(to).label if to in State else to},
            field="to",
        )
    if not note.strip():
        raise IdeaError(_("Write a public note: everyone reads why."), field="note")
    if to == State.DECLINED and not reason.strip():
        raise IdeaError(_("Give the reason for declining."), field="reason")
    if to == State.IN_PILOT and not (locked.service_code and locked.pilot_id):
        raise IdeaError(_("Link the service and its pilot before the pilot starts."), field="to")
    if to == State.LIVE and not locked.service_code:
        raise IdeaError(_("Link the service that went live first."), field="to")
    before = locked.state
    now = timezone.now()
    locked.state = to
    locked.decline_reason = reason.strip() if to == State.DECLINED else ""
    locked.state_changed_at = now
    if locked.answered_at is None:
        locked.answered_at = now
    locked.save(update_fields=["state", "decline_reason", "state_changed_at", "answered_at"])
    _event(
        locked,
        EventKind.STATE_CHANGED,
        actor=actor,
        note=note.strip(),
        from_state=before,
        to_state=to,
        reason=locked.decline_reason,
    )
    return locked


@transaction.atomic
def record_build_estimate(*, idea: Idea, cost_cents: int, effort_days: int, actor) -> Idea:
    _require_team(actor)
    if cost_cents < 0 or effort_days < 0:
        raise IdeaError(_("Costs and effort cannot be negative."))
    locked = _locked(idea.pk)
    locked.build_cost_cents, locked.build_effort_days = cost_cents, effort_days
    locked.save(update_fields=["build_cost_cents", "build_effort_days"])
    _event(
        locked,
        EventKind.BUILD_ESTIMATED,
        actor=actor,
        cost_cents=cost_cents,
        effort_days=effort_days,
    )
    return locked


@transaction.atomic
def link_service(*, idea: Idea, service_code: str, pilot_id: int | None, actor) -> Idea:
    """Links an accepted idea to the registered service that implements it (built-in or
    defined in formbuilder: any code in the cases registry) and to one of its pilots."""
    _require_team(actor)
    locked = _locked(idea.pk)
    if locked.state not in LINKABLE_STATES:
        raise IdeaError(_("Accept the idea before linking it to a service."))
    try:
        cases_registry.get(service_code)
    except LookupError:
        raise IdeaError(_("No service has this code."), field="service_code") from None
    pilot = None
    if pilot_id is not None:
        pilot = insights.pilots_of(service_code).filter(pk=pilot_id).first()
        if pilot is None:
            raise IdeaError(_("Choose a pilot of this service."), field="pilot")
    locked.service_code, locked.pilot = service_code, pilot
    locked.save(update_fields=["service_code", "pilot"])
    _event(
        locked,
        EventKind.SERVICE_LINKED,
        actor=actor,
        service_code=service_code,
        pilot_id=pilot.pk if pilot else None,
    )
    return locked


@transaction.atomic
def merge_ideas(*, duplicate: Idea, kept: Idea, actor, note: str = "") -> Idea:
    """Closes `duplicate` into `kept`. Its supporters (and its author) now support the kept
    idea, each person counted once; nobody ends up supporting their own idea."""
    _require_team(actor)
    if duplicate.pk == kept.pk:
        raise IdeaError(_("An idea cannot be merged into itself."), field="kept")
    first, second = sorted([duplicate.pk, kept.pk])  # one lock order: no deadlock
    locked = {i.pk: i for i in Idea.objects.select_for_update().filter(pk__in=[first, second])}
    dup, keep = locked[duplicate.pk], locked[kept.pk]
    if not dup.is_open or not keep.is_open:
        raise IdeaError(_("Both ideas must be open to merge them."), field="kept")
    already = set(Support.objects.filter(idea=keep).values_list("user_id", flat=True))
    already.add(keep.author_id)
    moved = 0
    for support in Support.objects.filter(idea=dup).order_by("pk"):
        if support.user_id in already:
            support.delete()
        else:
            Support.objects.filter(pk=support.pk).update(idea=keep)
            already.add(support.user_id)
            moved += 1
    if dup.author_id and dup.author_id not in already:
        Support.objects.create(idea=keep, user_id=dup.author_id)
        moved += 1
    before = dup.state
    dup.state, dup.merged_into, dup.state_changed_at = State.MERGED, keep, timezone.now()
    dup.answered_at = dup.answered_at or dup.state_changed_at
    dup.save(update_fields=["state", "merged_into", "state_changed_at", "answered_at"])
    text = note.strip() or _("Merged into a similar idea.")
    _event(
        dup,
        EventKind.MERGED,
        actor=actor,
        note=text,
        from_state=before,
        to_state=State.MERGED,
        kept_id=keep.pk,
    )
    _event(
        keep, EventKind.MERGED, actor=actor, note=text, duplicate_id=dup.pk, supports_moved=moved
    )
    return keep


@transaction.atomic
def set_publishing(*, idea: Idea, publish: bool, actor) -> Idea:
    """The city's choice, per idea, to show it and its answers on the transparency page."""
    _require_team(actor)
    locked = _locked(idea.pk)
    locked.publish = publish
    locked.save(update_fields=["publish"])
    _event(locked, EventKind.PUBLISHING, actor=actor, publish=publish)
    return locked


@transaction.atomic
def set_name_consent(*, idea: Idea, consent: bool, actor) -> Idea:
    """Only the author decides whether their name is shown publicly."""
    locked = _locked(idea.pk)
    if locked.author_id != actor.pk:
        raise IdeaError(_("Only the author can decide whether their name is shown."))
    locked.author_name_consent = consent
    locked.save(update_fields=["author_name_consent"])
    _event(locked, EventKind.PUBLISHING, actor=actor, author_name_consent=consent)
    return locked
