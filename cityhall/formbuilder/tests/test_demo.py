"""The demo services are published by seed-demo, once, and work for residents."""

import io

import pytest
from django.test import Client

from cityhall.core.registry import registry
from cityhall.formbuilder import demo
from cityhall.formbuilder.models import FormService, ServiceStatus, Submission
from cityhall.payments import demo as payments_demo

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    payments_demo.seed()
    out = io.StringIO()
    demo.seed(out)
    demo.seed(out)  # idempotent
    return out.getvalue()


def test_seed_publishes_both_services_once(seeded):
    assert "streetlight, parking_permit" in seeded and "already there" in seeded
    assert set(FormService.objects.values_list("code", "status")) == {
        ("streetlight", ServiceStatus.PUBLISHED),
        ("parking_permit", ServiceStatus.PUBLISHED),
    }
    codes = {entry.code for entry in registry.services()}
    assert {"streetlight", "parking_permit"} <= codes
    home = Client().get("/es/").content.decode()
    assert "Reportar un farol roto" in home
    assert "Solicitar un permiso de estacionamiento residencial" in home


@pytest.mark.parametrize(("visitors", "passes", "cents"), [("no", None, 7000), ("yes", "2", 10000)])
def test_parking_permit_skips_the_visitor_page_and_charges_the_fee(seeded, visitors, passes, cents):
    resident = Client()
    base = resident.post("/services/parking_permit/")["Location"].rsplit("page/", 1)[0]
    response = resident.post(
        base + "page/home/",
        {
            "address": "12 Alder St",
            "vehicles": "2",
            "plates": "7ABC123, 8XYZ999",
            "visitors": visitors,
        },
    )
    expected = "/page/visitor/" if visitors == "yes" else "/page/declare/"
    assert response["Location"].endswith(expected)
    if passes:
        resident.post(base + "page/visitor/", {"visitor_passes": passes})
    resident.post(base + "page/declare/", {"lives_here": "on"})
    resident.post(base + "contact/", {"name": "Ana", "email": "ana@example.org"})
    resident.post(base + "check/")
    submission = Submission.objects.get()
    assert submission.case.status == "payment_due"
    assert submission.fee_cents == cents and submission.case.reference.startswith("RP-")


def test_streetlight_report_is_free_and_goes_to_review(seeded):
    resident = Client()
    base = resident.post("/services/streetlight/")["Location"].rsplit("page/", 1)[0]
    bad = resident.post(base + "page/where/", {"location": "Main St & 3rd", "pole": "12"})
    assert "Pole numbers look like PA1234." in bad.content.decode()
    resident.post(base + "page/where/", {"location": "Main St & 3rd", "pole": "PA1234"})
    resident.post(base + "page/problem/", {"problem": "out"})
    resident.post(base + "contact/", {"name": "Ana", "email": "ana@example.org"})
    resident.post(base + "check/")
    submission = Submission.objects.get()
    assert submission.case.status == "submitted" and submission.fee_cents == 0
