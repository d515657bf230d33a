"""Residents' and officers' journeys over real HTTP, for the multi-process test
(cityhall/tests/test_processes.py) and the load benchmark (bench/bench_load.py).

Each journey goes through the public API or pages exactly as a client would:
file a police report, approve it with an officer's token, book a paid
shelter with a resident's token, pay it on the sandbox's hosted checkout.
`Client` keeps cookies (CSRF), never follows redirects on its own, and can
record the time of every request under a label.
"""

from __future__ import annotations

import http.client
import json
import re
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from datetime import time as wall_time
from urllib.parse import urlsplit

CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Response:
    status: int
    body: bytes
    headers: dict[str, str]

    def json(self):
        return json.loads(self.body)

    @property
    def location(self) -> str:
        return self.headers.get("location", "")


@dataclass
class Client:
    base: str  # http://127.0.0.1:PORT
    token: str = ""
    address: str = ""  # sent as X-Forwarded-For (with CITYHALL_PROXY_COUNT=1)
    timings: list[tuple[str, float, int]] | None = None  # (label, seconds, status)
    cookies: dict[str, str] = field(default_factory=dict)
    timeout: float = 60

    def __post_init__(self):
        parts = urlsplit(self.base)
        self._host, self._port = parts.hostname, parts.port
        self._connection = None

    def _connect(self):
        if self._connection is None:
            self._connection = http.client.HTTPConnection(
                self._host, self._port, timeout=self.timeout
            )
        return self._connection

    def request(
        self, method, path, *, label="", json_body=None, form=None, auth=True, headers=None
    ):
        path = urlsplit(path)._replace(scheme="", netloc="").geturl() or "/"
        body = None
        headers = {"Host": f"{self._host}:{self._port}", **(headers or {})}
        if json_body is not None:
            body = json.dumps(json_body).encode()
            headers["Content-Type"] = "application/json"
        elif form is not None:
            from urllib.parse import urlencode

            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = self.base + path  # CSRF checks the referer on HTTPS only
        if self.token and auth:
            headers["Authorization"] = f"Bearer {self.token}"
        if self.address:
            headers["X-Forwarded-For"] = self.address
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        started = time.perf_counter()
        for attempt in (1, 2):
            try:
                connection = self._connect()
                connection.request(method, path, body=body, headers=headers)
                raw = connection.getresponse()
                data = raw.read()
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # A kept-alive connection the server closed between requests.
                self.close()
                if attempt == 2:
                    raise
        for name, value in raw.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key.strip()] = rest.split(";", 1)[0]
        response = Response(raw.status, data, {k.lower(): v for k, v in raw.getheaders()})
        if raw.getheader("connection", "").lower() == "close":
            self.close()
        if self.timings is not None and label:
            self.timings.append((label, time.perf_counter() - started, raw.status))
        return response

    def close(self):
        if self._connection is not None:
            self._connection.close()
            self._connection = None


# ---- the city the journeys need -------------------------------------------------


def prepare_city(*, units: int = 2) -> dict:
    """An officer and a resident with API tokens, and a park with `units` paid
    shelters (the reservations tests' own). Returns what clients need, as JSON."""
    from cityhall.accounts.models import User
    from cityhall.accounts.services import issue_api_token
    from cityhall.reservations.tests.conftest import make_facility, make_schedule, make_unit

    def person(email, role, name):
        from django.contrib.auth.models import Group

        user = User.objects.create_user(email=email, password=None, full_name=name)
        user.groups.add(Group.objects.get_or_create(name=role)[0])
        if role != "resident":
            User.objects.filter(pk=user.pk).update(is_staff=True)
        return issue_api_token(user=user, name="load").raw

    make_schedule()
    park = make_facility("Load Park")
    unit_ids = [
        make_unit(
            park,
            f"Shelter {n}",
            capacity=60,
            min_duration=timedelta(hours=2),
            max_duration=timedelta(hours=8),
            start_interval_minutes=60,
            fee_schedule="test-shelter",
            rate_rule="hours",
            deposit_rule="deposit",
        ).pk
        for n in range(units)
    ]
    return {
        "officer_token": person("officer@staff.example.org", "police_reviewer", "Olivia Officer"),
        "resident_token": person("resident@example.org", "resident", "Ana García"),
        "units": unit_ids,
    }


