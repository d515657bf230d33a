"""Issuing: the permit PDF through the documents foundation (number, address,
work, conditions, validity, verification code and QR), emailed and downloadable."""

import io

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import formats
from pypdf import PdfReader

from cityhall.documents.models import Document
from cityhall.permits import review

from .conftest import complete_application, paid_application, run_worker, step_of, submit_and_pay

pytestmark = pytest.mark.django_db(transaction=True)


def pdf_text(data: bytes) -> str:
    return " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(data)).pages)


def test_the_reviewed_permit_pdf_carries_conditions_validity_and_verification(
    client, types, applicant, reviewer
):
    application = paid_application(applicant, types["small-construction"])
    review.add_condition(
        application=application, actor=reviewer, text="Keep erosion fencing up", before_issue=False
    )
    for department in ("building", "zoning"):
        review.approve_step(step=step_of(application, department), actor=reviewer)
    client.force_login(applicant)
    pdf_url = reverse("permits:permit-pdf", args=[application.case.reference])
    assert client.get(pdf_url).status_code == 404  # not made yet: the worker makes it
    mail.outbox.clear()
    run_worker()
    permit = application.permit
    document = Document.objects.get(case=application.case, kind="permit")
    response = client.get(pdf_url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(b"".join(response.streaming_content))
    valid_until = formats.date_format(permit.valid_until, "DATE_FORMAT")
    for expected in (
        permit.number,
        "200 N Harbor Blvd, Port Alder, CA 90731",
        "Small construction job",
        "Replace the back fence.",  # the work as described
        "$25,000.00",
        "1. Keep erosion fencing up",
        valid_until,
        "Bob Builder, licence C-123456",
        "Rita Reviewer",
        document.verification_code,
        "Foundation, Framing, Final",
    ):
        assert expected in text, expected
    assert "ana@example.org" not in text  # no email or phone on a document anyone may verify
    # The emailed copy is the same file, and the verification page finds it.
    [attached] = [
        c for m in mail.outbox for n, c, _t in m.attachments if n == f"permit-{permit.number}.pdf"
    ]
    assert attached == document.file.open("rb").read()
    verify = client.get(reverse("documents:verify-code", args=[document.verification_code]))
    assert verify.status_code == 200 and permit.number in verify.content.decode()


def test_the_permit_is_issued_in_the_applicants_language(client, types, applicant):
    application = complete_application(applicant, types["residential-fence"])
    application.case.language = "es"
    application.case.save()
    submit_and_pay(application, applicant)
    run_worker()
    document = Document.objects.get(case=application.case, kind="permit")
    text = pdf_text(document.file.open("rb").read())
    assert "Cerca residencial" in text and application.permit.number in text
    assert "Madera" in text  # the material, in Spanish
