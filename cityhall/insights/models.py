"""What a transaction costs, what residents said, and the rollups KPIs are read from.

Cost inputs are dated: a new row takes effect from its `effective_from` day and
the previous one keeps applying to the days before it, so a figure for last
year never changes because this year's salaries did. Formulas: docs/insights.md
and kpis.py / costs.py.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cityhall.cases.models import Channel

MINUTES = {"max_digits": 7, "decimal_places": 2, "validators": [MinValueValidator(0)]}


class StaffRate(models.Model):
    """The loaded cost of an hour of one kind of staff time: pay, benefits, overhead."""

    role = models.CharField(
        _("staff role"),
        max_length=40,
        help_text=_("As the cost models name it, e.g. counter_clerk or police_reviewer."),
    )
    hourly_cents = models.PositiveIntegerField(_("loaded hourly rate (cents)"))
    effective_from = models.DateField(_("effective from"))
    # When the row last changed: open data's download versions notice a correction.
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("staff hourly rate")
        verbose_name_plural = _("staff hourly rates")
        ordering = ["role", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["role", "effective_from"], name="staff_rate_unique")
        ]

    def __str__(self):
        return f"{self.role} from {self.effective_from}"


class CostModel(models.Model):
    """What one completed transaction of a service costs on one channel."""

    service = models.CharField(_("service"), max_length=40)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    effective_from = models.DateField(_("effective from"))
    # Staff time per step, each paid at its role's loaded rate (StaffRate).
    intake_minutes = models.DecimalField(_("intake minutes"), default=0, **MINUTES)
    intake_role = models.CharField(_("intake role"), max_length=40, blank=True)
    review_minutes = models.DecimalField(_("review minutes"), default=0, **MINUTES)
    review_role = models.CharField(_("review role"), max_length=40, blank=True)
    issue_minutes = models.DecimalField(_("issue minutes"), default=0, **MINUTES)
    issue_role = models.CharField(_("issue role"), max_length=40, blank=True)
    # Cash the city spends per transaction besides staff time.
    paper_cents = models.PositiveIntegerField(_("paper (cents)"), default=0)
    postage_cents = models.PositiveIntegerField(_("postage (cents)"), default=0)
    printing_cents = models.PositiveIntegerField(_("printing (cents)"), default=0)
    payment_fee_cents = models.PositiveIntegerField(_("payment processing fee (cents)"), default=0)
    # The resident's side (soft): their time and travel, mostly for in-person channels.
    resident_minutes = models.DecimalField(_("resident minutes"), default=0, **MINUTES)
    resident_travel_cents = models.PositiveIntegerField(_("resident travel (cents)"), default=0)
    notes = models.TextField(_("notes and sources"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("cost model")
        verbose_name_plural = _("cost models")
        ordering = ["service", "channel", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["service", "channel", "effective_from"], name="cost_model_unique"
            )
        ]

    def __str__(self):
        return f"{self.service} {self.channel} from {self.effective_from}"

    def steps(self) -> list[tuple[str, object, str]]:
        return [
            ("intake", self.intake_minutes, self.intake_role),
            ("review", self.review_minutes, self.review_role),
            ("issue", self.issue_minutes, self.issue_role),
        ]


class DigitalServiceCost(models.Model):
    """A service's digital investment: launch, build cost, running costs, and
    whether the staff time it frees is redeployed (only then is it cash)."""

    service = models.CharField(_("service"), max_length=40)
    effective_from = models.DateField(_("effective from"))
    launched_on = models.DateField(_("digital service launched on"))
    build_cost_cents = models.PositiveBigIntegerField(_("one-off build cost (cents)"), default=0)
    hosting_monthly_cents = models.PositiveIntegerField(_("hosting per month (cents)"), default=0)
    support_monthly_cents = models.PositiveIntegerField(
        _("support and licences per month (cents)"), default=0
    )
    staff_time_redeployed = models.BooleanField(
        _("staff time redeployed"),
        default=False,
        help_text=_(
            "Tick only when the staff time saved is really moved to other work or not "
            "re-hired: then it counts as a hard (cash) saving; otherwise it is soft."
        ),
    )
    resident_hour_value_cents = models.PositiveIntegerField(
        _("value of an hour of a resident's time (cents)"), default=0
    )
    notes = models.TextField(_("notes and sources"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("digital service cost")
        verbose_name_plural = _("digital service costs")
        ordering = ["service", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["service", "effective_from"], name="digital_service_cost_unique"
            )
        ]

    def __str__(self):
        return f"{self.service} from {self.effective_from}"

    @property
    def running_monthly_cents(self) -> int:
        return self.hosting_monthly_cents + self.support_monthly_cents


class Pilot(models.Model):
    """A service on trial, with the targets that decide whether it is scaled."""

    service = models.CharField(_("service"), max_length=40)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    target_take_up_pct = models.DecimalField(
        _("target digital take-up (%)"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    target_satisfaction = models.DecimalField(
        _("target satisfaction (1 to 5)"),
        max_digits=3,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    max_cost_per_transaction_cents = models.PositiveIntegerField(
        _("highest online cost per transaction (cents)"), null=True, blank=True
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("pilot")
        verbose_name_plural = _("pilots")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="pilot_dates_in_order"
            )
        ]

    def __str__(self):
        return f"{self.service} pilot {self.starts_on}-{self.ends_on}"


class SurveyResponse(models.Model):
    """One post-transaction answer (OMB A-11 §280): satisfaction and trust, 1 to 5.

    Service and channel are copied so the answer still counts after the case
    is purged."""

    case = models.OneToOneField(
        "cases.Case", null=True, on_delete=models.SET_NULL, related_name="survey_response"
    )
    service = models.CharField(max_length=40)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    satisfaction = models.PositiveSmallIntegerField(
        _("satisfaction"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    trust = models.PositiveSmallIntegerField(
        _("trust"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("comment"), blank=True, max_length=1000)
    language = models.CharField(max_length=8, default="en")
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(satisfaction__gte=1, satisfaction__lte=5),
                name="survey_satisfaction_1_to_5",
            ),
            models.CheckConstraint(
                condition=models.Q(trust__gte=1, trust__lte=5), name="survey_trust_1_to_5"
            ),
        ]

    def __str__(self):
        return f"{self.service} {self.satisfaction}/5"


class CaseFact(models.Model):
    """What one case contributes to the rollups, as last folded in.

    Kept so a change can be applied as a difference (take the old
    contribution out, put the new one in). `case_id` is not a foreign key on
    purpose: when a case is purged its statistics stay."""

    case_id = models.BigIntegerField(primary_key=True)
    service = models.CharField(max_length=40)
    channel = models.CharField(max_length=10)
    started_on = models.DateField()
    completed_on = models.DateField(null=True)
    decided_on = models.DateField(null=True)
    decision_bucket = models.PositiveIntegerField(null=True)  # hours, see facts.bucket_hours
    within_target = models.BooleanField(null=True)

    class Meta:
        verbose_name = _("case fact")
        verbose_name_plural = _("case facts")

    def __str__(self):
        return f"case {self.case_id}"


class Grain(models.TextChoices):
    DAY = "d", _("Day")
    MONTH = "m", _("Month")


class Rollup(models.Model):
    """Counts per day (and per month, for the decision-time histograms) per
    service and channel, maintained incrementally (rollups.py)."""

    grain = models.CharField(max_length=1, choices=Grain.choices)
    day = models.DateField()  # the day, or the first day of the month
    service = models.CharField(max_length=40)
    channel = models.CharField(max_length=10)
    started = models.IntegerField(default=0)
    completed = models.IntegerField(default=0)
    decided = models.IntegerField(default=0)
    within_target = models.IntegerField(default=0)
    surveys = models.IntegerField(default=0)
    satisfaction_sum = models.IntegerField(default=0)
    satisfied = models.IntegerField(default=0)  # answers of 4 or 5
    trust_sum = models.IntegerField(default=0)
    trusting = models.IntegerField(default=0)
    # {bucket hours: count} of decisions (see facts.bucket_hours)
    decision_hours = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("rollup")
        verbose_name_plural = _("rollups")
        constraints = [
            models.UniqueConstraint(
                fields=["grain", "service", "day", "channel"], name="rollup_unique"
            )
        ]

    def __str__(self):
        return f"{self.grain} {self.day} {self.service} {self.channel}"


class RollupState(models.Model):
    """The watermark: case events up to this id are folded into the rollups."""

    name = models.CharField(max_length=40, primary_key=True)
    last_event_id = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"{self.name} @ {self.last_event_id}"


class ReportStatus(models.TextChoices):
    QUEUED = "queued", _("Being prepared")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class CouncilReport(models.Model):
    """A PDF of the KPIs for a period, made by the worker."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    period_from = models.DateField(_("from"))
    period_to = models.DateField(_("to"))
    language = models.CharField(max_length=8, default="en")
    status = models.CharField(max_length=10, choices=ReportStatus.choices, default="queued")
    storage_name = models.CharField(max_length=255, blank=True)
    size = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("council report")
        verbose_name_plural = _("council reports")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_to__gte=models.F("period_from")),
                name="council_report_dates_in_order",
            )
        ]

    def __str__(self):
        return f"Council report {self.period_from}-{self.period_to}"
