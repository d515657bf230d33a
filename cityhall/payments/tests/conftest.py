"""Fixtures for the payments tests: fee schedules, submitted cases, invoices,
signed webhooks, the worker, and a local HTTP server that plays the Stripe API."""

from __future__ import annotations

import json
import re
import threading
import time
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

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


# ---- a local server that plays the Stripe API -----------------------------


class FakeStripe:
    """Enough of api.stripe.com for Checkout Sessions and refunds, on loopback."""

    def __init__(self):
        self.requests: list[dict] = []
        self.sessions: dict[str, dict] = {}
        self.refunds: dict[str, dict] = {}
        self.idempotent: dict[str, tuple[int, dict]] = {}
        self.fail_next: list[int] = []  # HTTP statuses to answer the next requests with
        self.lock = threading.Lock()
        self.count = 0
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Request-Id", f"req_{fake.count}")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _handle(self, method):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode() if length else ""
                split = urlsplit(self.path)
                form = dict(parse_qsl(raw or split.query, keep_blank_values=True))
                record = {
                    "method": method,
                    "path": split.path,
                    "form": form,
                    "headers": dict(self.headers),
                }
                with fake.lock:
                    fake.requests.append(record)
                    if fake.fail_next:
                        status = fake.fail_next.pop(0)
                        return self._send(
                            status, {"error": {"type": "api_error", "message": "boom"}}
                        )
                    key = self.headers.get("Idempotency-Key")
                    if method == "POST" and key and key in fake.idempotent:
                        return self._send(*fake.idempotent[key])
                    status, body = fake.route(method, split.path, form)
                    if method == "POST" and key:
                        fake.idempotent[key] = (status, body)
                return self._send(status, body)

            def do_GET(self):
                self._handle("GET")

            def do_POST(self):
                self._handle("POST")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self):
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def _next(self, prefix):
        self.count += 1
        return f"{prefix}_test_{self.count:04d}"

    def route(self, method, path, form):
        if method == "POST" and path == "/v1/checkout/sessions":
            session_id = self._next("cs")
            amount = 0
            index = 0
            while f"line_items[{index}][price_data][unit_amount]" in form:
                amount += int(form[f"line_items[{index}][price_data][unit_amount]"]) * int(
                    form.get(f"line_items[{index}][quantity]", "1")
                )
                index += 1
            metadata = {
                key[len("metadata[") : -1]: value
                for key, value in form.items()
                if key.startswith("metadata[")
            }
            session = {
                "id": session_id,
                "object": "checkout.session",
                "url": f"https://checkout.stripe.com/c/pay/{session_id}",
                "status": "open",
                "payment_status": "unpaid",
                "amount_total": amount,
                "currency": form.get("line_items[0][price_data][currency]"),
                "client_reference_id": form.get("client_reference_id"),
                "metadata": metadata,
                "payment_intent": None,
                "expires_at": int(form.get("expires_at", "0")),
                "success_url": form.get("success_url"),
            }
            self.sessions[session_id] = session
            return 200, session
        match = re.fullmatch(r"/v1/checkout/sessions/([\w]+)(/expire)?", path)
        if match:
            session = self.sessions.get(match.group(1))
            if session is None:
                return 404, {
                    "error": {"type": "invalid_request_error", "message": "No such session"}
                }
            if match.group(2) and method == "POST":
                if session["status"] == "open":
                    session["status"] = "expired"
                return 200, session
            return 200, self.expanded(session)
        if method == "POST" and path == "/v1/refunds":
            refund = {
                "id": self._next("re"),
                "object": "refund",
                "status": "succeeded",
                "amount": int(form["amount"]),
                "payment_intent": form.get("payment_intent"),
                "metadata": {
                    k[len("metadata[") : -1]: v
                    for k, v in form.items()
                    if k.startswith("metadata[")
                },
            }
            self.refunds[refund["id"]] = refund
            return 200, refund
        return 404, {"error": {"type": "invalid_request_error", "message": f"{method} {path}"}}

    def expanded(self, session):
        body = dict(session)
        intent = session.get("payment_intent")
        if intent:
            body["payment_intent"] = {
                "id": intent,
                "object": "payment_intent",
                "latest_charge": {
                    "id": intent.replace("pi_", "ch_"),
                    "object": "charge",
                    "balance_transaction": {
                        "id": intent.replace("pi_", "txn_"),
                        "object": "balance_transaction",
                        "available_on": session.get("available_on"),
                    },
                },
                "payment_method": {
                    "id": "pm_1",
                    "object": "payment_method",
                    "card": {"last4": "4242"},
                },
            }
        return body

    def complete(self, session_id, *, available_on=None):
        session = self.sessions[session_id]
        session.update(
            status="complete",
            payment_status="paid",
            payment_intent=self._next("pi"),
            available_on=available_on,
        )
        return session


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
