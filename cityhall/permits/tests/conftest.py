"""Fixtures for the permit tests: the demo city's four types, applicants,
files to upload, and complete applications ready to submit."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from cityhall.permits import services
from cityhall.permits.demo import create_types
from cityhall.permits.models import PermitType


@pytest.fixture(autouse=True)
def _permit_settings(settings):
    settings.CITYHALL_PAYMENT_PROVIDER = "sandbox"
    settings.CITYHALL_CONVENIENCE_FEE_CENTS = 0
    settings.CITYHALL_CONVENIENCE_FEE_BPS = 0
    settings.CITYHALL_SANDBOX_WEBHOOK_SECRET = "sandbox-test-secret"
    settings.CITYHALL_CITY_ZIP_CODES = ["90731", "90732"]


@pytest.fixture
def types(db) -> dict[str, PermitType]:
    return create_types()


@pytest.fixture
def applicant(make_user):
    return make_user("ana@example.org", roles=["resident"], full_name="Ana García")


def pdf_bytes(pages: int = 1) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def png_bytes() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (20, 120, 40)).save(out, format="PNG")
    return out.getvalue()


def pdf_upload(name="plan.pdf"):
    return SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")


def png_upload(name="photo.png"):
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


ANSWERS = {
    "residential-fence": {
        "height_ft": "6",
        "length_ft": "120",
        "material": "wood",
        "front_yard": "no",
    },
    "small-construction": {
        "work_kind": "deck",
        "valuation": "25,000",
        "floor_area": "300",
        "stories": "1",
    },
    "block-party": {
        "start_hour": "12",
        "end_hour": "20",
        "blocks": "2",
        "attendance": "80",
        "barricades": "yes",
    },
    "food-truck": {
        "business_name": "Tacos Alder",
        "plate": "8ABC123",
        "health_permit": "HP-4471",
        "propane": "yes",
    },
}


def complete_application(user, permit_type: PermitType, *, role=None, contractor=True):
    """A draft with every page filled in: it passes the pre-submission check."""
    application = services.start_application(user=user, permit_type=permit_type, language="en")
    answers = dict(ANSWERS[permit_type.code])
    if permit_type.code == "block-party":
        answers["event_date"] = (timezone.localdate() + timedelta(days=30)).isoformat()
    services.save_details(
        application=application, description="Replace the back fence.", answers=answers
    )
    if permit_type.needs_address:
        services.save_address(application=application, street="200 N Harbor Blvd", zip_code="90731")
    role = role or permit_type.applicant_roles[0]
    services.save_contacts(
        application=application,
        applicant_role=role,
        owner=services.ContactInput(name="Ana García", phone="(213) 555-0147"),
        contractor=services.ContactInput(
            name="Bob Builder", company="Builders Inc", licence_number="C-123456"
        )
        if contractor and permit_type.contractor != "none"
        else None,
    )
    for requirement in permit_type.document_requirements.filter(required=True):
        services.upload_document(
            application=application,
            requirement_code=requirement.code,
            upload=pdf_upload(f"{requirement.code}.pdf"),
            actor=user,
        )
    application.refresh_from_db()
    return application


def run_worker():
    call_command(
        "db_worker", batch=True, reload=False, startup_delay=False, verbosity=0, queue_name="*"
    )


def pay_invoice(payment, card: str = "4242424242424242"):
    """Pays a started checkout in the sandbox and applies what the provider then
    reports (as the return page does, before any webhook arrives)."""
    from cityhall.payments.providers import sandbox
    from cityhall.payments.services_payments import refresh_payment

    sandbox.pay(session_id=payment.checkout_reference, card_number=card)
    return refresh_payment(payment)


def submit_and_pay(application, user):
    services.submit_application(application=application, actor=user)
    payment = services.start_payment(application=application, language="en")
    pay_invoice(payment)
    application.refresh_from_db()
    application.case.refresh_from_db()
    return application


@pytest.fixture
def reviewer(make_user):
    """A permit reviewer in no department: may review every step."""
    return make_user(
        "reviewer@staff.example.org", roles=["permit_reviewer"], full_name="Rita Reviewer"
    )


@pytest.fixture
def department_reviewer(make_user, types):
    """Reviewers who belong to one department each."""
    from cityhall.permits.models import Department

    def make(code):
        user = make_user(
            f"{code}@staff.example.org",
            roles=["permit_reviewer"],
            full_name=f"{code.title()} Reviewer",
        )
        Department.objects.get(code=code).members.add(user)
        return user

    return make


def paid_application(user, permit_type):
    return submit_and_pay(complete_application(user, permit_type), user)


def step_of(application, department):
    return application.review_steps.get(department__code=department)


def issued_construction(user, permit_type, reviewer):
    """A small construction permit, reviewed and issued, with slots to book."""
    from cityhall.permits import review
    from cityhall.permits.inspections import ensure_slots

    application = paid_application(user, permit_type)
    for department in ("building", "zoning"):
        review.approve_step(step=step_of(application, department), actor=reviewer)
    ensure_slots()
    application.refresh_from_db()
    return application.permit


def on_the_day(inspection):
    """Moves the inspection's slot to today, as if its day had come."""
    from cityhall.permits.models import InspectionSlot

    InspectionSlot.objects.filter(pk=inspection.slot_id).update(day=timezone.localdate())
    inspection.refresh_from_db()
    return inspection
