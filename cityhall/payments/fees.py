"""Fee schedules: which version is in effect, and what a set of items costs.

`estimate_fee(...)` is a dry run any service, page or API call may make: it
reads the schedule and computes, and writes nothing. Invoices are built from
the same estimate, so what a resident was quoted is what they are billed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db.models import Prefetch
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from cityhall.core.money import format_cents

from .errors import FeeError, UnknownSchedule
from .models import FeeRule, FeeSchedule, FeeTier, RuleKind

MAX_QUANTITY = Decimal("1000000")
MAX_VALUE = 10**15


@dataclass(frozen=True)
class FeeItem:
    """What the payer asks for: a rule's code with a quantity (per-unit rules) or a value (tiered)."""

    code: str
    quantity: Decimal | int | str | None = None
    value: int | None = None


@dataclass(frozen=True)
class FeeLine:
    code: str
    label_en: str
    label_es: str
    detail_en: str
    detail_es: str
    quantity: Decimal | None
    value: int | None
    unit_cents: int | None
    amount_cents: int

    def label(self, language: str | None = None) -> str:
        return (
            self.label_es
            if (language or translation.get_language() or "en")[:2] == "es"
            else self.label_en
        )

    def detail(self, language: str | None = None) -> str:
        return (
            self.detail_es
            if (language or translation.get_language() or "en")[:2] == "es"
            else self.detail_en
        )


@dataclass(frozen=True)
class FeeEstimate:
    schedule: FeeSchedule
    on: date
    resident: bool
    currency: str
    lines: tuple[FeeLine, ...]

    @property
    def total_cents(self) -> int:
        return sum(line.amount_cents for line in self.lines)


def schedule_in_effect(code: str, on: date) -> FeeSchedule | None:
    """The version of schedule `code` in effect on `on`: the latest that started by then."""
    return (
        FeeSchedule.objects.filter(code=code, effective_from__lte=on)
        .order_by("-effective_from")
        .first()
    )


def _quantity(raw, field: str) -> Decimal:
    if raw is None or raw == "":
        return Decimal(1)
    try:
        quantity = Decimal(str(raw))
    except (InvalidOperation, ValueError):
        raise FeeError(_("Enter the quantity as a number, for example 2 or 2.5."), field) from None
    if not quantity.is_finite() or quantity <= 0:
        raise FeeError(_("The quantity must be more than zero."), field)
    if quantity > MAX_QUANTITY:
        raise FeeError(_("The quantity is too large."), field)
    if quantity != quantity.quantize(Decimal("0.01")):
        raise FeeError(_("Use at most two decimal places for the quantity."), field)
    return quantity.quantize(Decimal("0.01"))


def _rate(resident_value, non_resident_value, resident: bool):
    return resident_value if resident or non_resident_value is None else non_resident_value


def _number(value) -> str:
    # As money is shown (core.money): US separators in both languages.
    if isinstance(value, Decimal):
        value = value.normalize() if value % 1 else int(value)
    return f"{value:,}"


def _bounded(rule: FeeRule, amount: int) -> int:
    if rule.minimum_cents is not None:
        amount = max(amount, rule.minimum_cents)
    if rule.maximum_cents is not None:
        amount = min(amount, rule.maximum_cents)
    return amount


