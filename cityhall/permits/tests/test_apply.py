"""Applying through the services: drafts, the pre-submission check, the fee,
submitting, paying, and every bad input the issue lists."""

import io
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from pypdf import PdfReader

from cityhall.payments.models import Invoice, InvoiceStatus, Payment
from cityhall.permits import services
from cityhall.permits.check import check_application
from cityhall.permits.errors import HasProblems, NotEditable, PermitError
from cityhall.permits.models import Permit, StepStatus

from .conftest import (
    complete_application,
    pdf_bytes,
    pdf_upload,
    png_upload,
    run_worker,
    submit_and_pay,
)

pytestmark = pytest.mark.django_db


def fields_of(result):
    return {p.field for p in result.problems}


def test_an_empty_draft_lists_everything_missing(types, applicant):
    application = services.start_application(
        user=applicant, permit_type=types["small-construction"]
    )
    result = check_application(application)
    assert not result.ok
    assert {
        "description",
        "answers.work_kind",
        "answers.valuation",
        "answers.stories",
        "address",
        "applicant_role",
        "documents.site-plan",
        "documents.drawings",
    } <= fields_of(result)
    assert "documents.photos" not in fields_of(result)  # optional
    assert result.fee_cents is None  # the valuation is not known yet
    assert all(p.message for p in result.problems)


def test_a_complete_application_passes_with_the_fee_explained(types, applicant):
    application = complete_application(applicant, types["small-construction"])
    result = check_application(application)
    assert result.ok, result.problems
    # $25,000 valuation: the UBC tier starting at $25,000 is $391.25; plan review $150.
    lines = {line.code: line for line in result.fee.lines}
    assert lines["valuation"].amount_cents == 39125
    assert "$25,000.00" in lines["valuation"].detail("en")
    assert lines["plan-review"].amount_cents == 15000
    assert result.fee_cents == 54125


def test_missing_required_documents_stop_submission_and_nothing_is_invoiced(types, applicant):
    application = complete_application(applicant, types["small-construction"])
    application.documents.filter(requirement__code="drawings").delete()
    with pytest.raises(HasProblems) as error:
        services.submit_application(application=application, actor=applicant)
    assert [p.field for p in error.value.problems] == ["documents.drawings"]
    application.case.refresh_from_db()
    assert application.case.status == "draft"
    assert not Invoice.objects.exists()


def test_a_document_of_the_wrong_type_or_too_big_is_refused(types, applicant):
    application = services.start_application(
        user=applicant, permit_type=types["small-construction"]
    )
    with pytest.raises(PermitError) as error:
        services.upload_document(
            application=application,
            requirement_code="site-plan",
            upload=png_upload(),
            actor=applicant,
        )
    assert "is not a PDF" in str(error.value)
    assert error.value.field == "documents.site-plan"
    requirement = application.permit_type.document_requirements.get(code="site-plan")
    requirement.max_megabytes = 1
    requirement.save()
    big = SimpleUploadedFile(
        "plan.pdf", pdf_bytes() + b"%" * 1_100_000, content_type="application/pdf"
    )
    with pytest.raises(PermitError) as error:
        services.upload_document(
            application=application, requirement_code="site-plan", upload=big, actor=applicant
        )
    assert "too big" in str(error.value)
    renamed = SimpleUploadedFile(
        "plan.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf"
    )
    with pytest.raises(PermitError):
        services.upload_document(
            application=application, requirement_code="site-plan", upload=renamed, actor=applicant
        )
    assert not application.documents.exists()


def test_new_uploads_are_versions(types, applicant):
    application = services.start_application(
        user=applicant, permit_type=types["small-construction"]
    )
    for _ in range(2):
        services.upload_document(
            application=application,
            requirement_code="site-plan",
            upload=pdf_upload(),
            actor=applicant,
        )
    assert list(application.documents.values_list("version", flat=True)) == [2, 1]


