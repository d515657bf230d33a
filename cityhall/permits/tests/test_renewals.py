"""Expiry and renewal: a reminder before the end, renewing with the renewal
fee (a new PDF supersedes the old), and permits past their date expiring."""

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from cityhall.core.registry import registry
from cityhall.documents.models import Document
from cityhall.notifications.models import Notification
from cityhall.payments.models import InvoiceStatus
from cityhall.payments.services import start_checkout
from cityhall.permits import renewals, review
from cityhall.permits.errors import PermitError
from cityhall.permits.models import Permit, PermitStatus

from .conftest import issued_construction, paid_application, pay_invoice, run_worker, step_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def licence(types, applicant, reviewer) -> Permit:
    application = paid_application(applicant, types["food-truck"])
    for department in ("health", "fire"):
        review.approve_step(step=step_of(application, department), actor=reviewer)
    application.refresh_from_db()
    return application.permit


def ends_in(permit, days):
    Permit.objects.filter(pk=permit.pk).update(
        valid_until=timezone.localdate() + timedelta(days=days)
    )
    permit.refresh_from_db()
    return permit


def test_one_reminder_per_period_before_expiry(licence):
    today = timezone.localdate()
    assert licence.valid_until == today + timedelta(days=365)
    assert renewals.send_expiry_reminders() == 0  # a year ahead: not yet
    ends_in(licence, 30)
    assert renewals.send_expiry_reminders() == 1
    assert renewals.send_expiry_reminders() == 0  # safe to run twice
    [email] = Notification.objects.filter(kind="permit_expiry_reminder")
    assert licence.number in email.subject and "renew it online" in email.body_text


def test_renewing_needs_the_window_then_extends_by_the_validity(licence, applicant):
    with pytest.raises(PermitError) as error:
        renewals.request_renewal(permit=licence, actor=applicant)
    assert "You can renew from" in str(error.value)
    licence = ends_in(licence, 20)
    old_end = licence.valid_until
    renewal = renewals.request_renewal(permit=licence, actor=applicant)
    assert renewals.request_renewal(permit=licence, actor=applicant).pk == renewal.pk  # one open
    assert renewal.invoice.total_cents == 30000
    assert [line.label_en for line in renewal.invoice.lines.all()] == ["Yearly renewal"]
    pay_invoice(start_checkout(invoice=renewal.invoice))
    licence.refresh_from_db()
    renewal.refresh_from_db()
    assert licence.valid_until == old_end + timedelta(days=365)
    assert renewal.renewed_at and renewal.new_valid_until == licence.valid_until
    assert licence.application.case.status == "issued"


@pytest.mark.django_db(transaction=True)
def test_the_renewed_permit_pdf_supersedes_the_old_one(types, applicant, reviewer):
    application = paid_application(applicant, types["food-truck"])
    for department in ("health", "fire"):
        review.approve_step(step=step_of(application, department), actor=reviewer)
    run_worker()
    permit = ends_in(Permit.objects.get(application=application), 10)
    renewal = renewals.request_renewal(permit=permit, actor=applicant)
    pay_invoice(start_checkout(invoice=renewal.invoice))
    run_worker()
    documents = list(
        Document.objects.filter(case=application.case, kind="permit").order_by("issued_at")
    )
    assert len(documents) == 2
    assert documents[1].supersedes == documents[0]
    permit.refresh_from_db()
    text = " ".join(
        p.extract_text() for p in PdfReader(io.BytesIO(documents[1].file.open("rb").read())).pages
    )
    assert permit.valid_until.strftime("%Y") in text
    assert Notification.objects.filter(kind="permit_renewed").exists()


def test_permits_past_their_date_expire_and_open_renewals_are_cancelled(licence, applicant):
    licence = ends_in(licence, 5)
    renewal = renewals.request_renewal(permit=licence, actor=applicant)
    assert renewals.expire_permits() == 0  # still valid
    assert renewals.expire_permits(today=licence.valid_until + timedelta(days=1)) == 1
    licence.refresh_from_db()
    renewal.invoice.refresh_from_db()
    assert licence.status == PermitStatus.EXPIRED
    assert licence.application.case.status == "expired"
    assert renewal.invoice.status == InvoiceStatus.VOID
    assert Notification.objects.filter(kind="permit_expired").exists()
    assert renewals.expire_permits(today=licence.valid_until + timedelta(days=2)) == 0
    with pytest.raises(PermitError):
        renewals.request_renewal(permit=licence, actor=applicant)


def test_a_permit_that_cannot_be_renewed_says_so(types, applicant, reviewer):
    permit = issued_construction(applicant, types["small-construction"], reviewer)
    state = renewals.renewal_state(permit)
    assert not state.allowed and "cannot be renewed" in state.why_not


def test_the_worker_runs_expiry_every_day():
    job = registry.periodic["permits.expiry"]
    assert job.every == timedelta(days=1)
    assert "permits.slots" in registry.periodic


def test_renew_from_the_status_page(client, licence, applicant):
    client.force_login(applicant)
    url = reverse("permits:application", args=[licence.application.case.reference])
    page = client.get(url).content.decode()
    assert 'data-testid="renew"' not in page and "You can renew from" in page
    ends_in(licence, 20)
    assert 'data-testid="renew"' in client.get(url).content.decode()
    response = client.post(reverse("permits:renew", args=[licence.application.case.reference]))
    assert response.status_code == 302 and "/pay/sandbox/" in response["Location"]
