"""The weekly digest email to staff: new ideas, answers given, ideas that went live.

Sent once per week (a DigestRun row per Monday, unique), to active staff who did
not opt out (DigestOptOut); each email links to the opt-out page."""

from __future__ import annotations

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from cityhall.notifications.services import notify

from . import selectors
from .models import DigestRun, EventKind, Idea, IdeaEvent, State


def week_of(day):
    return day - timedelta(days=day.weekday())


def digest_context(since) -> dict:
    answers = (
        IdeaEvent.objects.filter(kind=EventKind.STATE_CHANGED, created_at__gte=since)
        .select_related("idea")
        .order_by("created_at", "pk")
    )
    return {
        "new_ideas": list(
            Idea.objects.filter(created_at__gte=since).exclude(state=State.MERGED).order_by("pk")
        ),
        "answers": [
            {"idea": e.idea, "state": str(e.to_state_label), "note": e.note} for e in answers
        ],
        "went_live": [e.idea for e in answers if e.to_state == State.LIVE],
        "waiting": selectors.unanswered_count(),
    }


def send_weekly_digest(*, today=None) -> int:
    """Emails the digest once for this week; returns how many emails were queued."""
    today = today or timezone.localdate()
    week = week_of(today)
    since = timezone.now() - timedelta(days=7)
    context = digest_context(since)
    if not (context["new_ideas"] or context["answers"]):
        return 0
    try:
        with transaction.atomic():
            run = DigestRun.objects.create(week=week)
            sent = 0
            for user in selectors.digest_recipients():
                notify(
                    to=user.email,
                    kind="ideas_digest",
                    language=user.preferred_language or "en",
                    context=context,
                )
                sent += 1
            run.recipients = sent
            run.save(update_fields=["recipients"])
    except IntegrityError:  # this week's digest is already out
        return 0
    return sent
