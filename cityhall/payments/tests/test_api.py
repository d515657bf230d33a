"""/api/v1/payments/ and /api/v1/invoices/: the public estimate, who may see and pay
an invoice (everyone else: 404), refunds by finance clerks only, Idempotency-Key."""

from __future__ import annotations

import json
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cityhall.accounts.services import issue_api_token
from cityhall.core.models import IdempotencyRecord
from cityhall.payments import services_payments
from cityhall.payments.models import Invoice, Payment, Refund
from cityhall.payments.models_sandbox import SandboxRefund, SandboxSession
from cityhall.payments.selectors import invoice_token

from .conftest import start_and_pay

pytestmark = pytest.mark.django_db


@pytest.fixture
def bearer(make_user):
    def make(*roles, email=None):
        user = make_user(email or f"{'-'.join(roles) or 'nobody'}@api.example.org", roles=roles)
        return {"Authorization": f"Bearer {issue_api_token(user=user).raw}"}

    return make


def post_json(client, url, body, **headers):
    return client.post(url, data=json.dumps(body), content_type="application/json", headers=headers)


# ---- fee estimate ---------------------------------------------------------


def test_fee_estimate_is_public_and_writes_nothing(client, schedule):
    body = {
        "schedule": "permit-fees",
        "resident": False,
        "items": [
            {"code": "application"},
            {"code": "hours", "quantity": "2.5"},
            {"code": "valuation", "value": 12_000_000},
        ],
    }
    with CaptureQueriesContext(connection) as queries:
        response = post_json(client, "/api/v1/payments/fee-estimate", body)
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["schedule"] == "permit-fees" and data["resident"] is False
    assert data["currency"] == "USD" and data["effective_from"] == "2020-01-01"
    assert [line["amount_cents"] for line in data["lines"]] == [7500, 15000, 99375 + 20 * 560]
    assert data["total_cents"] == 7500 + 15000 + 99375 + 20 * 560
    assert data["lines"][1]["detail"] == "2.5 hours × $60.00"
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if not q["sql"].lstrip().upper().startswith("SELECT")
    ]
    assert writes == []


def test_fee_estimate_in_spanish(client, schedule):
    response = post_json(
        client,
        "/api/v1/payments/fee-estimate",
        {"schedule": "permit-fees", "items": [{"code": "hours", "quantity": 3}], "language": "es"},
    )
    [line] = response.json()["lines"]
    assert line["description"] == "Tiempo de inspección"
    assert line["detail"] == "3 horas × $40.00"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"schedule": "nope", "items": [{"code": "application"}]}, "schedule"),
        ({"schedule": "permit-fees", "items": [{"code": "nope"}]}, "items.0.code"),
        ({"schedule": "permit-fees", "items": [{"code": "valuation"}]}, "items.0.value"),
        (
            {"schedule": "permit-fees", "items": [{"code": "hours", "quantity": -1}]},
            "items.0.quantity",
        ),
        (
            {"schedule": "permit-fees", "items": [{"code": "valuation", "value": -5}]},
            "items.0.value",
        ),
        ({"schedule": "permit-fees", "items": []}, "items"),
        ({"schedule": "permit-fees", "date": "soon", "items": [{"code": "application"}]}, "date"),
        (
            {"schedule": "permit-fees", "date": "2019-01-01", "items": [{"code": "application"}]},
            "schedule",
        ),
    ],
)
def test_fee_estimate_bad_input_says_where(client, schedule, body, field):
    response = post_json(client, "/api/v1/payments/fee-estimate", body)
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert field in error["fields"], error


# ---- reading an invoice ---------------------------------------------------


def test_the_payer_reads_the_invoice_with_the_links_token(client, invoice):
    url = f"/api/v1/invoices/{invoice.number}?token={invoice_token(invoice)}"
    response = client.get(url)
    assert response.status_code == 200
    data = response.json()
    assert data["number"] == invoice.number and data["status"] == "open"
    assert data["total_cents"] == 13000 and data["currency"] == "USD"
    assert [line["code"] for line in data["lines"]] == ["application", "hours"]
    assert data["pay_url"].endswith("/") and "/pay/" in data["pay_url"]
    assert "contact_email" not in json.dumps(data)


@pytest.mark.parametrize("roles", [("finance_clerk",), ("city_admin",), ("permit_reviewer",)])
def test_finance_and_the_services_staff_read_any_invoice(client, invoice, bearer, roles):
    response = client.get(f"/api/v1/invoices/{invoice.number}", headers=bearer(*roles))
    assert response.status_code == 200 and response.json()["number"] == invoice.number


