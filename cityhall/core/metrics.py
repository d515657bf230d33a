"""Prometheus metrics at /metrics, behind `CITYHALL_METRICS_TOKEN`.

Two kinds, kept apart on purpose:
- request counts and latencies are counted in each web process; with several
  processes (gunicorn) they are summed across them through
  prometheus_client's multiprocess mode, which `cityhall serve` switches on by
  setting `PROMETHEUS_MULTIPROC_DIR`;
- the state of the work (tasks waiting, emails by outcome, payments by
  outcome) is read from the database at scrape time, so every process answers
  the same and nothing is lost when a process restarts. Foundations add their
  own through `registry.add_metrics(...)`; core never imports them.
"""

from __future__ import annotations

import hmac
import os
import threading
from collections.abc import Iterable

from django.conf import settings
from django.http import Http404, HttpResponse
from django.views.decorators.http import require_GET

_requests = None
_latency = None
# The first requests of a threaded server arrive together: without the lock two
# threads both create the instruments and the second registration raises.
_instruments_lock = threading.Lock()

# Latency buckets for web requests, in seconds.
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)


def _instruments():
    global _requests, _latency
    if _latency is None:
        with _instruments_lock:
            if _latency is None:
                from prometheus_client import Counter, Histogram

                _requests = Counter(
                    "cityhall_http_requests",
                    "HTTP requests answered, by method, URL pattern and status.",
                    ["method", "route", "status"],
                )
                _latency = Histogram(
                    "cityhall_http_request_duration_seconds",
                    "Time to answer an HTTP request, by method and URL pattern.",
                    ["method", "route"],
                    buckets=BUCKETS,
                )
    return _requests, _latency


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    requests, latency = _instruments()
    requests.labels(method, route, str(status)).inc()
    latency.labels(method, route).observe(seconds)


class DatabaseCollector:
    """Gauges read from the database when Prometheus scrapes."""

    def collect(self) -> Iterable:
        from prometheus_client.core import GaugeMetricFamily

        from .registry import registry

        for source in registry.metric_sources:
            for name, help_text, labels, samples in source():
                family = GaugeMetricFamily(name, help_text, labels=list(labels))
                for label_values, value in samples:
                    family.add_metric(list(label_values), value)
                yield family


def _exposition() -> bytes:
    from prometheus_client import REGISTRY, CollectorRegistry, generate_latest

    _instruments()
    from_database = CollectorRegistry()
    from_database.register(DatabaseCollector())
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        processes = CollectorRegistry()
        multiprocess.MultiProcessCollector(processes)
    else:
        processes = REGISTRY  # one process: its own counters
    return generate_latest(processes) + generate_latest(from_database)


def _authorized(request) -> bool:
    expected = settings.CITYHALL_METRICS_TOKEN
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    return bool(given) and hmac.compare_digest(given.encode(), expected.encode())


@require_GET
def metrics_view(request):
    if not settings.CITYHALL_METRICS_TOKEN:
        raise Http404  # switched off: nothing to find here
    if not _authorized(request):
        response = HttpResponse("A valid metrics token is required.\n", status=401)
        response["WWW-Authenticate"] = "Bearer"
        return response
    from prometheus_client import CONTENT_TYPE_LATEST

    return HttpResponse(_exposition(), content_type=CONTENT_TYPE_LATEST)


def task_queue_metrics():
    """Tasks waiting for a worker, and the age of the oldest (the queue's lag)."""
    from django.db.models import Count, Min
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    ready = DBTaskResult.objects.ready()
    summary = ready.aggregate(count=Count("id"), oldest=Min("enqueued_at"))
    age = (timezone.now() - summary["oldest"]).total_seconds() if summary["oldest"] else 0.0
    by_status = DBTaskResult.objects.values_list("status").annotate(n=Count("id"))
    return [
        ("cityhall_tasks_queued", "Tasks waiting for a worker.", (), [((), summary["count"])]),
        (
            "cityhall_tasks_oldest_queued_seconds",
            "Age of the oldest task waiting for a worker.",
            (),
            [((), age)],
        ),
        (
            "cityhall_tasks",
            "Task results kept, by status.",
            ("status",),
            [((status,), n) for status, n in by_status],
        ),
    ]
