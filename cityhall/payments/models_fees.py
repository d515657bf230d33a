"""Fee schedules: named, dated versions, and the rule that prices each item."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


def in_language(obj, field: str, language: str | None = None) -> str:
    language = (language or get_language() or "en")[:2]
    return getattr(obj, f"{field}_es") if language == "es" else getattr(obj, f"{field}_en")


class FeeSchedule(models.Model):
    """One version of a named fee schedule, in effect from a date until the next
    version of the same code starts. Invoices copy the amounts they were quoted,
    so a new version never changes what an existing case owes."""

    code = models.SlugField(_("code"), max_length=60)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_es = models.CharField(_("name (Spanish)"), max_length=200)
    effective_from = models.DateField(_("in effect from"))
    currency = models.CharField(_("currency"), max_length=3, default="USD")
    service = models.CharField(
        _("service"), max_length=40, blank=True, help_text=_("The service that charges it.")
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("fee schedule")
        verbose_name_plural = _("fee schedules")
        ordering = ["code", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "effective_from"], name="fee_schedule_version_unique"
            )
        ]

    def __str__(self):
        return f"{self.code} ({self.effective_from:%Y-%m-%d})"

    def name(self, language: str | None = None) -> str:
        return in_language(self, "name", language)


class RuleKind(models.TextChoices):
    FLAT = "flat", _("Flat fee")
    PER_UNIT = "per_unit", _("Per unit")
    TIERED = "tiered", _("Tiered on a value")


class FeeRule(models.Model):
    """How one item of a schedule is charged.

    flat: `resident_cents`, whatever the quantity.
    per_unit: `resident_cents` per unit (hour, square foot) times the quantity.
    tiered: the tier whose lower bound is the highest at or below the value
    gives a base plus `per_step_cents` for each `step` (or part of one) above
    that bound, as building fee tables do.
    Then the minimum and maximum apply. Non-resident amounts, when set, replace
    the resident ones for people who live outside the city.
    """

    schedule = models.ForeignKey(FeeSchedule, on_delete=models.CASCADE, related_name="rules")
    code = models.SlugField(_("code"), max_length=60)
    label_en = models.CharField(_("label (English)"), max_length=200)
    label_es = models.CharField(_("label (Spanish)"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=RuleKind.choices)
    unit_en = models.CharField(_("unit (English)"), max_length=40, blank=True)
    unit_es = models.CharField(_("unit (Spanish)"), max_length=40, blank=True)
    value_in_cents = models.BooleanField(
        _("the value is money"),
        default=False,
        help_text=_("For tiered rules on an amount, such as a construction valuation, in cents."),
    )
    resident_cents = models.BigIntegerField(_("amount or rate for residents, cents"), default=0)
    non_resident_cents = models.BigIntegerField(
        _("amount or rate for non-residents, cents"), null=True, blank=True
    )
    minimum_cents = models.BigIntegerField(_("minimum, cents"), null=True, blank=True)
    maximum_cents = models.BigIntegerField(_("maximum, cents"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("fee rule")
        verbose_name_plural = _("fee rules")
        ordering = ["schedule", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["schedule", "code"], name="fee_rule_code_unique"),
            models.CheckConstraint(
                condition=Q(resident_cents__gte=0)
                & (Q(non_resident_cents__isnull=True) | Q(non_resident_cents__gte=0))
                & (Q(minimum_cents__isnull=True) | Q(minimum_cents__gte=0)),
                name="fee_rule_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(minimum_cents__isnull=True)
                | Q(maximum_cents__isnull=True)
                | Q(minimum_cents__lte=F("maximum_cents")),
                name="fee_rule_minimum_below_maximum",
            ),
        ]

    def __str__(self):
        return f"{self.schedule.code}/{self.code}"

    def label(self, language: str | None = None) -> str:
        return in_language(self, "label", language)

    def unit(self, language: str | None = None) -> str:
        return in_language(self, "unit", language)


class FeeTier(models.Model):
    rule = models.ForeignKey(FeeRule, on_delete=models.CASCADE, related_name="tiers")
    lower_bound = models.BigIntegerField(
        _("from value"), help_text=_("In the rule's unit; a valuation is in cents.")
    )
    base_cents = models.BigIntegerField(_("base, cents"), default=0)
    per_step_cents = models.BigIntegerField(_("per step above the bound, cents"), default=0)
    step = models.BigIntegerField(_("step"), default=1)
    non_resident_base_cents = models.BigIntegerField(null=True, blank=True)
    non_resident_per_step_cents = models.BigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("fee tier")
        verbose_name_plural = _("fee tiers")
        ordering = ["rule", "lower_bound"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "lower_bound"], name="fee_tier_bound_unique"),
            models.CheckConstraint(
                condition=Q(lower_bound__gte=0)
                & Q(base_cents__gte=0)
                & Q(per_step_cents__gte=0)
                & Q(step__gt=0),
                name="fee_tier_sane",
            ),
        ]

    def __str__(self):
        return f"{self.rule} ≥ {self.lower_bound}"