def test_everyone_else_gets_404_whether_or_not_it_exists(client, invoice, make_invoice, bearer):
    other = make_invoice()
    missing = "PAY-2026-99999-A"
    police = bearer("police_reviewer")
    resident = bearer("resident")
    cases = [
        (f"/api/v1/invoices/{invoice.number}", {}),
        (f"/api/v1/invoices/{invoice.number}?token=forged", {}),
        (f"/api/v1/invoices/{invoice.number}?token={invoice_token(other)}", {}),
        (f"/api/v1/invoices/{invoice.number}", police),
        (f"/api/v1/invoices/{invoice.number}", resident),
        (f"/api/v1/invoices/{invoice.number}", {"Authorization": "Bearer ch_nope_nope"}),
        (f"/api/v1/invoices/{missing}", bearer("finance_clerk", email="f2@api.example.org")),
        (f"/api/v1/invoices/{missing}?token={invoice_token(invoice)}", {}),
    ]
    for url, headers in cases:
        response = client.get(url, headers=headers)
        assert response.status_code == 404, (url, response.content)
        assert response.json() == {
            "error": {"code": "not_found", "message": "Not found.", "fields": {}}
        }


# ---- checkout ---------------------------------------------------------------


def test_checkout_by_the_payer_returns_the_hosted_url(client, invoice):
    url = f"/api/v1/invoices/{invoice.number}/checkout?token={invoice_token(invoice)}"
    response = client.post(url)
    assert response.status_code == 201, response.content
    data = response.json()
    payment = Payment.objects.get()
    assert data["payment_id"] == str(payment.public_id)
    assert data["checkout_url"] == payment.checkout_url and "/pay/sandbox/" in data["checkout_url"]
    assert data["amount_cents"] == 13000 and data["provider"] == "sandbox"


def test_checkout_with_an_idempotency_key_returns_the_same_checkout(client, invoice, bearer):
    headers = {**bearer("finance_clerk"), "Idempotency-Key": str(uuid.uuid4())}
    url = f"/api/v1/invoices/{invoice.number}/checkout"
    first = client.post(url, headers=headers)
    second = client.post(url, headers=headers)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json() == second.json()
    assert Payment.objects.count() == 1 and SandboxSession.objects.count() == 1
    assert IdempotencyRecord.objects.count() == 1
    reused = client.post(url, data="{}", content_type="application/json", headers=headers)
    assert reused.status_code == 422
    assert reused.json()["error"]["code"] == "idempotency_key_reused"


def test_checkout_for_someone_elses_invoice_is_404(client, invoice, make_invoice, bearer):
    other = make_invoice()
    response = client.post(
        f"/api/v1/invoices/{invoice.number}/checkout?token={invoice_token(other)}"
    )
    assert response.status_code == 404
    response = client.post(
        f"/api/v1/invoices/{invoice.number}/checkout", headers=bearer("police_reviewer")
    )
    assert response.status_code == 404
    assert not Payment.objects.exists()


def test_checkout_for_a_paid_invoice_is_refused(client, invoice):
    payment, _ = start_and_pay(client, invoice)
    services_payments.refresh_payment(payment)
    response = client.post(
        f"/api/v1/invoices/{invoice.number}/checkout?token={invoice_token(invoice)}"
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "not_payable"
    assert Payment.objects.count() == 1


# ---- refunds ---------------------------------------------------------------


@pytest.fixture
def paid(client, invoice):
    payment, _ = start_and_pay(client, invoice)
    services_payments.refresh_payment(payment)
    return Payment.objects.get(pk=payment.pk)


def test_a_finance_clerk_refunds_through_the_api(client, paid, bearer):
    headers = bearer("finance_clerk")
    url = f"/api/v1/payments/{paid.pk}/refund"
    response = post_json(client, url, {"amount_cents": 3000, "reason": "Withdrawn"}, **headers)
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["status"] == "succeeded" and data["amount_cents"] == 3000
    assert data["payment_refunded_cents"] == 3000 and data["invoice_status"] == "partially_refunded"
    too_much = post_json(client, url, {"amount_cents": 10001, "reason": "x"}, **headers)
    assert too_much.status_code == 422
    assert too_much.json()["error"]["code"] == "refund_too_large"
    assert "amount_cents" in too_much.json()["error"]["fields"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"amount_cents": -100, "reason": "x"}, "amount_cents"),
        ({"amount_cents": 0, "reason": "x"}, "amount_cents"),
        ({"amount_cents": 100, "reason": "  "}, "reason"),
        ({"amount_cents": 100}, "reason"),
        ({"amount_cents": 2**63, "reason": "x"}, "amount_cents"),  # past a database integer
        ({"amount_cents": 2**70, "reason": "x"}, "amount_cents"),
    ],
)
def test_bad_refunds_are_422_and_change_nothing(client, paid, bearer, body, field):
    response = post_json(
        client, f"/api/v1/payments/{paid.pk}/refund", body, **bearer("finance_clerk")
    )
    assert response.status_code == 422
    assert field in response.json()["error"]["fields"]
    assert not Refund.objects.exists()


