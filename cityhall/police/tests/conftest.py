from datetime import timedelta

import pytest
from django.utils import timezone

from cityhall.police import services
from cityhall.police.services import Incident, ItemInput, Reporter


def reporter(**changes) -> Reporter:
    values = {
        "first_name": "Ana",
        "last_name": "García",
        "email": "ana@example.org",
        "phone": "(213) 555-0147",
        "address": "200 N Spring St",
        "language": "es",
    }
    values.update(changes)
    return Reporter(**values)


def incident(**changes) -> Incident:
    now = timezone.now()
    values = {
        "kind": "stolen",
        "occurred_from": now - timedelta(days=2, hours=4),
        "occurred_to": now - timedelta(days=2),
        "location": "200 N Spring St",
        "narrative": "Taken from the rack.",
    }
    values.update(changes)
    return Incident(**values)


def bike(**changes) -> ItemInput:
    values = {
        "category": "04",
        "description": "Road bicycle",
        "brand": "Trek",
        "model": "Domane AL 2",
        "serial_number": "WTU 123 G4567",
        "quantity": 1,
        "value_cents": 89900,
    }
    values.update(changes)
    return ItemInput(**values)


@pytest.fixture
def file_report(db):
    def make(*, reporter_changes=None, incident_changes=None, items=None, **extra):
        return services.file_report(
            reporter=reporter(**(reporter_changes or {})),
            incident=incident(**(incident_changes or {})),
            items=items if items is not None else [bike()],
            declaration_accepted=True,
            **extra,
        )

    return make


@pytest.fixture
def officer(make_user):
    return make_user(
        "officer@staff.example.org", roles=["police_reviewer"], full_name="Officer Dana Reyes"
    )


@pytest.fixture
def supervisor(make_user):
    return make_user(
        "sergeant@staff.example.org", roles=["police_supervisor"], full_name="Sgt. Lee Park"
    )


@pytest.fixture
def rejection_reason(db):
    from cityhall.police.models import RejectionReason

    reason, _ = RejectionReason.objects.get_or_create(
        code="outside-jurisdiction",
        defaults={
            "label_en": "Not in our jurisdiction",
            "label_es": "Fuera de nuestra jurisdicción",
            "explanation_en": "Contact the police where it happened.",
            "explanation_es": "Comuníquese con la policía del lugar donde ocurrió.",
        },
    )
    return reason
