"""The hand-off of approved reports to the police records management system.

The report goes as JSON, POSTed to CITYHALL_RMS_URL with an HMAC-SHA256 of
`<timestamp>.<body>` in `X-CityHall-Signature` (the scheme Stripe and GitHub
use), so the RMS can check it came from us and is fresh. Failures are retried
by the worker with backoff; after the last attempt the export lands in the
export error queue for staff to retry.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request

from django.conf import settings

from .nibrs import PROPERTY_DESCRIPTIONS


def payload(report) -> dict:
    case = report.case
    return {
        "schema": "cityhall.police_report.v1",
        "report_number": report.report_number,
        "tracking_number": case.reference,
        "channel": case.channel,
        "kind": report.kind,
        "submitted_at": case.submitted_at.isoformat() if case.submitted_at else None,
        "approved_at": case.decided_at.isoformat() if case.decided_at else None,
        "approved_by": case.decided_by.email if case.decided_by else None,
        "incident": {
            "occurred_from": report.occurred_from.isoformat() if report.occurred_from else None,
            "occurred_to": report.occurred_to.isoformat() if report.occurred_to else None,
            "location": report.location,
            "latitude": float(report.latitude) if report.latitude is not None else None,
            "longitude": float(report.longitude) if report.longitude is not None else None,
            "narrative": report.narrative,
        },
        "reporter": {
            "first_name": report.first_name,
            "last_name": report.last_name,
            "email": report.email,
            "phone": report.phone,
            "address": report.address,
            "language": case.language,
        },
        "property": [
            {
                "nibrs_property_description": item.category,
                "nibrs_property_description_name": PROPERTY_DESCRIPTIONS.get(item.category, ""),
                "nibrs_type_property_loss": item.loss_type or None,
                "description": item.description,
                "brand": item.brand,
                "model": item.model,
                "serial_number": item.serial_number,
                "quantity": item.quantity,
                "value_cents": item.value_cents,
            }
            for item in report.items.all()
        ],
        "total_value_cents": report.total_value_cents,
    }


def sign(body: bytes, *, secret: str, timestamp: int) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


class RmsError(Exception):
    pass


def send(report) -> int:
    """POSTs the report; returns the HTTP status, raises RmsError on failure."""
    body = json.dumps(payload(report), sort_keys=True).encode()
    timestamp = int(time.time())
    try:
        # Inside the try: a malformed URL (ValueError) is a failed attempt the
        # supervisor sees in the error queue, not a task that dies silently.
        request = urllib.request.Request(  # noqa: S310 - the URL is the city's own configuration
            settings.CITYHALL_RMS_URL,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "X-CityHall-Signature": sign(
                    body, secret=settings.CITYHALL_RMS_SECRET, timestamp=timestamp
                ),
                "Idempotency-Key": report.report_number or report.case.reference,
                "User-Agent": "CityHall",
            },
        )
        with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as error:
        raise RmsError(f"HTTP {error.code}") from error
    except (urllib.error.URLError, OSError, TimeoutError, ValueError) as error:
        raise RmsError(f"{error.__class__.__name__}: {getattr(error, 'reason', error)}") from error
