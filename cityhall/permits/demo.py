"""The demo city's permit types (idempotent), also used by the tests:

- residential fence: flat fee, issued the moment it is paid;
- block-party street closure: per-block fee, reviewed by transportation;
- small construction job: fee tiered on the valuation (the building-permit
  schedule), building and zoning review in parallel, three inspections;
- food-truck licence: health then fire review, yearly renewal.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction

from cityhall.payments.demo import seed as seed_fee_schedules
from cityhall.payments.models import FeeRule, FeeSchedule, RuleKind

from .demo_types import BLOCK_PARTY, CONSTRUCTION, FENCE, FOOD_TRUCK, check
from .models import (
    Department,
    DocumentRequirement,
    InspectionType,
    PermitType,
    ReviewStepTemplate,
)

DEPARTMENTS = [
    ("building", "Building and Safety", "Construcción y Seguridad"),
    ("zoning", "Planning and Zoning", "Planificación y Zonificación"),
    ("transportation", "Transportation", "Transporte"),
    ("health", "Environmental Health", "Salud Ambiental"),
    ("fire", "Fire Prevention", "Prevención de Incendios"),
]


DOCUMENTS = {
    "residential-fence": [
        (
            "site-sketch",
            "Site sketch",
            "Croquis del sitio",
            "Where the fence goes on the lot, with its height.",
            "Dónde va la cerca en el lote, con su altura.",
            True,
            True,
            True,
        ),
    ],
    "block-party": [
        (
            "petition",
            "Neighbors' agreement",
            "Acuerdo de los vecinos",
            "Signatures of most households on the block.",
            "Firmas de la mayoría de los hogares de la cuadra.",
            True,
            True,
            True,
        ),
    ],
    "small-construction": [
        (
            "site-plan",
            "Site plan",
            "Plano del sitio",
            "A PDF showing the lot, the buildings and the work, with distances to the property lines.",
            "Un PDF con el lote, los edificios y la obra, con las distancias a los linderos.",
            True,
            True,
            False,
        ),
        (
            "drawings",
            "Construction drawings",
            "Planos de construcción",
            "Floor plans and elevations, as a PDF.",
            "Plantas y alzados, en PDF.",
            True,
            True,
            False,
        ),
        ("photos", "Photos of the site", "Fotos del sitio", "", "", False, False, True),
    ],
    "food-truck": [
        (
            "health-permit",
            "County health permit",
            "Permiso sanitario del condado",
            "",
            "",
            True,
            True,
            True,
        ),
        (
            "insurance",
            "Vehicle insurance certificate",
            "Certificado de seguro del vehículo",
            "",
            "",
            True,
            True,
            False,
        ),
    ],
}

STEPS = {
    "block-party": [("transportation", 1)],
    "small-construction": [("building", 1), ("zoning", 1)],
    "food-truck": [("health", 1), ("fire", 2)],
}

INSPECTIONS = {
    "small-construction": [
        (
            "foundation",
            "Foundation",
            "Cimentación",
            False,
            [
                check(
                    "forms",
                    "Forms and setbacks as on the site plan",
                    "Encofrados y retiros según el plano",
                ),
                check(
                    "rebar",
                    "Reinforcing steel placed and tied",
                    "Acero de refuerzo colocado y atado",
                ),
                check("depth", "Footing depth and width", "Profundidad y ancho de la zapata"),
            ],
        ),
        (
            "framing",
            "Framing",
            "Estructura",
            False,
            [
                check(
                    "members",
                    "Studs, joists and headers as drawn",
                    "Montantes, vigas y dinteles según planos",
                ),
                check("nailing", "Nailing and connectors", "Clavado y conectores"),
                check("fireblocking", "Fire blocking", "Cortafuegos"),
            ],
        ),
        (
            "final",
            "Final",
            "Final",
            True,
            [
                check("complete", "Work complete as approved", "Obra terminada según lo aprobado"),
                check("smoke", "Smoke and CO alarms working", "Alarmas de humo y CO funcionando"),
                check("grading", "Site cleaned and graded", "Sitio limpio y nivelado"),
            ],
        ),
    ],
    "food-truck": [
        (
            "fire-safety",
            "Vehicle fire safety",
            "Seguridad contra incendios del vehículo",
            False,
            [
                check(
                    "extinguisher", "Class K extinguisher, tagged", "Extintor clase K, con etiqueta"
                ),
                check(
                    "propane",
                    "Propane tanks secured and outside",
                    "Tanques de propano sujetos y en el exterior",
                ),
                check(
                    "hood", "Hood suppression serviced", "Sistema de supresión de campana revisado"
                ),
            ],
        ),
    ],
}

SCHEDULES = [
    (
        "fence-permit",
        "Fence permit fees",
        "Tarifas de permisos de cercas",
        [("fence", "Fence permit", "Permiso de cerca", RuleKind.FLAT, 4500, "", "")],
    ),
    (
        "street-closure",
        "Street closure fees",
        "Tarifas de cierre de calles",
        [
            (
                "closure",
                "Street closure",
                "Cierre de calle",
                RuleKind.PER_UNIT,
                2500,
                "blocks",
                "cuadras",
            )
        ],
    ),
    (
        "food-truck",
        "Food truck licence fees",
        "Tarifas de licencias de camiones de comida",
        [
            (
                "licence",
                "Food truck licence",
                "Licencia de camión de comida",
                RuleKind.FLAT,
                35000,
                "",
                "",
            ),
            ("renewal", "Yearly renewal", "Renovación anual", RuleKind.FLAT, 30000, "", ""),
        ],
    ),
]


def _schedules() -> None:
    for code, name_en, name_es, rules in SCHEDULES:
        schedule, created = FeeSchedule.objects.get_or_create(
            code=code,
            effective_from=date(2026, 1, 1),
            defaults={"name_en": name_en, "name_es": name_es, "service": "permit"},
        )
        if created:
            for position, (rule, label_en, label_es, kind, cents, unit_en, unit_es) in enumerate(
                rules, 1
            ):
                FeeRule.objects.create(
                    schedule=schedule,
                    code=rule,
                    label_en=label_en,
                    label_es=label_es,
                    kind=kind,
                    resident_cents=cents,
                    unit_en=unit_en,
                    unit_es=unit_es,
                    position=position,
                )
    # The small construction job uses the building fee table the payments demo loads.
    seed_fee_schedules()


@transaction.atomic
def create_types() -> dict[str, PermitType]:
    """The four demo types with their schedules and departments (idempotent)."""
    _schedules()
    departments = {
        code: Department.objects.get_or_create(code=code, defaults={"name_en": en, "name_es": es})[
            0
        ]
        for code, en, es in DEPARTMENTS
    }
    types = {}
    for spec in (FENCE, BLOCK_PARTY, CONSTRUCTION, FOOD_TRUCK):
        fields = {k: v for k, v in spec.items() if k != "code"}
        permit_type, created = PermitType.objects.get_or_create(code=spec["code"], defaults=fields)
        types[spec["code"]] = permit_type
        if not created:
            continue
        permit_type.full_clean()
        for order, (code, en, es, help_en, help_es, required, pdf, images) in enumerate(
            DOCUMENTS.get(spec["code"], []), 1
        ):
            DocumentRequirement.objects.create(
                permit_type=permit_type,
                code=code,
                name_en=en,
                name_es=es,
                help_en=help_en,
                help_es=help_es,
                required=required,
                allow_pdf=pdf,
                allow_images=images,
                order=order,
            )
        for department, stage in STEPS.get(spec["code"], []):
            ReviewStepTemplate.objects.create(
                permit_type=permit_type, department=departments[department], stage=stage
            )
        for order, (code, en, es, final, checklist) in enumerate(
            INSPECTIONS.get(spec["code"], []), 1
        ):
            InspectionType.objects.create(
                permit_type=permit_type,
                code=code,
                name_en=en,
                name_es=es,
                final=final,
                checklist=checklist,
                order=order,
            )
    return types


def _demo_pdf(name: str):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    out = io.BytesIO()
    writer.write(out)
    return SimpleUploadedFile(name, out.getvalue(), content_type="application/pdf")


def seed_applications(types) -> str | None:
    """One construction application by the demo resident, paid and waiting for
    building and zoning, so the reviewers' queue is not empty (once)."""
    from cityhall.accounts.models import User
    from cityhall.core.demo import RESIDENT_EMAIL
    from cityhall.payments.models import InvoiceStatus
    from cityhall.payments.providers import sandbox
    from cityhall.payments.services_payments import refresh_payment

    from . import services
    from .models import PermitApplication

    resident = User.objects.filter(email=RESIDENT_EMAIL).first()
    if resident is None or PermitApplication.objects.filter(case__applicant=resident).exists():
        return None
    permit_type = types["small-construction"]
    application = services.start_application(user=resident, permit_type=permit_type)
    services.save_details(
        application=application,
        description="Replace the rear deck (300 sq ft) with a pressure-treated deck and stairs.",
        answers={"work_kind": "deck", "valuation": "18500", "floor_area": "300", "stories": "1"},
    )
    services.save_address(application=application, street="415 W 7th St", zip_code="90731")
    services.save_contacts(
        application=application,
        applicant_role="owner",
        owner=services.ContactInput(name=resident.full_name, phone="(213) 555-0188"),
        contractor=services.ContactInput(
            name="Marisol Vega", company="Harbor Decks LLC", licence_number="C-1048821"
        ),
    )
    for code in ("site-plan", "drawings"):
        services.upload_document(
            application=application,
            requirement_code=code,
            upload=_demo_pdf(f"{code}.pdf"),
            actor=resident,
        )
    services.submit_application(application=application, actor=resident)
    payment = services.start_payment(application=application)
    sandbox.pay(session_id=payment.checkout_reference, card_number="4242424242424242")
    refresh_payment(payment)
    application.invoice.refresh_from_db()
    return application.case.reference if application.invoice.status == InvoiceStatus.PAID else None


def seed(stdout=None) -> None:
    types = create_types()
    from .inspections import ensure_slots

    ensure_slots()
    reference = seed_applications(types)
    if stdout is not None:
        stdout.write(f"Permit types: {', '.join(types)}\n")
        if reference:
            stdout.write(f"Permit application waiting for review: {reference}\n")
