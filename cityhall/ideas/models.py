"""Staff ideas: what to digitize, the city's answers, and the pilots that prove them.

An idea carries its own estimate (times a year x minutes saved each time, at the
loaded hourly rate of the role that does the work, copied from insights when it
was proposed so the estimate does not move when salaries do). Every change of
state is an IdeaEvent with a public note. See docs/ideas.md.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class State(models.TextChoices):
    NEW = "new", _("New")
    UNDER_REVIEW = "under_review", _("Under review")
    ACCEPTED = "accepted", _("Accepted")
    PLANNED = "planned", _("Planned")
    IN_PILOT = "in_pilot", _("In pilot")
    LIVE = "live", _("Live")
    DECLINED = "declined", _("Declined")
    MERGED = "merged", _("Merged into another idea")


# Ideas people can still support and comment on.
OPEN_STATES = frozenset(
    {State.NEW, State.UNDER_REVIEW, State.ACCEPTED, State.PLANNED, State.IN_PILOT}
)
# Where the digital team may move an idea from each state (MERGED only via merge_ideas).
TRANSITIONS: dict[str, frozenset[str]] = {
    State.NEW: frozenset({State.UNDER_REVIEW, State.ACCEPTED, State.DECLINED}),
    State.UNDER_REVIEW: frozenset({State.ACCEPTED, State.DECLINED}),
    State.ACCEPTED: frozenset({State.PLANNED, State.IN_PILOT, State.DECLINED}),
    State.PLANNED: frozenset({State.IN_PILOT, State.LIVE, State.DECLINED}),
    State.IN_PILOT: frozenset({State.LIVE, State.PLANNED, State.DECLINED}),
    State.LIVE: frozenset(),
    State.DECLINED: frozenset({State.UNDER_REVIEW}),
    State.MERGED: frozenset(),
}
# A service can be linked from acceptance on.
LINKABLE_STATES = frozenset({State.ACCEPTED, State.PLANNED, State.IN_PILOT, State.LIVE})


class Idea(models.Model):
    title = models.CharField(_("title"), max_length=200)
    process_today = models.TextField(_("the manual process today"), max_length=4000)
    department = models.CharField(_("department"), max_length=120)
    times_per_year = models.PositiveIntegerField(
        _("times a year"), validators=[MinValueValidator(1), MaxValueValidator(10_000_000)]
    )
    minutes_each = models.PositiveIntegerField(
        _("minutes each time"), validators=[MinValueValidator(1), MaxValueValidator(10_000)]
    )
    minutes_after = models.PositiveIntegerField(
        _("minutes each time after the change"),
        default=0,
        validators=[MaxValueValidator(10_000)],
    )
    role = models.CharField(_("who does it (staff role)"), max_length=40)
    # The role's loaded hourly rate when the idea was proposed (insights StaffRate).
    hourly_cents = models.PositiveIntegerField(_("loaded hourly rate (cents)"), null=True)
    estimated_saving_cents = models.PositiveBigIntegerField(
        _("estimated annual saving (cents)"), default=0
    )
    pain_points = models.TextField(_("pain points"), max_length=4000)
    proposed_change = models.TextField(_("proposed digital change"), max_length=4000)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="ideas"
    )
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.NEW)
    decline_reason = models.TextField(_("reason for declining"), blank=True, max_length=4000)
    build_cost_cents = models.PositiveBigIntegerField(
        _("estimated build cost (cents)"), null=True, blank=True
    )
    build_effort_days = models.PositiveIntegerField(
        _("estimated effort (person-days)"), null=True, blank=True
    )
    service_code = models.CharField(_("service"), max_length=40, blank=True)
    pilot = models.ForeignKey(
        "insights.Pilot",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("pilot"),
    )
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="duplicates"
    )
    publish = models.BooleanField(_("published on the transparency page"), default=False)
    author_name_consent = models.BooleanField(
        _("the author agrees to show their name"), default=False
    )
    created_at = models.DateTimeField(default=timezone.now)
    state_changed_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(_("first answered"), null=True, blank=True)

    class Meta:
        verbose_name = _("idea")
        verbose_name_plural = _("ideas")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["state", "created_at"], name="idea_state_created")]
        constraints = [
            models.CheckConstraint(
                condition=Q(minutes_after__lte=F("minutes_each")), name="idea_saves_time"
            ),
            models.CheckConstraint(
                condition=~Q(state=State.DECLINED) | ~Q(decline_reason=""),
                name="idea_declined_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(state=State.MERGED) | Q(merged_into__isnull=False),
                name="idea_merged_has_target",
            ),
            models.CheckConstraint(
                condition=Q(merged_into__isnull=True) | ~Q(merged_into=F("pk")),
                name="idea_not_merged_into_itself",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def minutes_saved_a_year(self) -> int:
        return self.times_per_year * (self.minutes_each - self.minutes_after)


class EventKind(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    STATE_CHANGED = "state_changed", _("State changed")
    SUPPORTED = "supported", _("Supported")
    SUPPORT_WITHDRAWN = "support_withdrawn", _("Support withdrawn")
    COMMENTED = "commented", _("Commented")
    MERGED = "merged", _("Merged")
    SERVICE_LINKED = "service_linked", _("Service linked")
    BUILD_ESTIMATED = "build_estimated", _("Build cost estimated")
    PUBLISHING = "publishing", _("Publishing changed")


class IdeaEvent(models.Model):
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20, blank=True)
    note = models.TextField(_("public note"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("idea event")
        verbose_name_plural = _("idea events")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.idea_id} {self.kind}"

    @property
    def to_state_label(self):
        return State(self.to_state).label if self.to_state in State.values else ""


class Support(models.Model):
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("support")
        verbose_name_plural = _("supports")
        constraints = [
            models.UniqueConstraint(fields=["idea", "user"], name="one_support_per_person")
        ]

    def __str__(self):
        return f"{self.user_id} supports {self.idea_id}"


class Comment(models.Model):
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(_("comment"), max_length=4000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"comment on {self.idea_id}"


class DigestOptOut(models.Model):
    """A member of staff who does not want the weekly ideas digest."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ideas_digest_opt_out"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("digest opt-out")
        verbose_name_plural = _("digest opt-outs")

    def __str__(self):
        return str(self.user_id)


class DigestRun(models.Model):
    """One weekly digest (by the Monday of its week): sent once, however often it runs."""

    week = models.DateField(unique=True)
    recipients = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"digest {self.week}"
