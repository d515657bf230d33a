"""A service with a fee: checked at publish, invoiced on submit, paid through the
sandbox checkout (the paid hook sends it to review), and a fee that cannot be
worked out is said plainly on the check page instead of being swallowed."""

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from cityhall.formbuilder import services_builder
from cityhall.formbuilder.definition import DefinitionError
from cityhall.formbuilder.models import Submission
from cityhall.formbuilder.testing import definition
from cityhall.payments import services_payments
from cityhall.payments.models import InvoiceStatus, Payment
from cityhall.payments.models_fees import FeeRule, FeeSchedule, RuleKind

pytestmark = pytest.mark.django_db

FEE = {"schedule": "test-lights", "items": [{"code": "per_light", "quantity_from": "count"}]}


@pytest.fixture(autouse=True)
def _sandbox(settings):
    settings.CITYHALL_PAYMENT_PROVIDER = "sandbox"
    settings.CITYHALL_CONVENIENCE_FEE_CENTS = 0
    settings.CITYHALL_CONVENIENCE_FEE_BPS = 0
    settings.CITYHALL_SANDBOX_WEBHOOK_SECRET = "sandbox-test-secret"


@pytest.fixture
def schedule():
    schedule = FeeSchedule.objects.create(
        code="test-lights", name_en="Lights", name_es="Luces", effective_from=date(2020, 1, 1)
    )
    FeeRule.objects.create(
        schedule=schedule,
        code="per_light",
        label_en="Inspection per light",
        label_es="Inspección por farol",
        kind=RuleKind.PER_UNIT,
        unit_en="lights",
        unit_es="faroles",
        resident_cents=1250,
        position=1,
    )
    return schedule


@pytest.fixture
def maker(make_user):
    return make_user("maker@staff.example.org", roles=["digital_team"])


def test_publishing_checks_the_fee_schedule_and_rules(maker, schedule):
    service = services_builder.create_service(
        raw=definition(fee={"schedule": "nothing", "items": [{"code": "x"}]}), actor=maker
    )
    with pytest.raises(DefinitionError) as error:
        services_builder.publish(service=service, actor=maker)
    assert error.value.problems == ["There is no fee schedule “nothing” in effect today."]
    bad_rule = {"schedule": "test-lights", "items": [{"code": "no_such_rule"}]}
    service = services_builder.save_draft(
        service=service, raw=definition(fee=bad_rule), actor=maker
    )
    problems = services_builder.check_draft(service)
    assert len(problems) == 1 and problems[0].startswith("The fee: ")
    not_a_number = {"schedule": "test-lights", "items": [{"code": "per_light", "quantity_from": "pole"}]}  # fmt: skip
    service = services_builder.save_draft(
        service=service, raw=definition(fee=not_a_number), actor=maker
    )
    assert services_builder.check_draft(service) == [
        "Fee item 1 uses “pole”, which is not a number or money question."
    ]
    service = services_builder.save_draft(service=service, raw=definition(fee=FEE), actor=maker)
    assert services_builder.check_draft(service) == []


def _answer_everything(resident: Client, prefix: str = "") -> str:
    location = resident.post(f"{prefix}/services/streetlight/")["Location"]
    base = location.rsplit("page/", 1)[0]
    resident.post(base + "page/where/", {"pole": "AB1234", "kind": "out"})
    resident.post(base + "page/more/", {"count": "3", "ok": "on"})
    resident.post(base + "contact/", {"name": "Ana", "email": "ana@example.org"})
    return base


def test_fee_is_invoiced_on_submit_paid_in_the_sandbox_then_reviewed(maker, schedule, staff_client):
    service = services_builder.create_service(raw=definition(fee=FEE), actor=maker)
    services_builder.publish(service=service, actor=maker)
    resident = Client()
    base = _answer_everything(resident, "/es")
    check = resident.get(base + "check/").content.decode()
    assert "$37.50" in check and "data-prevent-double-submit" in check  # the send button
    sent = resident.get(resident.post(base + "check/")["Location"]).content.decode()
    submission = Submission.objects.select_related("case", "invoice").get()
    assert submission.case.status == "payment_due" and submission.fee_cents == 3750
    assert submission.invoice.total_cents == 3750
    assert (
        "$37.50" in sent
        and reverse("formbuilder:pay", args=["streetlight", submission.case.public_id]) in sent
    )

    # Staff see nothing to decide before it is paid.
    staff, _user = staff_client("city_admin")
    reference = submission.case.reference
    staff.post(f"/staff/formbuilder/cases/{reference}/decide/", {"transition": "approve"})
    submission.case.refresh_from_db()
    assert submission.case.status == "payment_due"

    response = resident.post(base + "pay/")
    assert response.status_code == 302 and "/pay/sandbox/" in response["Location"]
    checkout = response["Location"].split("127.0.0.1:8000")[-1]
    resident.post(
        checkout,
        {"card_number": "4242 4242 4242 4242", "expiry": "12/39", "cvc": "123", "name": "Ana"},
    )
    services_payments.refresh_payment(Payment.objects.get(invoice=submission.invoice))
    submission.invoice.refresh_from_db()
    submission.case.refresh_from_db()
    assert submission.invoice.status == InvoiceStatus.PAID
    assert submission.case.status == "submitted"
    # Paying again is refused: nothing left to pay, back to the sent page.
    assert resident.post(base + "pay/")["Location"].endswith("/sent/")

    staff.post(f"/staff/formbuilder/cases/{reference}/decide/", {"transition": "approve"})
    submission.case.refresh_from_db()
    assert submission.case.status == "approved"


def test_an_automatic_service_with_a_fee_is_approved_when_paid(maker, schedule):
    from cityhall.formbuilder import services

    raw = definition(fee=FEE, review_mode="auto", document=False)
    service = services_builder.create_service(raw=raw, actor=maker)
    services_builder.publish(service=service, actor=maker)
    base = _answer_everything(Client())
    assert base
    submission = Submission.objects.select_related("invoice", "case").get()
    submission = services.submit(submission=submission)
    assert submission.case.status == "payment_due"
    submission.invoice.status = InvoiceStatus.PAID
    submission.invoice.save(update_fields=["status"])
    services.on_invoice_paid(submission.invoice)
    submission.case.refresh_from_db()
    assert submission.case.status == "approved"
    services.on_invoice_paid(submission.invoice)  # a second call changes nothing
    submission.case.refresh_from_db()
    assert submission.case.status == "approved"


def test_a_fee_that_cannot_be_worked_out_is_said_plainly(maker, schedule):
    service = services_builder.create_service(raw=definition(fee=FEE), actor=maker)
    services_builder.publish(service=service, actor=maker)
    resident = Client()
    base = _answer_everything(resident)
    FeeRule.objects.filter(code="per_light").delete()  # withdrawn after publishing
    check = resident.get(base + "check/")
    body = check.content.decode()
    assert check.status_code == 200
    assert "We cannot work out the fee for this request right now" in body
    assert "data-prevent-double-submit" not in body  # no send button
    response = resident.post(base + "check/")
    assert response.status_code == 200
    assert "We cannot work out the fee" in response.content.decode()
    assert Submission.objects.get().case.status == "draft"
