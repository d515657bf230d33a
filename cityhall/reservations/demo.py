"""Demo facilities for `cityhall seed-demo` (idempotent): a park with two
shelters (one paid by the hour, one free), a community center with two rooms
(one free that staff approve, one paid with a deposit and a residents-first
window), and a sports field that staff approve."""

from __future__ import annotations

from datetime import date, time, timedelta

from django.db import transaction

from cityhall.payments.models import FeeRule, FeeSchedule, RuleKind

from .models import (
    Amenity,
    Facility,
    FacilityKind,
    HoursException,
    OpeningHours,
    Unit,
    UnitKind,
)

AMENITIES = [
    ("grill", "Barbecue grill", "Parrilla"),
    ("electricity", "Electrical outlets", "Enchufes eléctricos"),
    ("water", "Drinking water", "Agua potable"),
    ("restrooms", "Restrooms", "Baños"),
    ("accessible-restroom", "Accessible restroom", "Baño accesible"),
    ("kitchen", "Kitchen", "Cocina"),
    ("projector", "Projector and screen", "Proyector y pantalla"),
    ("wifi", "Wi-Fi", "Wi-Fi"),
    ("parking", "Parking", "Estacionamiento"),
    ("lights", "Field lights", "Luces del campo"),
]

SHELTER_TERMS_EN = (
    "No amplified sound after 8 p.m.\nLeave the shelter clean: bag your trash and use the bins.\n"
    "No glass bottles. Grills only in the grill area."
)
SHELTER_TERMS_ES = (
    "Sin sonido amplificado después de las 8 p. m.\nDeje el refugio limpio: embolse la basura y "
    "use los contenedores.\nSin botellas de vidrio. Parrillas solo en la zona de parrillas."
)
ROOM_TERMS_EN = (
    "Set the room back as you found it.\nNo open flames. Food only in the kitchen area.\n"
    "The person who booked is responsible for the group."
)
ROOM_TERMS_ES = (
    "Deje la sala como la encontró.\nSin llamas abiertas. Comida solo en la cocina.\n"
    "La persona que reservó es responsable del grupo."
)


def _schedule(code, name_en, name_es, rules):
    schedule, created = FeeSchedule.objects.get_or_create(
        code=code,
        effective_from=date(2026, 1, 1),
        defaults={"name_en": name_en, "name_es": name_es, "service": "facility_booking"},
    )
    if created:
        for position, fields in enumerate(rules, start=1):
            FeeRule.objects.create(schedule=schedule, position=position, **fields)
    return schedule


def _hours(facility, spans_by_weekday):
    if facility.hours.exists():
        return
    OpeningHours.objects.bulk_create(
        OpeningHours(facility=facility, weekday=weekday, opens=opens, closes=closes)
        for weekday, spans in spans_by_weekday.items()
        for opens, closes in spans
    )


def _unit(facility, name, amenities, **fields):
    unit, _created = Unit.objects.get_or_create(facility=facility, name=name, defaults=fields)
    unit.amenities.add(*Amenity.objects.filter(code__in=amenities))
    return unit


