"""Fixtures for the payments tests: fee schedules, submitted cases, invoices,
signed webhooks, the worker, and a local HTTP server that plays the Stripe API."""

from __future__ import annotations

import json
import time
from datetime import date
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse

from cityhall.cases.models import Case
from cityhall.cases.services import open_case, transition_case
from cityhall.cases.workflow import APPLICANT
from cityhall.payments.fees import FeeItem
from cityhall.payments.models import FeeRule, FeeSchedule, FeeTier, RuleKind
from cityhall.payments.providers import sandbox

from .fake_stripe import FakeStripe

SCHEDULE = "permit-fees"
# After the Uniform Building Code's Table 1-A, valuations in cents.
UBC_TIERS = [
    (0, 2350, 0, 1),
    (50_000, 2350, 305, 10_000),
    (200_000, 6925, 1400, 100_000),
    (2_500_000, 39125, 1010, 100_000),
    (5_000_000, 64375, 700, 100_000),
    (10_000_000, 99375, 560, 100_000),
    (50_000_000, 323375, 475, 100_000),
    (100_000_000, 560875, 315, 100_000),
]


@pytest.fixture(autouse=True)
def _payment_settings(settings):
    settings.CITYHALL_PAYMENT_PROVIDER = "sandbox"
    settings.CITYHALL_CONVENIENCE_FEE_CENTS = 0
    settings.CITYHALL_CONVENIENCE_FEE_BPS = 0
    settings.CITYHALL_SANDBOX_WEBHOOK_SECRET = "sandbox-test-secret"


@pytest.fixture
def fresh_cache(transactional_db):
    """Rate limits live in the database cache, which transactional tests do not roll back."""
    cache.clear()
    yield
    cache.clear()


def make_schedule(
    code=SCHEDULE, effective_from=date(2020, 1, 1), *, flat=5000, non_resident_flat=7500
):
    schedule = FeeSchedule.objects.create(
        code=code,
        name_en="Permit fees",
        name_es="Tarifas de permisos",
        effective_from=effective_from,
    )
    FeeRule.objects.create(
        schedule=schedule,
        code="application",
        label_en="Application fee",
        label_es="Tarifa de solicitud",
        kind=RuleKind.FLAT,
        resident_cents=flat,
        non_resident_cents=non_resident_flat,
        position=1,
    )
    FeeRule.objects.create(
        schedule=schedule,
        code="hours",
        label_en="Inspection time",
        label_es="Tiempo de inspección",
        kind=RuleKind.PER_UNIT,
        unit_en="hours",
        unit_es="horas",
        resident_cents=4000,
        non_resident_cents=6000,
        minimum_cents=8000,
        maximum_cents=40000,
        position=2,
    )
    valuation = FeeRule.objects.create(
        schedule=schedule,
        code="valuation",
        label_en="Building permit",
        label_es="Permiso de construcción",
        kind=RuleKind.TIERED,
        value_in_cents=True,
        position=3,
    )
    FeeTier.objects.bulk_create(
        FeeTier(rule=valuation, lower_bound=lb, base_cents=base, per_step_cents=per, step=step)
        for lb, base, per, step in UBC_TIERS
    )
    area = FeeRule.objects.create(
        schedule=schedule,
        code="area",
        label_en="Plan check",
        label_es="Revisión de planos",
        kind=RuleKind.TIERED,
        unit_en="sq ft",
        unit_es="pies²",
        maximum_cents=50000,
        position=4,
    )
    FeeTier.objects.create(
        rule=area,
        lower_bound=0,
        base_cents=10000,
        per_step_cents=2500,
        step=500,
        non_resident_base_cents=15000,
        non_resident_per_step_cents=4000,
    )
    FeeTier.objects.create(
        rule=area, lower_bound=2000, base_cents=20000, per_step_cents=1000, step=1000
    )
    return schedule


@pytest.fixture
def schedule(db):
    return make_schedule()


@pytest.fixture
def submit_case(db, sample_service):
    def make(*, email="payer@example.org", language="en", name="Ana García") -> Case:
        case = open_case(
            service="sample", contact_name=name, contact_email=email, language=language
        )
        transition_case(case=case, transition="submit", acting_as=APPLICANT)
        return case

    return make


@pytest.fixture
def make_invoice(schedule, submit_case):
    from cityhall.payments.services import create_invoice

    def make(*, items=None, case=None, notify_payer=False, **kwargs):
        return create_invoice(
            case=case or submit_case(),
            schedule=SCHEDULE,
            items=items or [FeeItem("application"), FeeItem("hours", quantity=2)],
            notify_payer=notify_payer,
            **kwargs,
        )

    return make


@pytest.fixture
def invoice(make_invoice):
    return make_invoice()  # $50.00 + 2 h x $40.00 = $130.00


@pytest.fixture
def clerk(make_user):
    return make_user("clerk@finance.example.org", roles=["finance_clerk"], full_name="Fran Clerk")


def run_worker():
    call_command(
        "db_worker", batch=True, reload=False, startup_delay=False, verbosity=0, queue_name="*"
    )


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def card_data(number="4242 4242 4242 4242", **changes) -> dict:
    data = {"card_number": number, "expiry": "12/39", "cvc": "123", "name": "Ana García"}
    data.update(changes)
    return data


def start_and_pay(client, invoice, *, card="4242 4242 4242 4242", language_prefix=""):
    """Pay as a resident does with the test client: Pay → sandbox page → card → back.
    Returns the payment and the response that sent the payer back."""
    from cityhall.payments.models import Payment
    from cityhall.payments.selectors import invoice_token

    token = invoice_token(invoice)
    response = client.post(language_prefix + reverse("payments:checkout", args=[token]))
    assert response.status_code == 302, response.content
    checkout = path_of(response["Location"])
    assert "/pay/sandbox/" in checkout
    assert client.get(checkout).status_code == 200
    back = client.post(checkout, card_data(card))
    payment = Payment.objects.filter(invoice=invoice).order_by("-id").first()
    return payment, back


def signed(
    body: dict | bytes, *, secret="sandbox-test-secret", timestamp=None
) -> tuple[bytes, dict]:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    stamp = int(time.time()) if timestamp is None else timestamp
    return raw, {"HTTP_SANDBOX_SIGNATURE": sandbox.sign(raw, secret=secret, timestamp=stamp)}


def post_webhook(client, body, provider="sandbox", **sign_kwargs):
    raw, headers = signed(body, **sign_kwargs)
    return client.post(
        f"/payments/webhooks/{provider}/", data=raw, content_type="application/json", **headers
    )


def sandbox_events(payment) -> list[dict]:
    from cityhall.payments.models_sandbox import SandboxEvent

    return [
        e.payload
        for e in SandboxEvent.objects.filter(session_id=payment.checkout_reference).order_by(
            "created_at"
        )
    ]


@pytest.fixture
def fake_stripe(settings):
    server = FakeStripe()
    server.start()
    settings.CITYHALL_PAYMENT_PROVIDER = "stripe"
    settings.CITYHALL_STRIPE_SECRET_KEY = "sk_test_cityhall"
    settings.CITYHALL_STRIPE_WEBHOOK_SECRET = "whsec_cityhall_test"
    settings.CITYHALL_STRIPE_API_BASE = server.url
    yield server
    server.stop()