@pytest.mark.parametrize("roles", [("city_admin",), ("permit_reviewer",), ("resident",)])
def test_only_finance_clerks_refund_through_the_api(client, paid, bearer, roles):
    response = post_json(
        client,
        f"/api/v1/payments/{paid.pk}/refund",
        {"amount_cents": 100, "reason": "x"},
        **bearer(*roles),
    )
    assert response.status_code == 403
    assert Payment.objects.get(pk=paid.pk).refunded_cents == 0
    assert not Refund.objects.exists() and not SandboxRefund.objects.exists()


def test_refund_without_a_token_is_401_and_unknown_payment_404(client, paid, bearer):
    response = post_json(
        client, f"/api/v1/payments/{paid.pk}/refund", {"amount_cents": 100, "reason": "x"}
    )
    assert response.status_code == 401
    response = post_json(
        client,
        "/api/v1/payments/999999/refund",
        {"amount_cents": 100, "reason": "x"},
        **bearer("finance_clerk"),
    )
    assert response.status_code == 404
    assert not Refund.objects.exists()


def test_refund_retried_with_an_idempotency_key_refunds_once(client, paid, bearer):
    headers = {**bearer("finance_clerk"), "Idempotency-Key": "refund-7f1d"}
    url = f"/api/v1/payments/{paid.pk}/refund"
    first = post_json(client, url, {"amount_cents": 3000, "reason": "Withdrawn"}, **headers)
    second = post_json(client, url, {"amount_cents": 3000, "reason": "Withdrawn"}, **headers)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json() == second.json()
    assert Refund.objects.count() == 1 and SandboxRefund.objects.count() == 1
    assert Payment.objects.get(pk=paid.pk).refunded_cents == 3000


# ---- reconciliation --------------------------------------------------------


def test_reconciliation_needs_a_finance_token(client, paid, bearer):
    url = "/api/v1/payments/reconciliation"
    assert client.get(url).status_code == 401
    assert client.get(url, headers=bearer("permit_reviewer")).status_code == 403
    assert client.get(url, headers=bearer("city_admin")).status_code == 200
    response = client.get(url, headers=bearer("finance_clerk"))
    assert response.status_code == 200
    assert response.json()["totals"][0]["net_cents"] == 13000
    bad = client.get(
        url + "?date=31/12/2026", headers=bearer("finance_clerk", email="f3@api.example.org")
    )
    assert bad.status_code == 422 and "date" in bad.json()["error"]["fields"]
    for day in ("9999-12-31", "0001-01-01"):  # the day after or before is past the calendar
        edge = client.get(
            url + f"?date={day}", headers=bearer("finance_clerk", email=f"{day}@api.example.org")
        )
        assert edge.status_code == 422 and "date" in edge.json()["error"]["fields"]


def test_the_openapi_schema_lists_the_payment_endpoints(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in [
        "/api/v1/payments/fee-estimate",
        "/api/v1/invoices/{reference}",
        "/api/v1/invoices/{reference}/checkout",
        "/api/v1/payments/{payment_id}/refund",
        "/api/v1/payments/reconciliation",
    ]:
        assert path in paths, path
    assert Invoice.objects.count() == 0


def test_checkout_speaks_the_cases_language_unless_asked(client, make_invoice, submit_case):
    invoice = make_invoice(case=submit_case(language="es"))
    token = invoice_token(invoice)
    spanish = client.post(f"/api/v1/invoices/{invoice.number}/checkout?token={token}")
    assert "/es/pay/sandbox/" in spanish.json()["checkout_url"]
    Payment.objects.all().delete()
    SandboxSession.objects.all().delete()
    english = client.post(f"/api/v1/invoices/{invoice.number}/checkout?token={token}&language=en")
    assert "/es/" not in english.json()["checkout_url"]