@pytest.mark.parametrize("valuation, message", [("0", "more than zero"), ("9,999,999", "the most")])
def test_a_valuation_of_zero_or_absurd_is_refused_and_nothing_is_saved(
    types, applicant, valuation, message
):
    application = services.start_application(
        user=applicant, permit_type=types["small-construction"]
    )
    with pytest.raises(ValidationError) as error:
        services.save_details(
            application=application, description="Deck", answers={"valuation": valuation}
        )
    assert message in " ".join(error.value.message_dict["valuation"])
    application.refresh_from_db()
    assert application.answers == {} and application.description == ""


def test_an_address_outside_the_city_is_refused(types, applicant):
    application = services.start_application(user=applicant, permit_type=types["residential-fence"])
    with pytest.raises(ValidationError) as error:
        services.save_address(application=application, street="1 Main St", zip_code="10001")
    assert "not inside" in " ".join(error.value.message_dict["zip_code"])
    application.refresh_from_db()
    assert not application.has_address


def test_an_address_the_city_later_leaves_out_is_caught_by_the_check(types, applicant, settings):
    application = complete_application(applicant, types["residential-fence"])
    settings.CITYHALL_CITY_ZIP_CODES = ["90732"]
    assert "address.zip_code" in fields_of(check_application(application))


def test_inconsistent_answers_are_listed(types, applicant):
    application = complete_application(applicant, types["block-party"])
    answers = dict(application.answers, start_hour=20, end_hour=14)
    application.answers = answers
    application.save()
    result = check_application(application)
    assert [p.field for p in result.problems] == ["answers.end_hour"]
    assert "must be after" in result.problems[0].message


def test_a_contractor_needs_a_licence_and_a_contractor_applicant_needs_one(types, applicant):
    application = complete_application(applicant, types["small-construction"], contractor=False)
    with pytest.raises(ValidationError) as error:
        services.save_contacts(
            application=application,
            applicant_role="contractor",
            owner=services.ContactInput(name="Ana García"),
            contractor=services.ContactInput(name="Bob", licence_number=""),
        )
    assert "contractor_licence_number" in error.value.message_dict
    services.save_contacts(
        application=application,
        applicant_role="contractor",
        owner=services.ContactInput(name="Ana García"),
        contractor=None,
    )
    assert "contractor" in fields_of(check_application(application))


def test_submitting_twice_is_refused_and_invoices_once(types, applicant):
    application = complete_application(applicant, types["small-construction"])
    services.submit_application(application=application, actor=applicant)
    assert application.case.status == "payment_due"
    with pytest.raises(PermitError) as error:
        services.submit_application(application=application, actor=applicant)
    assert "already submitted" in str(error.value)
    assert Invoice.objects.count() == 1
    assert application.invoice.total_cents == 54125


def test_paying_for_an_application_that_fails_the_check_is_impossible(types, applicant):
    application = complete_application(applicant, types["small-construction"])
    application.documents.all().delete()
    # Not submitted (the check failed): there is nothing to pay.
    with pytest.raises(PermitError):
        services.start_payment(application=application)
    assert not Payment.objects.exists()
    # Submitted, then the city adds a required question: the check runs again before paying.
    application = complete_application(applicant, types["residential-fence"])
    services.submit_application(application=application, actor=applicant)
    fence = types["residential-fence"]
    fence.questions = [
        *fence.questions,
        {"key": "gate", "type": "yesno", "label_en": "Gate?", "label_es": "¿Puerta?"},
    ]
    fence.save()
    application.permit_type.refresh_from_db()
    with pytest.raises(HasProblems) as error:
        services.start_payment(application=application)
    assert [p.field for p in error.value.problems] == ["answers.gate"]
    assert not Payment.objects.exists()


def test_editing_after_submission_is_refused(types, applicant):
    application = complete_application(applicant, types["small-construction"])
    services.submit_application(application=application, actor=applicant)
    with pytest.raises(NotEditable):
        services.save_details(application=application, description="Other", answers={})
    with pytest.raises(NotEditable):
        services.save_address(application=application, street="5 Harbor Blvd", zip_code="90731")
    with pytest.raises(NotEditable):
        services.upload_document(
            application=application,
            requirement_code="site-plan",
            upload=pdf_upload(),
            actor=applicant,
        )
    assert application.documents.count() == 2


