"""A local HTTP server that plays enough of api.stripe.com for the Stripe provider's tests."""

from __future__ import annotations

import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit


class FakeStripe:
    """Enough of api.stripe.com for Checkout Sessions and refunds, on loopback."""

    def __init__(self):
        self.requests: list[dict] = []
        self.sessions: dict[str, dict] = {}
        self.refunds: dict[str, dict] = {}
        self.idempotent: dict[str, tuple[int, dict]] = {}
        self.fail_next: list[int] = []  # HTTP statuses to answer the next requests with
        self.hang_seconds = 0.0  # answer every request this late (a provider timing out)
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
                if fake.hang_seconds:
                    time.sleep(fake.hang_seconds)
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