def _tiered(rule: FeeRule, value: int, resident: bool) -> int:
    tiers: list[FeeTier] = sorted(rule.tiers.all(), key=lambda t: t.lower_bound)
    if not tiers:
        raise FeeError(_("This fee is not set up yet. Call the city."), "items")
    chosen = tiers[0]
    for tier in tiers:
        if tier.lower_bound <= value:
            chosen = tier
    base = _rate(chosen.base_cents, chosen.non_resident_base_cents, resident)
    per_step = _rate(chosen.per_step_cents, chosen.non_resident_per_step_cents, resident)
    above = max(value - chosen.lower_bound, 0)
    steps = -(-above // chosen.step)  # each step or part of one
    return base + steps * per_step


def _line(rule: FeeRule, item: FeeItem, index: int, resident: bool) -> FeeLine:
    quantity: Decimal | None = None
    value: int | None = None
    unit_cents: int | None = None
    if rule.kind == RuleKind.FLAT:
        amount = _rate(rule.resident_cents, rule.non_resident_cents, resident)
    elif rule.kind == RuleKind.PER_UNIT:
        quantity = _quantity(item.quantity, f"items.{index}.quantity")
        unit_cents = _rate(rule.resident_cents, rule.non_resident_cents, resident)
        amount = int((Decimal(unit_cents) * quantity).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    else:
        field = f"items.{index}.value"
        if item.value is None or isinstance(item.value, bool):
            raise FeeError(_("Give the value this fee is worked out from."), field)
        try:
            value = int(item.value)
        except (TypeError, ValueError):
            raise FeeError(_("Enter the value as a whole number."), field) from None
        if value != item.value or value < 0:
            raise FeeError(_("The value must be a whole number, zero or more."), field)
        if value > MAX_VALUE:
            raise FeeError(_("The value is too large."), field)
        amount = _tiered(rule, value, resident)
    amount = _bounded(rule, amount)

    details = {}
    for language in ("en", "es"):
        with translation.override(language):
            if quantity is not None:
                details[language] = (
                    f"{_number(quantity)} {rule.unit(language)} × {format_cents(unit_cents)}".replace(
                        "  ", " "
                    )
                )
            elif value is not None:
                shown = (
                    format_cents(value)
                    if rule.value_in_cents
                    else f"{_number(value)} {rule.unit(language)}".strip()
                )
                details[language] = _("on %(value)s") % {"value": shown}
            else:
                details[language] = ""
    return FeeLine(
        code=rule.code,
        label_en=rule.label_en,
        label_es=rule.label_es,
        detail_en=details["en"],
        detail_es=details["es"],
        quantity=quantity,
        value=value,
        unit_cents=unit_cents,
        amount_cents=amount,
    )


def estimate_fee(
    *, schedule: str, items, resident: bool = True, on: date | None = None
) -> FeeEstimate:
    """What these items cost under schedule `schedule` as in effect on `on` (today by
    default). Reads only. Raises FeeError (with `field`) for what the caller must fix."""
    on = on or timezone.localdate()
    version = schedule_in_effect(schedule, on)
    if version is None:
        raise UnknownSchedule(
            _("There is no fee schedule “%(code)s” in effect on %(date)s.")
            % {"code": schedule, "date": formats.date_format(on, "DATE_FORMAT")},
            "schedule",
        )
    items = list(items)
    if not items:
        raise FeeError(_("Choose at least one item."), "items")
    rules = {
        rule.code: rule
        for rule in version.rules.prefetch_related(
            Prefetch("tiers", queryset=FeeTier.objects.order_by("lower_bound"))
        )
    }
    lines = []
    for index, item in enumerate(items):
        rule = rules.get(item.code)
        if rule is None:
            raise FeeError(
                _("“%(code)s” is not an item of this fee schedule.") % {"code": item.code},
                f"items.{index}.code",
            )
        lines.append(_line(rule, item, index, resident))
    return FeeEstimate(
        schedule=version,
        on=on,
        resident=resident,
        currency=version.currency,
        lines=tuple(lines),
    )


def convenience_fee_cents(total_cents: int) -> int:
    """The fee passed to a payer who pays online, when the city chooses to:
    CITYHALL_CONVENIENCE_FEE_CENTS plus CITYHALL_CONVENIENCE_FEE_BPS hundredths
    of a percent of the amount, rounded half up. Nothing on a zero amount."""
    from django.conf import settings

    if total_cents <= 0:
        return 0
    share = (
        Decimal(total_cents) * settings.CITYHALL_CONVENIENCE_FEE_BPS / Decimal(10000)
    ).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return max(int(share) + settings.CITYHALL_CONVENIENCE_FEE_CENTS, 0)
