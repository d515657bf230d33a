"""The world the access matrix runs in: resident A and B, one person per staff
role (second factor passed), API tokens, and one object of each service that
belongs to A (test_access_matrix.py)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core import signing
from django.core.management import call_command
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from cityhall.core.roles import STAFF_ROLES

STAFF = sorted(STAFF_ROLES)


@dataclass
class World:
    clients: dict[str, Client] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)


def _client_for(user, *, staff: bool) -> Client:
    client = Client()
    client.force_login(user)
    if staff:
        device = TOTPDevice.objects.create(user=user, name="matrix", confirmed=True)
        session = client.session
        session["otp_device_id"] = device.persistent_id
        session.save()
    return client


def build_world(make_user, settings) -> World:
    from cityhall.accounts.services import issue_api_token
    from cityhall.cases.selectors import tracking_token
    from cityhall.cases.services import open_case
    from cityhall.formbuilder.models import FormService
    from cityhall.formbuilder.services import start_submission
    from cityhall.insights.survey import survey_token
    from cityhall.payments.selectors import invoice_token
    from cityhall.permits import review
    from cityhall.permits.models import PermitType
    from cityhall.permits.tests.conftest import complete_application, submit_and_pay
    from cityhall.police.journey import RESUME_SALT
    from cityhall.police.tests.conftest import bike, incident, reporter
    from cityhall.reservations import services as reservations
    from cityhall.reservations.models import Facility, Unit
    from cityhall.reservations.tests.conftest import at, day_ahead

    settings.CITYHALL_PAYMENT_PROVIDER = "sandbox"
    settings.CITYHALL_SANDBOX_WEBHOOK_SECRET = "sandbox-test-secret"
    settings.CITYHALL_CITY_ZIP_CODES = ["90731", "90732"]
    call_command("seed_demo", force=True, quiet=True, scale=0)

    world = World()
    a = make_user("a@matrix.example.org", roles=["resident"], full_name="Ana A")
    b = make_user("b@matrix.example.org", roles=["resident"], full_name="Bea B")
    world.clients["anonymous"] = Client()
    world.clients["resident_a"] = _client_for(a, staff=False)
    world.clients["resident_b"] = _client_for(b, staff=False)
    world.tokens["resident_a"] = issue_api_token(user=a).raw
    world.tokens["resident_b"] = issue_api_token(user=b).raw
    staff_users = {}
    for role in STAFF:
        user = make_user(f"{role}@matrix.example.org", roles=[role])
        staff_users[role] = user
        world.clients[role] = _client_for(user, staff=True)
        world.tokens[role] = issue_api_token(user=user).raw

    from cityhall.police import services as police

    report = police.file_report(
        reporter=reporter(email=a.email),
        incident=incident(),
        items=[bike()],
        declaration_accepted=True,
        applicant=a,
    )
    application = submit_and_pay(
        complete_application(a, PermitType.objects.get(code="small-construction")), a
    )
    invoice = application.case.invoices.get()
    payment = invoice.payments.get()
    step = application.review_steps.order_by("pk").first()
    condition = review.add_condition(
        application=application,
        actor=staff_users["permit_reviewer"],
        text="Keep it tidy.",
        before_issue=False,
    )
    unit = Unit.objects.get(name="Shelter B")
    day = day_ahead(10)
    booking = reservations.book_slot(
        user=a,
        unit=unit,
        start=at(day, 10),
        end=at(day, 12),
        details=reservations.Details(attendees=5, purpose="Picnic"),
    )
    streetlight = FormService.objects.get(code="streetlight")
    submission = start_submission(version=streetlight.current_version, applicant=a)
    from cityhall.cases.testing import register_sample_service

    sample = open_case(service=register_sample_service().code, contact_email=a.email, applicant=a)
    from cityhall.ideas.models import Idea

    idea = Idea.objects.order_by("pk").first()
    facility = Facility.objects.get(pk=unit.facility_id)
    photo = facility.photos.first() if hasattr(facility, "photos") else None
    world.values = {
        "police_ref": report.case.reference,
        "police_item": str(report.items.first().pk),
        "permit_ref": application.case.reference,
        "step_id": str(step.pk),
        "condition_id": str(condition.pk),
        "invoice_number": invoice.number,
        "payment_id": str(payment.pk),
        "payment_uuid": str(payment.public_id),
        "pay_token": invoice_token(invoice),
        "sandbox_session": payment.checkout_reference,
        "booking_ref": booking.case.reference,
        "occurrence_id": str(booking.occurrences.first().pk),
        "form_ref": submission.case.reference,
        "form_public_id": str(submission.case.public_id),
        "form_code": "streetlight",
        "sample_ref": sample.reference,
        "track_token": tracking_token(report.case),
        "survey_token": survey_token(report.case),
        "resume_token": signing.dumps(report.case.public_id.hex, salt=RESUME_SALT),
        "facility_id": str(facility.pk),
        "unit_id": str(unit.pk),
        "photo_id": str(photo.pk) if photo else "999999",
        "idea_id": str(idea.pk),
        "permit_type": "small-construction",
        "insights_code": "police_report",
        "dataset_slug": "service-performance",
    }
    return world
