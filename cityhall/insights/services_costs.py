"""Writes of a service's cost inputs. A row is dated: saving on a day that already
has a row corrects it; another day adds a row and earlier days keep theirs."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from .models import CostModel, DigitalServiceCost

COST_MODEL_FIELDS = [
    "intake_minutes",
    "intake_role",
    "review_minutes",
    "review_role",
    "issue_minutes",
    "issue_role",
    "paper_cents",
    "postage_cents",
    "printing_cents",
    "payment_fee_cents",
    "resident_minutes",
    "resident_travel_cents",
    "notes",
]
DIGITAL_FIELDS = [
    "launched_on",
    "build_cost_cents",
    "hosting_monthly_cents",
    "support_monthly_cents",
    "staff_time_redeployed",
    "resident_hour_value_cents",
    "notes",
]


@transaction.atomic
def set_cost_model(
    *, service: str, channel: str, effective_from: date, values: dict
) -> tuple[CostModel, bool]:
    """(row, created). `values`: the COST_MODEL_FIELDS, others are ignored."""
    return CostModel.objects.update_or_create(
        service=service,
        channel=channel,
        effective_from=effective_from,
        defaults={name: values[name] for name in COST_MODEL_FIELDS if name in values},
    )


@transaction.atomic
def set_digital_cost(
    *, service: str, effective_from: date, values: dict
) -> tuple[DigitalServiceCost, bool]:
    """(row, created). `values`: the DIGITAL_FIELDS, others are ignored."""
    return DigitalServiceCost.objects.update_or_create(
        service=service,
        effective_from=effective_from,
        defaults={name: values[name] for name in DIGITAL_FIELDS if name in values},
    )