@transaction.atomic
def seed(stdout=None) -> None:
    for code, en, es in AMENITIES:
        Amenity.objects.get_or_create(code=code, defaults={"name_en": en, "name_es": es})
    if not FeeSchedule.objects.filter(code="park-shelter").exists():
        _schedule(
            "park-shelter",
            "Park shelter rental",
            "Alquiler de refugios en parques",
            [
                {
                    "code": "hours",
                    "label_en": "Shelter rental",
                    "label_es": "Alquiler del refugio",
                    "kind": RuleKind.PER_UNIT,
                    "unit_en": "hours",
                    "unit_es": "horas",
                    "resident_cents": 2500,
                    "non_resident_cents": 4000,
                    "minimum_cents": 5000,
                }
            ],
        )
    _schedule(
        "community-room",
        "Community room rental",
        "Alquiler de salas comunitarias",
        [
            {
                "code": "hours",
                "label_en": "Room rental",
                "label_es": "Alquiler de la sala",
                "kind": RuleKind.PER_UNIT,
                "unit_en": "hours",
                "unit_es": "horas",
                "resident_cents": 3500,
                "non_resident_cents": 5000,
            },
            {
                "code": "deposit",
                "label_en": "Refundable deposit",
                "label_es": "Depósito reembolsable",
                "kind": RuleKind.FLAT,
                "resident_cents": 10000,
            },
        ],
    )
    _schedule(
        "sports-field",
        "Sports field rental",
        "Alquiler de campos deportivos",
        [
            {
                "code": "hours",
                "label_en": "Field rental",
                "label_es": "Alquiler del campo",
                "kind": RuleKind.PER_UNIT,
                "unit_en": "hours",
                "unit_es": "horas",
                "resident_cents": 2000,
                "non_resident_cents": 3000,
            }
        ],
    )

    park, _created = Facility.objects.get_or_create(
        name="Alder Park",
        defaults={
            "kind": FacilityKind.PARK,
            "address": "1200 Alder Park Dr, Port Alder",
            "latitude": "34.052200",
            "longitude": "-118.243700",
            "description_en": "The city's largest park: lawns, a playground and two picnic shelters by the lake.",
            "description_es": "El parque más grande de la ciudad: césped, juegos infantiles y dos refugios junto al lago.",
            "accessibility_en": "Paved paths from the parking lot to both shelters. Accessible restroom next to Shelter A.",
            "accessibility_es": "Caminos pavimentados desde el estacionamiento hasta ambos refugios. Baño accesible junto al refugio A.",
            "phone": "(555) 010-0150",
            "email": "parks@example.org",
        },
    )
    park.amenities.add(*Amenity.objects.filter(code__in=["restrooms", "parking", "water"]))
    _hours(park, {day: [(time(8), time(21))] for day in range(7)})
    for day, en, es in [
        (date(2026, 12, 25), "Christmas Day", "Navidad"),
        (date(2027, 1, 1), "New Year's Day", "Año Nuevo"),
    ]:
        HoursException.objects.get_or_create(
            facility=park,
            first_day=day,
            defaults={"last_day": day, "closed": True, "reason_en": en, "reason_es": es},
        )
    _unit(
        park,
        "Shelter A",
        ["grill", "electricity", "accessible-restroom"],
        kind=UnitKind.SHELTER,
        capacity=60,
        description_en="Covered shelter with eight picnic tables, by the lake.",
        description_es="Refugio techado con ocho mesas de picnic, junto al lago.",
        terms_en=SHELTER_TERMS_EN,
        terms_es=SHELTER_TERMS_ES,
        min_duration=timedelta(hours=2),
        max_duration=timedelta(hours=8),
        start_interval_minutes=60,
        buffer_after=timedelta(minutes=30),
        fee_schedule="park-shelter",
        rate_rule="hours",
        max_active_per_person=3,
    )
    _unit(
        park,
        "Shelter B",
        ["grill"],
        kind=UnitKind.SHELTER,
        capacity=30,
        description_en="Small open shelter with four tables, near the playground. Free to book.",
        description_es="Refugio abierto pequeño con cuatro mesas, cerca de los juegos. Reserva gratuita.",
        terms_en=SHELTER_TERMS_EN,
        terms_es=SHELTER_TERMS_ES,
        min_duration=timedelta(hours=1),
        max_duration=timedelta(hours=4),
        start_interval_minutes=30,
        max_active_per_person=2,
        cancel_hours_before=2,
        closes_hours_before=2,
    )

    center, _created = Facility.objects.get_or_create(
        name="Harbor Community Center",
        defaults={
            "kind": FacilityKind.COMMUNITY_CENTER,
            "address": "415 Harbor Blvd, Port Alder",
            "latitude": "34.046100",
            "longitude": "-118.252300",
            "description_en": "Meeting rooms for clubs, classes and family events.",
            "description_es": "Salas para clubes, clases y eventos familiares.",
            "accessibility_en": "Step-free entrance and an elevator. Hearing loop in Room 2.",
            "accessibility_es": "Entrada sin escalones y ascensor. Bucle de inducción en la sala 2.",
            "phone": "(555) 010-0160",
            "email": "community@example.org",
        },
    )
    center.amenities.add(
        *Amenity.objects.filter(code__in=["restrooms", "accessible-restroom", "parking", "wifi"])
    )
    weekdays = {day: [(time(9), time(21))] for day in range(5)}
    weekdays[5] = [(time(9), time(17))]
    _hours(center, weekdays)
    _unit(
        center,
        "Room 1",
        ["projector"],
        kind=UnitKind.ROOM,
        capacity=40,
        description_en="Meeting room with tables and chairs for 40. Free for community groups; staff approve each booking.",
        description_es="Sala con mesas y sillas para 40. Gratis para grupos comunitarios; el personal aprueba cada reserva.",
        terms_en=ROOM_TERMS_EN,
        terms_es=ROOM_TERMS_ES,
        needs_approval=True,
        min_duration=timedelta(hours=1),
        max_duration=timedelta(hours=4),
    )
    _unit(
        center,
        "Room 2",
        ["kitchen", "projector"],
        kind=UnitKind.HALL,
        capacity=80,
        description_en="Large room with a kitchen, for parties and events.",
        description_es="Sala grande con cocina, para fiestas y eventos.",
        terms_en=ROOM_TERMS_EN,
        terms_es=ROOM_TERMS_ES,
        min_duration=timedelta(hours=2),
        max_duration=timedelta(hours=6),
        buffer_after=timedelta(minutes=30),
        residents_first_days=14,
        fee_schedule="community-room",
        rate_rule="hours",
        deposit_rule="deposit",
        refund_percent=50,
    )

    field, _created = Facility.objects.get_or_create(
        name="Port Alder Sports Field",
        defaults={
            "kind": FacilityKind.SPORTS,
            "address": "88 Stadium Way, Port Alder",
            "latitude": "34.060000",
            "longitude": "-118.230000",
            "description_en": "A full-size grass field with lights for evening games.",
            "description_es": "Campo de césped de tamaño completo con luces para partidos nocturnos.",
            "accessibility_en": "Accessible seating on the home side; paved path from the parking lot.",
            "accessibility_es": "Asientos accesibles del lado local; camino pavimentado desde el estacionamiento.",
            "phone": "(555) 010-0170",
        },
    )
    field.amenities.add(*Amenity.objects.filter(code__in=["restrooms", "parking"]))
    _hours(field, {day: [(time(7), time(22))] for day in range(7)})
    _unit(
        field,
        "Field 1",
        ["lights"],
        kind=UnitKind.FIELD,
        capacity=100,
        description_en="Soccer and football, lights until 10 p.m. League and team bookings are approved by staff.",
        description_es="Fútbol y fútbol americano, luces hasta las 10 p. m. El personal aprueba las reservas.",
        needs_approval=True,
        min_duration=timedelta(hours=1),
        max_duration=timedelta(hours=3),
        start_interval_minutes=60,
        fee_schedule="sports-field",
        rate_rule="hours",
    )
    if stdout is not None:
        stdout.write(
            "Facilities: Alder Park (Shelter A, Shelter B), Harbor Community Center "
            "(Room 1, Room 2), Port Alder Sports Field (Field 1)\n"
        )
