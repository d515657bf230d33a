"""What reaches the audit log from the real pages (sign-ins, second factor,
sign-outs, refused tokens, staff reads, decisions), and that no password,
authenticator code, API token, session key or webhook secret reaches any log,
audit entry, email or notification."""

from __future__ import annotations

import io
import logging

import pytest
from django.core import mail
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from cityhall.accounts.services import issue_api_token
from cityhall.cases.services import open_case, transition_case
from cityhall.cases.workflow import APPLICANT
from cityhall.core.models import AuditAction, AuditEntry
from cityhall.core.observability import JsonFormatter, RequestIdFilter
from cityhall.notifications.models import Notification
from cityhall.payments.tests.conftest import (  # noqa: F401  (fixtures)
    _payment_settings,
    invoice,
    make_invoice,
    post_webhook,
    sandbox_events,
    schedule,
    start_and_pay,
    submit_case,
)
from cityhall.testing import current_totp

PASSWORD = "correct horse battery staple 42"
WRONG_PASSWORD = "wrong horse battery staple 17"


def actions() -> list[str]:
    return list(AuditEntry.objects.values_list("action", flat=True))


@pytest.fixture
def json_logs():
    """Everything logged, as the production JSON formatter writes it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield stream
    root.removeHandler(handler)
    root.setLevel(level)


@pytest.fixture
def officer(make_user):
    user = make_user("officer@staff.example.org", roles=["police_reviewer"], password=PASSWORD)
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    return user


def _sign_in(client, email, password):
    return client.post(reverse("accounts:login"), {"username": email, "password": password})


def test_sign_in_steps_and_sign_out_are_recorded(client, officer):
    _sign_in(client, officer.email, WRONG_PASSWORD)
    assert actions() == [AuditAction.SIGN_IN_FAILED]
    failed = AuditEntry.objects.get()
    assert failed.actor_email == officer.email and failed.actor_id is None
    assert failed.ip == "127.0.0.1" and failed.request_id

    _sign_in(client, officer.email, PASSWORD)
    client.post(reverse("accounts:two-factor"), {"code": "000000"})
    device = officer.totpdevice_set.get()
    device.throttle_reset()  # django-otp makes the next try wait after a failure
    client.post(reverse("accounts:two-factor"), {"code": current_totp(device)})
    client.post(reverse("accounts:logout"))
    assert actions() == [
        AuditAction.SIGN_IN_FAILED,
        AuditAction.SIGNED_IN,
        AuditAction.SECOND_FACTOR_FAILED,
        AuditAction.SECOND_FACTOR_PASSED,
        AuditAction.SIGNED_OUT,
    ]
    signed_in = AuditEntry.objects.get(action=AuditAction.SIGNED_IN)
    assert signed_in.actor_id == officer.pk and signed_in.actor_roles == "police_reviewer"


def test_a_lockout_is_recorded(client, make_user):
    make_user("target@example.org", password=PASSWORD)
    for _ in range(5):
        _sign_in(client, "target@example.org", WRONG_PASSWORD)
    assert AuditAction.LOCKED_OUT in actions()
    assert actions().count(AuditAction.SIGN_IN_FAILED) >= 4


def test_staff_reads_and_decisions_are_recorded_and_residents_acts_are_not(
    staff_client, sample_service, resident
):
    case = open_case(service=sample_service.code, contact_email="a@example.org", applicant=resident)
    transition_case(case=case, transition="submit", acting_as=APPLICANT)
    assert AuditAction.CASE_DECIDED not in actions()

    client, reviewer = staff_client("permit_reviewer")
    assert client.get(reverse("cases:staff-case", args=[case.reference])).status_code == 200
    viewed = AuditEntry.objects.get(action=AuditAction.PERSONAL_DATA_VIEWED)
    assert (viewed.actor_id, viewed.object_id) == (reviewer.pk, case.reference)

    transition_case(case=case, transition="approve", actor=reviewer)
    decided = AuditEntry.objects.get(action=AuditAction.CASE_DECIDED)
    assert decided.object_id == case.reference
    assert decided.payload["to"] == case.status


def test_no_secrets_in_any_log(client, officer, invoice, json_logs, settings):  # noqa: F811
    # Password step: wrong, then right; authenticator step: wrong, then right.
    _sign_in(client, officer.email, WRONG_PASSWORD)
    _sign_in(client, officer.email, PASSWORD)
    session_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    wrong_code = "000000"
    client.post(reverse("accounts:two-factor"), {"code": wrong_code})
    device = officer.totpdevice_set.get()
    device.throttle_reset()  # django-otp makes the next try wait after a failure
    code = current_totp(device)
    client.post(reverse("accounts:two-factor"), {"code": code})
    verified_session_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    client.post(reverse("accounts:logout"))

    # An API token, used right and wrong.
    issued = issue_api_token(user=officer, name="robot")
    forged = issued.raw[:-4] + "abcd"
    ok = client.get("/api/v1/me", headers={"Authorization": f"Bearer {issued.raw}"})
    assert ok.status_code == 200
    refused = client.get("/api/v1/me", headers={"Authorization": f"Bearer {forged}"})
    assert refused.status_code == 401

    # A payment through the sandbox and its signed webhook.
    payment, _back = start_and_pay(client, invoice)
    [event] = sandbox_events(payment)
    assert post_webhook(client, event).status_code == 200

    assert {
        AuditAction.SIGN_IN_FAILED,
        AuditAction.SIGNED_IN,
        AuditAction.SECOND_FACTOR_FAILED,
        AuditAction.SECOND_FACTOR_PASSED,
        AuditAction.SIGNED_OUT,
        AuditAction.API_TOKEN_REFUSED,
    } <= set(actions())
    logs = json_logs.getvalue()
    assert logs.strip(), "nothing was logged: the capture does not work"
    audit_rows = "\n".join(str(row) for row in AuditEntry.objects.values())
    emails = "\n".join(
        f"{m.subject}\n{m.body}\n" + "".join(str(a[0]) for a in getattr(m, "alternatives", []))
        for m in mail.outbox
    )
    notes = "\n".join(
        f"{n.subject}\n{n.body_text}\n{n.body_html}\n{n.last_error}"
        for n in Notification.objects.all()
    )
    secrets = {
        "password": PASSWORD,
        "wrong password": WRONG_PASSWORD,
        "authenticator code": code,
        "wrong authenticator code": wrong_code,
        "API token": issued.raw,
        "forged API token": forged,
        "API token secret part": issued.raw.rsplit("_", 1)[1],
        "session key": session_key,
        "verified session key": verified_session_key,
        "webhook secret": settings.CITYHALL_SANDBOX_WEBHOOK_SECRET,
    }
    for where, text in {
        "logs": logs,
        "audit": audit_rows,
        "emails": emails,
        "notifications": notes,
    }.items():
        for name, secret in secrets.items():
            assert secret not in text, f"the {name} is in the {where}"


def test_refused_requests_by_signed_in_people_are_recorded(client, resident, staff_client):
    client.force_login(resident)
    assert client.get("/staff/police/").status_code == 403
    refused = AuditEntry.objects.get(action=AuditAction.ACCESS_DENIED)
    assert (refused.actor_id, refused.object_id) == (resident.pk, "staff/police/")

    clerk_client, clerk = staff_client("finance_clerk")
    assert clerk_client.get("/staff/police/").status_code == 403
    assert AuditEntry.objects.filter(action=AuditAction.ACCESS_DENIED, actor_id=clerk.pk).exists()


def test_money_decisions_and_rights_changes_are_recorded(invoice, make_user):  # noqa: F811
    from cityhall.accounts.services import assign_role, reset_second_factor
    from cityhall.payments import services as payments
    from cityhall.payments.errors import PaymentError

    admin = make_user("admin@staff.example.org", roles=["city_admin"])
    clerk = make_user("clerk@staff.example.org")
    assign_role(user=clerk, role="finance_clerk", actor=admin)
    granted = AuditEntry.objects.get(action=AuditAction.ROLE_GRANTED)
    assert (granted.actor_id, granted.object_id) == (admin.pk, str(clerk.pk))
    assert granted.payload["role"] == "finance_clerk"

    with pytest.raises(PaymentError):  # refused: more than the invoice
        payments.waive_invoice(invoice=invoice, actor=clerk, reason="x", amount_cents=10**9)
    assert not AuditEntry.objects.filter(action=AuditAction.INVOICE_WAIVED).exists()
    payments.waive_invoice(invoice=invoice, actor=clerk, reason="Hardship", amount_cents=100)
    waived = AuditEntry.objects.get(action=AuditAction.INVOICE_WAIVED)
    assert (waived.object_id, waived.payload["amount_cents"]) == (invoice.number, 100)
    payments.void_invoice(invoice=invoice, actor=clerk, reason="Filed twice")
    assert AuditEntry.objects.filter(action=AuditAction.INVOICE_VOIDED).exists()

    reset_second_factor(user=clerk, actor=admin)
    assert AuditEntry.objects.filter(action=AuditAction.SECOND_FACTOR_RESET).exists()
    from cityhall.core import audit

    assert audit.verify().ok
