"""Demo fee schedules for `cityhall seed-demo` (idempotent)."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from .models import FeeRule, FeeSchedule, FeeTier, RuleKind

# After the 1997 Uniform Building Code's Table 1-A: valuation in cents.
BUILDING_TIERS = [
    (0, 2350, 0, 1),
    (50_000, 2350, 305, 10_000),
    (200_000, 6925, 1400, 100_000),
    (2_500_000, 39125, 1010, 100_000),
    (5_000_000, 64375, 700, 100_000),
    (10_000_000, 99375, 560, 100_000),
    (50_000_000, 323375, 475, 100_000),
    (100_000_000, 560875, 315, 100_000),
]


@transaction.atomic
def seed(stdout=None) -> None:
    building, created = FeeSchedule.objects.get_or_create(
        code="building-permit",
        effective_from=date(2026, 1, 1),
        defaults={
            "name_en": "Building permit fees",
            "name_es": "Tarifas de permisos de construcción",
        },
    )
    if created:
        permit = FeeRule.objects.create(
            schedule=building,
            code="valuation",
            label_en="Building permit",
            label_es="Permiso de construcción",
            kind=RuleKind.TIERED,
            value_in_cents=True,
            position=1,
        )
        FeeTier.objects.bulk_create(
            FeeTier(rule=permit, lower_bound=lb, base_cents=base, per_step_cents=per, step=step)
            for lb, base, per, step in BUILDING_TIERS
        )
        FeeRule.objects.create(
            schedule=building,
            code="plan-review",
            label_en="Plan review",
            label_es="Revisión de planos",
            kind=RuleKind.FLAT,
            resident_cents=15000,
            position=2,
        )
    shelter, created = FeeSchedule.objects.get_or_create(
        code="park-shelter",
        effective_from=date(2026, 1, 1),
        defaults={"name_en": "Park shelter rental", "name_es": "Alquiler de refugios en parques"},
    )
    if created:
        FeeRule.objects.create(
            schedule=shelter,
            code="hours",
            label_en="Shelter rental",
            label_es="Alquiler del refugio",
            kind=RuleKind.PER_UNIT,
            unit_en="hours",
            unit_es="horas",
            resident_cents=2500,
            non_resident_cents=4000,
            minimum_cents=5000,
            position=1,
        )
    parking, created = FeeSchedule.objects.get_or_create(
        code="residential-parking",
        effective_from=date(2026, 1, 1),
        defaults={"name_en": "Residential parking", "name_es": "Estacionamiento residencial"},
    )
    if created:  # used by the demo parking permit service (formbuilder/demo.py)
        for position, (code, en, es, cents) in enumerate(
            [
                ("vehicle", "Vehicle permit (a year)", "Permiso por vehículo (un año)", 3500),
                ("visitor", "Visitor pass", "Pase de visitante", 1500),
            ],
            start=1,
        ):
            FeeRule.objects.create(
                schedule=parking,
                code=code,
                label_en=en,
                label_es=es,
                kind=RuleKind.PER_UNIT,
                unit_en="",
                unit_es="",
                resident_cents=cents,
                position=position,
            )
    if stdout is not None:
        stdout.write("Fee schedules: building-permit, park-shelter, residential-parking\n")
