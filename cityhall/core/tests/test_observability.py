"""Request ids, JSON logs that never carry a status link's token, and /metrics."""

import io
import json
import logging
import os
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.urls import reverse

from cityhall.cases import services as cases
from cityhall.cases.selectors import tracking_token
from cityhall.cases.workflow import APPLICANT
from cityhall.core.observability import JsonFormatter, RequestIdFilter
from cityhall.notifications.models import Notification, Status
from cityhall.testing import database_url, free_port

ROOT = Path(__file__).resolve().parents[3]
TOKEN = "metrics-" + "t" * 40


@pytest.fixture
def captured_logs():
    """What the production handler (JSON, request id filter) would write."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    loggers = [logging.getLogger("cityhall.request"), logging.getLogger("django.request")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    yield stream
    for logger, level in zip(loggers, levels, strict=True):
        logger.removeHandler(handler)
        logger.setLevel(level)


def _lines(stream) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def test_every_response_has_a_request_id_and_a_well_formed_one_is_kept(client, db):
    first = client.get("/healthz")
    assert len(first["X-Request-ID"]) == 32
    assert client.get("/healthz")["X-Request-ID"] != first["X-Request-ID"]
    assert client.get("/healthz", HTTP_X_REQUEST_ID="lb-1234abcd")["X-Request-ID"] == "lb-1234abcd"
    forged = client.get("/healthz", HTTP_X_REQUEST_ID="<script>\nnew line")
    assert forged["X-Request-ID"] != "<script>\nnew line"
    assert len(forged["X-Request-ID"]) == 32


def test_the_request_line_is_json_with_the_pattern_not_the_token(
    sample_service, client, db, captured_logs
):
    case = cases.open_case(service="sample", contact_email="p@example.org")
    cases.transition_case(case=case, transition="submit", acting_as=APPLICANT)
    token = tracking_token(case)
    response = client.get(reverse("cases:track-status", args=[token]))
    assert response.status_code == 200
    missing = client.get(reverse("cases:track-status", args=[token + "forged"]))
    assert missing.status_code == 404
    output = captured_logs.getvalue()
    assert token not in output
    lines = _lines(captured_logs)
    line = next(x for x in lines if x["request_id"] == response["X-Request-ID"])
    assert line["logger"] == "cityhall.request"
    assert line["route"] == "track/<str:token>/"
    assert line["status"] == 200
    assert line["method"] == "GET"
    assert isinstance(line["duration_ms"], float)
    assert any(x["request_id"] == missing["X-Request-ID"] and x["status"] == 404 for x in lines)


def test_json_formatter_keeps_extras_and_exceptions_and_drops_the_request():
    logger = logging.getLogger("cityhall.test")
    record = logger.makeRecord(
        "cityhall.test",
        logging.ERROR,
        __file__,
        1,
        "boom %s",
        ("x",),
        None,
        extra={"case": "LP-2026-00001-K", "request": object()},
    )
    try:
        raise ValueError("broken")
    except ValueError:
        record.exc_info = sys.exc_info()
    entry = json.loads(JsonFormatter().format(record))
    assert entry["message"] == "boom x"
    assert entry["level"] == "ERROR"
    assert entry["case"] == "LP-2026-00001-K"
    assert "request" not in entry
    assert "ValueError: broken" in entry["exception"]
    assert entry["time"].endswith("+00:00")


def test_metrics_are_off_without_a_token_and_refuse_a_wrong_one(client, db, settings):
    settings.CITYHALL_METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 404
    settings.CITYHALL_METRICS_TOKEN = TOKEN
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
    assert client.post("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 405


def _sample(text: str, name: str, **labels) -> float | None:
    wanted = ",".join(f'{k}="{v}"' for k, v in labels.items())
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        key, _, value = line.rpartition(" ")
        if key == (f"{name}{{{wanted}}}" if labels else name):
            return float(value)
    return None


def test_metrics_count_requests_and_read_the_work_from_the_database(client, db, settings):
    from cityhall.notifications.services import notify

    settings.CITYHALL_METRICS_TOKEN = TOKEN
    auth = {"HTTP_AUTHORIZATION": f"Bearer {TOKEN}"}
    before = (
        _sample(
            client.get("/metrics", **auth).content.decode(),
            "cityhall_http_requests_total",
            method="GET",
            route="healthz",
            status="200",
        )
        or 0
    )
    for _ in range(3):
        client.get("/healthz")
    for i in range(2):
        notify(
            to=f"p{i}@example.org",
            kind="queue_overdue",
            context={
                "service_name": "S",
                "count": 1,
                "oldest_reference": "X",
                "oldest_submitted_at": None,
            },
        )
    Notification.objects.filter(to_email="p0@example.org").update(status=Status.DELIVERED)
    text = client.get("/metrics", **auth).content.decode()
    assert (
        _sample(text, "cityhall_http_requests_total", method="GET", route="healthz", status="200")
        == before + 3
    )
    assert (
        _sample(text, "cityhall_http_request_duration_seconds_count", method="GET", route="healthz")
        >= 3
    )
    assert _sample(text, "cityhall_emails", status="delivered") == 1
    assert _sample(text, "cityhall_emails", status="queued") == 1
    assert _sample(text, "cityhall_tasks_queued") == 2  # each email queued a delivery task
    assert _sample(text, "cityhall_payments", provider="sandbox", status="succeeded") == 0
    assert _sample(text, "cityhall_refunds", status="failed") == 0


@pytest.mark.django_db(transaction=True)
def test_cityhall_serve_sums_request_counts_across_its_processes(tmp_path):
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},
        "DATABASE_URL": database_url(),
        "DEBUG": "false",
        "SECRET_KEY": "test-" + "k" * 50,
        "CITYHALL_METRICS_TOKEN": TOKEN,
        "CITYHALL_VAR_DIR": str(tmp_path),
        "ALLOWED_HOSTS": "127.0.0.1",
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cityhall.cli",
            "serve",
            "--port",
            str(port),
            "--workers",
            "2",
            "--no-collectstatic",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/healthz", timeout=30)
                break
            except OSError:
                assert server.poll() is None, server.stderr.read().decode()
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
        # Eight at a time, so that while one process is busy the other accepts;
        # on a loaded machine the second may start late, so go on until both
        # have counted (each process keeps its own file).
        sent, folder = 1, tmp_path / "metrics"
        while len(list(folder.glob("counter_*.db"))) < 2 and time.monotonic() < deadline + 60:
            with ThreadPoolExecutor(8) as pool:
                list(
                    pool.map(
                        lambda _: urllib.request.urlopen(base + "/healthz", timeout=30).read(),
                        range(16),
                    )
                )
            sent += 16
        request = urllib.request.Request(
            base + "/metrics", headers={"Authorization": f"Bearer {TOKEN}"}
        )
        text = urllib.request.urlopen(request, timeout=30).read().decode()
    finally:
        server.terminate()
        server.wait(timeout=30)
    served = _sample(
        text, "cityhall_http_requests_total", method="GET", route="healthz", status="200"
    )
    assert len(list(folder.glob("counter_*.db"))) >= 2  # more than one process counted
    assert served == sent


def test_made_up_methods_share_one_label(client, db, settings):
    settings.CITYHALL_METRICS_TOKEN = TOKEN
    for method in ["AAAA", "AAAB", "BREW"]:
        client.generic(method, "/healthz")
    text = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").content.decode()
    assert "AAAA" not in text and "BREW" not in text
    assert (
        _sample(text, "cityhall_http_requests_total", method="OTHER", route="healthz", status="405")
        == 3
    )


def test_the_first_requests_of_a_threaded_server_create_the_instruments_once(monkeypatch):
    """Threads answering the first requests together once raised 'Duplicated timeseries'."""
    import threading

    from cityhall.core import metrics

    monkeypatch.setattr(metrics, "_requests", None)
    monkeypatch.setattr(metrics, "_latency", None)
    created = []

    def slow(kind):
        def make(name, *args, **kwargs):
            created.append(name)
            threading.Event().wait(0.05)  # widen the window a race needs
            return kind

        return make

    monkeypatch.setattr("prometheus_client.Counter", slow("counter"))
    monkeypatch.setattr("prometheus_client.Histogram", slow("histogram"))
    barrier = threading.Barrier(6)
    got = []

    def first_request():
        barrier.wait()
        got.append(metrics._instruments())

    threads = [threading.Thread(target=first_request) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(created) == 2  # one counter, one histogram
    assert got == [("counter", "histogram")] * 6
