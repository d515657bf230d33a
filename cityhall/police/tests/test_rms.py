"""The hand-off of approved reports to the records management system (RMS):
a real HTTP receiver on loopback, the real worker, retries with backoff, the
supervisor's error queue and "Send again"."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from cityhall.cases.models import EventKind
from cityhall.police import decisions, services
from cityhall.police.models import PoliceReport, RmsExport

pytestmark = pytest.mark.django_db(transaction=True)

SECRET = "rms-shared-secret-for-tests"


class Receiver:
    """An RMS stand-in: answers 503 to the first `fail_first` POSTs (or to all
    while `down`), then 201; records every request."""

    def __init__(self, *, fail_first: int = 0, down: bool = False):
        self.fail_first = fail_first
        self.down = down
        self.requests: list[dict] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver.lock:
                    failing = receiver.down or len(receiver.requests) < receiver.fail_first
                    status = 503 if failing else 201
                    receiver.requests.append(
                        {
                            "status": status,
                            "body": body,
                            "path": self.path,
                            # HTTP header names are case-insensitive (urllib sends "X-cityhall-signature").
                            "headers": {k.lower(): v for k, v in self.headers.items()},
                        }
                    )
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                answer = b'{"error": "maintenance"}' if failing else b'{"id": "RMS-1"}'
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/intake/reports"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def accepted(self) -> list[dict]:
        with self.lock:
            return [r for r in self.requests if r["status"] == 201]


@pytest.fixture(autouse=True)
def _rms(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CITYHALL_RMS_SECRET = SECRET
    settings.CITYHALL_RMS_RETRY_SECONDS = 0
    settings.CITYHALL_RMS_MAX_ATTEMPTS = 6


@pytest.fixture
def officer(make_user):
    return make_user(
        "whitfield@staff.example.org", roles=["police_reviewer"], full_name="Dana Whitfield"
    )


def file_report(**reporter) -> PoliceReport:
    start = timezone.now() - timedelta(days=1)
    return services.file_report(
        reporter=services.Reporter(
            **{
                "first_name": "Ana",
                "last_name": "García",
                "email": "ana@example.org",
                "phone": "(213) 555-0147",
                "language": "es",
                **reporter,
            }
        ),
        incident=services.Incident(
            kind="stolen",
            occurred_from=start,
            occurred_to=start + timedelta(hours=2),
            location="200 N Spring St",
            narrative="Taken from the rack.",
        ),
        items=[
            services.ItemInput(
                category="04",
                description="Road bicycle",
                brand="Trek",
                model="Domane AL 2",
                serial_number="WTU 123 G4567",
                quantity=1,
                value_cents=60000,
            ),
            services.ItemInput(
                category="75",
                description="Phone",
                serial_number="IMEI 3569 8765",
                quantity=1,
                value_cents=20000,
            ),
        ],
        declaration_accepted=True,
    )


def approved_report(officer) -> PoliceReport:
    report = file_report()
    decisions.approve_report(report=report, officer=officer)  # its tasks are queued on commit
    return PoliceReport.objects.select_related("case").get(pk=report.pk)


def run_worker():
    call_command(
        "db_worker", batch=True, reload=False, startup_delay=False, verbosity=0, queue_name="*"
    )


def export_outcomes(report) -> list[str]:
    return [
        e.payload["outcome"]
        for e in report.case.events.filter(kind=EventKind.EXPORT).order_by("pk")
    ]


def verify_signature(request: dict) -> bool:
    header = request["headers"]["x-cityhall-signature"]
    parts = dict(part.split("=", 1) for part in header.split(","))
    expected = hmac.new(
        SECRET.encode(), f"{parts['t']}.".encode() + request["body"], hashlib.sha256
    ).hexdigest()
    return hmac.compare_digest(parts["v1"], expected)


def test_an_outage_is_retried_and_the_report_arrives_once_signed(settings, officer):
    with Receiver(fail_first=2) as rms:
        settings.CITYHALL_RMS_URL = rms.url
        report = approved_report(officer)
        run_worker()

        (accepted,) = rms.accepted()
        assert len(rms.requests) == 3
    assert verify_signature(accepted)
    assert (
        abs(
            int(accepted["headers"]["x-cityhall-signature"].split(",")[0][2:])
            - timezone.now().timestamp()
        )
        < 120
    )
    assert accepted["headers"]["content-type"] == "application/json"
    assert accepted["headers"]["idempotency-key"] == report.report_number
    assert accepted["path"] == "/intake/reports"
    sent = json.loads(accepted["body"])
    assert sent["schema"] == "cityhall.police_report.v1"
    assert sent["report_number"] == report.report_number
    assert sent["tracking_number"] == report.case.reference
    assert sent["approved_by"] == "whitfield@staff.example.org"
    assert sent["reporter"]["last_name"] == "García"
    assert sent["total_value_cents"] == 80000
    assert [
        (p["nibrs_property_description"], p["nibrs_type_property_loss"], p["serial_number"])
        for p in sent["property"]
    ] == [("04", "7", "WTU 123 G4567"), ("75", "7", "IMEI 3569 8765")]
    assert sent["property"][0]["nibrs_property_description_name"] == "Bicycles"
    # Every attempt carried the same report and a valid signature.
    assert all(verify_signature(r) for r in rms.requests)
    assert {json.loads(r["body"])["report_number"] for r in rms.requests} == {report.report_number}

    export = RmsExport.objects.get(report=report)
    assert export.status == "sent"
    assert export.attempts == 3
    assert export.sent_at is not None
    assert export.last_error == ""
    assert export_outcomes(report) == ["retrying", "retrying", "sent"]
    retry = report.case.events.filter(kind=EventKind.EXPORT).first()
    assert retry.payload["error"] == "HTTP 503"
    # The approval's own work ran in the same worker: the PDF went out by email.
    (email,) = [m for m in mail.outbox if m.to == ["ana@example.org"] and m.attachments]
    assert email.attachments[0][0] == f"police-report-{report.report_number}.pdf"


def test_running_the_export_again_after_it_was_sent_sends_nothing(settings, officer):
    from cityhall.police.tasks import export_to_rms

    with Receiver() as rms:
        settings.CITYHALL_RMS_URL = rms.url
        report = approved_report(officer)
        run_worker()
        export_to_rms.enqueue(report.pk)
        run_worker()
        assert len(rms.requests) == 1
    assert export_outcomes(report) == ["sent"]


def test_after_the_last_attempt_it_waits_for_a_supervisor_who_sends_it_again(
    settings, officer, staff_client
):
    settings.CITYHALL_RMS_MAX_ATTEMPTS = 3
    with Receiver(down=True) as rms:
        settings.CITYHALL_RMS_URL = rms.url
        report = approved_report(officer)
        run_worker()

        assert len(rms.requests) == 3
        assert rms.accepted() == []
        export = RmsExport.objects.get(report=report)
        assert export.status == "failed"
        assert export.attempts == 3
        assert export.last_error == "HTTP 503"
        assert export_outcomes(report) == ["retrying", "retrying", "failed"]

        client, _supervisor = staff_client("police_supervisor")
        page = client.get("/staff/police/export-errors/")
        assert page.status_code == 200
        html = page.content.decode()
        assert report.report_number in html
        assert "HTTP 503" in html
        assert "Send again" in html

        rms.down = False
        answer = client.post("/staff/police/export-errors/", {"export": export.pk}, follow=True)
        assert answer.redirect_chain == [("/staff/police/export-errors/", 302)]
        assert f"Sending {report.report_number} again." in answer.content.decode()
        run_worker()

        (accepted,) = rms.accepted()
        assert verify_signature(accepted)
        assert json.loads(accepted["body"])["report_number"] == report.report_number
    export.refresh_from_db()
    assert export.status == "sent"
    assert export_outcomes(report) == ["retrying", "retrying", "failed", "retry requested", "sent"]
    after = client.get("/staff/police/export-errors/").content.decode()
    assert report.report_number not in after
    assert "Every approved report reached the records system." in after


def test_the_error_queue_is_for_supervisors_only(settings, officer, staff_client):
    settings.CITYHALL_RMS_MAX_ATTEMPTS = 1
    with Receiver(down=True) as rms:
        settings.CITYHALL_RMS_URL = rms.url
        report = approved_report(officer)
        run_worker()
        export = RmsExport.objects.get(report=report)
        assert export.status == "failed"

        client, _reviewer = staff_client("police_reviewer", email="reviewer2@staff.example.org")
        assert client.get("/staff/police/export-errors/").status_code == 403
        assert client.post("/staff/police/export-errors/", {"export": export.pk}).status_code == 403
        run_worker()
        assert len(rms.requests) == 1
    export.refresh_from_db()
    assert (export.status, export.attempts) == ("failed", 1)


def test_an_unreachable_rms_is_retried_then_failed(settings, officer):
    settings.CITYHALL_RMS_MAX_ATTEMPTS = 2
    with Receiver() as rms:
        url = rms.url
    settings.CITYHALL_RMS_URL = url  # nobody listens there any more
    report = approved_report(officer)
    run_worker()
    export = RmsExport.objects.get(report=report)
    assert export.status == "failed"
    assert export.attempts == 2
    assert "Connection" in export.last_error or "refused" in export.last_error.lower()
    assert export_outcomes(report) == ["retrying", "failed"]


def test_a_malformed_rms_address_ends_in_the_error_queue_not_in_silence(settings, officer):
    settings.CITYHALL_RMS_MAX_ATTEMPTS = 2
    settings.CITYHALL_RMS_URL = "rms.example.org/intake"  # no scheme: a typo in the configuration
    report = approved_report(officer)
    run_worker()
    export = RmsExport.objects.get(report=report)
    assert export.status == "failed"
    assert export.last_error
    assert export_outcomes(report) == ["retrying", "failed"]


def test_without_an_rms_the_export_is_skipped_and_the_timeline_says_so(settings, officer):
    from cityhall.police.tasks import export_to_rms

    settings.CITYHALL_RMS_URL = ""
    report = approved_report(officer)
    run_worker()
    export = RmsExport.objects.get(report=report)
    assert export.status == "pending"
    assert export.attempts == 0
    assert export.last_error == "no RMS configured"
    assert export_outcomes(report) == ["skipped: no RMS configured"]
    # Safe to run twice: the timeline does not fill up with the same news.
    export_to_rms.enqueue(report.pk)
    run_worker()
    assert export_outcomes(report) == ["skipped: no RMS configured"]