def slots(first_day: date, count: int, *, zone: str):
    """`count` two-hour times, four a day from `first_day` (8-10, 11-13, 14-16, 17-19)."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(zone)
    out = []
    day = first_day
    while len(out) < count:
        for hour in (8, 11, 14, 17):
            start = datetime.combine(day, wall_time(hour), tzinfo=tz)
            out.append((start.isoformat(), (start + timedelta(hours=2)).isoformat()))
            if len(out) == count:
                break
        day += timedelta(days=1)
    return out


# ---- journeys -----------------------------------------------------------------------


def report_body(n: int, *, now) -> dict:
    start = now - timedelta(days=2)
    return {
        "reporter": {
            "first_name": "Ana",
            "last_name": f"García {n}",
            "email": f"reporter{n}@example.org",
            "language": "en",
        },
        "incident": {
            "kind": "stolen",
            "occurred_from": start.isoformat(),
            "occurred_to": (start + timedelta(hours=2)).isoformat(),
            "address": "200 N Spring St",
            "narrative": f"Bicycle {n} taken from the rack.",
        },
        "items": [
            {
                "category": "04",
                "description": "Road bicycle",
                "serial_number": f"LOAD-{n}",
                "value_cents": 50000,
            }
        ],
        "declaration_accepted": True,
    }


def submit_report(client: Client, n: int, *, now, key: str = "") -> Response:
    """`key`: an Idempotency-Key, so that a retry after a lost answer files nothing twice."""
    return client.request(
        "POST",
        "/api/v1/police/reports",
        label="submit report",
        json_body=report_body(n, now=now),
        headers={"Idempotency-Key": key} if key else None,
    )


def approve_report(client: Client, reference: str) -> Response:
    return client.request(
        "POST", f"/api/v1/police/reports/{reference}/approve", label="approve report"
    )


def book(client: Client, unit: int, start: str, end: str) -> Response:
    return client.request(
        "POST",
        "/api/v1/bookings",
        label="book shelter",
        json_body={
            "unit": unit,
            "start": start,
            "end": end,
            "attendees": 20,
            "purpose": "Family reunion",
        },
    )


def pay(client: Client, pay_url: str) -> str:
    """From the invoice page to the sandbox's checkout and back; the state the
    return page shows ('paid' when all went well)."""
    page = client.request("GET", pay_url, label="invoice page", auth=False)
    assert page.status == 200, page.status
    token = CSRF_INPUT.search(page.body).group(1).decode()
    checkout_path = urlsplit(pay_url).path.rstrip("/") + "/checkout/"
    started = client.request(
        "POST",
        checkout_path,
        label="start checkout",
        form={"csrfmiddlewaretoken": token},
        auth=False,
    )
    assert started.status == 302 and "/pay/sandbox/" in started.location, started.status
    sandbox = client.request("GET", started.location, label="sandbox page", auth=False)
    token = CSRF_INPUT.search(sandbox.body).group(1).decode()
    paid = client.request(
        "POST",
        started.location,
        label="pay by card",
        auth=False,
        form={
            "csrfmiddlewaretoken": token,
            "card_number": "4242 4242 4242 4242",
            "expiry": "12/39",
            "cvc": "123",
            "name": "Ana García",
        },
    )
    assert paid.status == 302, paid.status
    back = client.request("GET", paid.location, label="return page", auth=False)
    state = re.search(rb'data-state="([a-z]+)"', back.body)
    return state.group(1).decode() if state else f"HTTP {back.status}"
