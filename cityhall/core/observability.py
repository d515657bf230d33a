"""Request ids, structured (JSON) logs and the per-request metrics.

Every request gets an id (the proxy's `X-Request-ID` when it is well formed,
otherwise a new one), returned in the response header and stamped on every log
line written while the request is served, so one complaint can be followed
through the web and database logs. Each request also writes one log line and
feeds the request metrics; both name the URL *pattern* (`track/<str:token>/`),
never the path, because paths carry bearer tokens (status links, verification
codes) that must not end up in logs or metric labels.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime

request_id: ContextVar[str] = ContextVar("request_id", default="-")
# The client's address (behind CITYHALL_PROXY_COUNT proxies, the one they saw), for the audit log.
client_ip: ContextVar[str] = ContextVar("client_ip", default="")

_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_WELL_FORMED = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_access_log = logging.getLogger("cityhall.request")


def route_of(request) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "unmatched"
    return match.route or match.view_name or "unmatched"


class RequestIdMiddleware:
    """Outermost middleware: the id exists before anything can log."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        rid = incoming if _WELL_FORMED.match(incoming) else uuid.uuid4().hex
        request.request_id = rid
        token = request_id.set(rid)
        from .ratelimit import client_address

        ip_token = client_ip.set(client_address(request))
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            seconds = time.perf_counter() - started
            route = route_of(request)
            response["X-Request-ID"] = rid
            from . import metrics

            # Any token is a valid method to the server: only known ones become labels.
            method = request.method if request.method in _METHODS else "OTHER"
            metrics.observe_request(method, route, response.status_code, seconds)
            _access_log.info(
                "%s %s %s",
                request.method,
                route,
                response.status_code,
                extra={
                    "method": request.method,
                    "route": route,
                    "status": response.status_code,
                    "duration_ms": round(seconds * 1000, 1),
                },
            )
            return response
        finally:
            request_id.reset(token)
            client_ip.reset(ip_token)


class RequestIdFilter(logging.Filter):
    """Stamps the request id, and keeps raw paths out of Django's error lines."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        request = getattr(record, "request", None)
        path = getattr(request, "path", None)
        if path and isinstance(record.args, tuple):
            record.args = tuple(route_of(request) if arg == path else arg for arg in record.args)
        return True


# The attributes every LogRecord has; anything else came from `extra=`.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "request_id",
    "request",  # Django's; its repr names the raw path
}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: what log shippers (Loki, CloudWatch, ELK) parse."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = (
                    value if isinstance(value, (str, int, float, bool, type(None))) else str(value)
                )
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)
