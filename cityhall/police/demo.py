"""Demo data: a few reports in different states, so the officer's queue is not empty."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from cityhall.accounts.models import User
from cityhall.cases.models import Channel

from . import services
from .models import PoliceReport
from .services import Incident, ItemInput, Reporter

DEMO_REPORTS = [
    (
        Reporter(
            "Ana", "García", "ana.garcia@example.org", "(213) 555-0147", "200 N Spring St", "es"
        ),
        Incident(
            "stolen",
            timedelta(days=2, hours=3),
            timedelta(days=2),
            "Echo Park Lake, by the boathouse",
            "Me robaron la bicicleta del estacionamiento mientras estaba en la biblioteca. El candado estaba cortado.",
        ),
        [
            ItemInput(
                "04", "Road bicycle, matte black", "Trek", "Domane AL 2", "WTU 123 G4567", 1, 89900
            )
        ],
    ),
    (
        Reporter(
            "James", "Okafor", "james.okafor@example.org", "213-555-0199", "415 Harbor Blvd", "en"
        ),
        Incident(
            "lost",
            timedelta(days=1, hours=6),
            None,
            "Bus line 4, between Main St and the library",
            "I left my wallet on the bus on the way home. It had my driver's license and two cards.",
        ),
        [
            ItemInput("25", "Brown leather wallet", "Fossil", "", "", 1, 4500),
            ItemInput("65", "California driver's license", "", "", "", 1, 0),
            ItemInput("09", "Debit card (already cancelled)", "", "", "", 1, 0),
        ],
    ),
    (
        Reporter("Mei", "Chen", "mei.chen@example.org", "+1 213 555 0112", "", "en"),
        Incident(
            "stolen",
            timedelta(hours=20),
            timedelta(hours=19),
            "Port Alder Farmers Market",
            "My phone was taken from my bag at the market. Nobody saw who took it.",
        ),
        [
            ItemInput(
                "75",
                "Phone in a green case",
                "Apple",
                "iPhone 15",
                "IMEI 356938035643809",
                1,
                79900,
            )
        ],
    ),
]


def seed(stdout) -> None:
    if PoliceReport.objects.filter(email__in=[r[0].email for r in DEMO_REPORTS]).exists():
        return
    now = timezone.now()
    for reporter, incident, items in DEMO_REPORTS:
        start = now - incident.occurred_from
        end = now - incident.occurred_to if incident.occurred_to is not None else None
        services.file_report(
            reporter=reporter,
            incident=Incident(incident.kind, start, end, incident.location, incident.narrative),
            items=items,
            declaration_accepted=True,
            channel=Channel.ONLINE,
        )
    clerk = User.objects.filter(email="police_reviewer@staff.example.org").first()
    if clerk:
        services.file_report(
            reporter=Reporter(
                "Rosa", "Martínez", "rosa.martinez@example.org", "(213) 555-0175", "", "es"
            ),
            incident=Incident(
                "lost",
                now - timedelta(days=3),
                now - timedelta(days=3) + timedelta(hours=2),
                "City Hall, 1st floor",
                "Perdió su pasaporte en la sala de espera.",
            ),
            items=[ItemInput("65", "Pasaporte de México", "", "", "", 1, 0)],
            declaration_accepted=True,
            channel=Channel.COUNTER,
            recorded_by=clerk,
        )
    stdout.write(f"Police: {len(DEMO_REPORTS) + 1} demo reports waiting for review.\n")
