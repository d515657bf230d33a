"""Police reports filed in a given month and neighbourhood, for the open data tests."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from cityhall.cases.models import Case
from cityhall.police import services
from cityhall.police.services import Incident, ItemInput, Reporter

PEOPLE = [
    ("Ana", "García", "ana.garcia@example.org", "(213) 555-0147", "200 N Spring St"),
    ("James", "Okafor", "james.okafor@example.org", "213-555-0199", "415 Harbor Blvd"),
]


@pytest.fixture(autouse=True)
def _city(settings):
    settings.CITYHALL_CITY_ZIP_CODES = ["90731", "90732", "90733"]
    settings.CITYHALL_OPEN_DATA_MIN_CELL = 5


@pytest.fixture
def file_report(db):
    counter = iter(range(10_000))

    def make(*, filed: datetime, zip_code="90731", categories=("04",), value=10000, name=None):
        n = next(counter)
        first, last, email, phone, address = name or (
            f"Person{n}",
            "Tester",
            f"person{n}@example.org",
            "(213) 555-0100",
            f"{100 + n} Pine St",
        )
        now = timezone.now()
        report = services.file_report(
            reporter=Reporter(first, last, email, phone, address, "en"),
            incident=Incident(
                "stolen",
                now - timedelta(days=2),
                now - timedelta(days=1),
                f"Outside {100 + n} Main St, {zip_code}" if zip_code else "By the library",
                "Taken.",
            ),
            items=[ItemInput(c, "Thing", "", "", "", 1, value) for c in categories],
            declaration_accepted=True,
        )
        Case.objects.filter(pk=report.case_id).update(submitted_at=filed)
        return report

    return make


def moment(year, month, day=10):
    return datetime(year, month, day, 12, tzinfo=timezone.get_current_timezone())