def test_changing_before_paying_cancels_the_invoice(types, applicant):
    application = complete_application(applicant, types["small-construction"])
    services.submit_application(application=application, actor=applicant)
    invoice = application.invoice
    first_fee = application.fee_cents
    assert first_fee == invoice.total_cents
    services.reopen_application(application=application, actor=applicant)
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.VOID
    assert application.case.status == "draft"
    application.refresh_from_db()
    assert application.fee_cents is None  # no fee stands for a draft; quoted again on submit
    services.save_details(
        application=application,
        description="A bigger deck",
        answers={**application.answers, "valuation": "30000"},
    )
    services.submit_application(application=application, actor=applicant)
    assert application.invoice.total_cents > 54125
    application.refresh_from_db()
    assert application.fee_cents == application.invoice.total_cents > first_fee


@pytest.mark.django_db(transaction=True)
def test_an_instant_permit_is_issued_the_moment_it_is_paid(types, applicant):
    application = complete_application(applicant, types["residential-fence"])
    submit_and_pay(application, applicant)
    assert application.case.status == "issued"
    permit = Permit.objects.get(application=application)
    assert permit.valid_until == timezone.localdate() + timedelta(days=180)
    assert permit.number.startswith("PMT-")
    mail.outbox.clear()
    run_worker()
    [(content, mimetype)] = [
        (content, mimetype)
        for m in mail.outbox
        if m.to == ["ana@example.org"]
        for name, content, mimetype in m.attachments
        if name == f"permit-{permit.number}.pdf"
    ]
    assert mimetype == "application/pdf"
    text = " ".join(
        " ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(content)).pages
    )
    for expected in (
        permit.number,
        "200 N Harbor Blvd",
        "Residential fence",
        "Replace the back fence",
        "Wood",
    ):
        assert expected in text, expected
    run_worker()  # again: nothing more is issued or sent
    assert application.case.documents.filter(kind="permit").count() == 1


def test_a_reviewed_permit_goes_to_both_departments_at_once_when_paid(types, applicant):
    application = complete_application(applicant, types["small-construction"])
    submit_and_pay(application, applicant)
    case = application.case
    assert case.status == "in_review"
    steps = {s.department.code: s.status for s in application.review_steps.all()}
    assert steps == {"building": StepStatus.PENDING, "zoning": StepStatus.PENDING}
    assert case.expected_decision_at == case.submitted_at + timedelta(days=15)
    assert not Permit.objects.exists()


def test_a_full_disk_refuses_the_document_with_a_message_and_keeps_nothing(
    types, applicant, monkeypatch
):
    from django.core.files.storage import default_storage

    from cityhall.cases.models import Attachment
    from cityhall.cases.testing import simulate_full_disk

    application = services.start_application(
        user=applicant, permit_type=types["small-construction"]
    )
    written = simulate_full_disk(monkeypatch)
    with pytest.raises(PermitError) as error:
        services.upload_document(
            application=application,
            requirement_code="site-plan",
            upload=pdf_upload(),
            actor=applicant,
        )
    assert "no space left" in str(error.value)
    assert error.value.field == "documents.site-plan"
    assert written and not default_storage.exists(written[0])
    assert not application.documents.exists() and not Attachment.objects.exists()


def test_a_document_removed_by_the_virus_scan_must_be_sent_again(types, applicant):
    from cityhall.cases.models import ScanStatus

    application = services.start_application(
        user=applicant, permit_type=types["small-construction"]
    )
    services.upload_document(
        application=application, requirement_code="site-plan", upload=pdf_upload(), actor=applicant
    )
    assert "documents.site-plan" not in fields_of(check_application(application))
    attachment = application.documents.get().attachment
    attachment.scan_status = ScanStatus.INFECTED
    attachment.save(update_fields=["scan_status"])
    assert "documents.site-plan" in fields_of(check_application(application))
