"""Files are held until ClamAV's daemon says they are clean (a real clamd, the EICAR test file)."""

import socket
import threading

from django.core.files.storage import default_storage
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from cityhall.cases import clamd, files, services
from cityhall.cases.models import Attachment, EventKind, ScanStatus
from cityhall.cases.uploads import clean_upload

from .conftest import EICAR
from .test_uploads import _pdf, upload


def _pdf_with_eicar() -> bytes:
    """A PDF that opens (it passes every upload check) and carries the EICAR string."""
    # A comment after the end marker: readers ignore it, the scanner sees it.
    return _pdf() + b"% " + EICAR + b"\n"


def _attach(case, data, name="plan.pdf", **kwargs):
    clean = clean_upload(upload(data, name, "application/pdf"))
    return services.attach_file(case=case, clean=clean, purpose="plan", **kwargs)


def _queued_scans() -> list:
    return list(
        DBTaskResult.objects.filter(task_path__endswith="scan_attachment").values_list(
            "args_kwargs", flat=True
        )
    )


def test_clamd_protocol_against_the_real_daemon(clamd_url):
    assert clamd.ping(clamd_url)
    assert clamd.scan_bytes(clamd_url, b"just a letter to the city") == clamd.Verdict(False)
    verdict = clamd.scan_bytes(clamd_url, EICAR)
    assert verdict.infected and verdict.signature.startswith("CityHall.Test.EICAR")
    # Larger than one chunk, the signature straddling a chunk boundary.
    padded = b"a" * (clamd.CHUNK - 10) + EICAR + b"b" * 1000
    assert clamd.scan_bytes(clamd_url, padded).infected


def test_clean_file_is_held_then_released(
    clamd_url, settings, submitted_case, staff_client, django_capture_on_commit_callbacks
):
    settings.CLAMAV_URL = clamd_url
    with django_capture_on_commit_callbacks(execute=True):
        attachment = _attach(submitted_case, _pdf())
    assert attachment.scan_status == ScanStatus.HELD
    assert len(_queued_scans()) == 1  # the background scan is queued when the upload commits
    url = reverse("cases:attachment", args=[submitted_case.reference, attachment.pk])
    staff, _ = staff_client("permit_reviewer")
    held = staff.get(url, follow=True)
    assert b"%PDF" not in held.content
    assert "waiting for the virus scan" in held.content.decode()
    page = staff.get(reverse("cases:staff-case", args=[submitted_case.reference])).content.decode()
    assert "waiting for virus scan" in page

    assert files.scan_held_file(attachment_id=attachment.pk) == ScanStatus.RELEASED
    response = staff.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert files.scan_held_file(attachment_id=attachment.pk) == ScanStatus.RELEASED  # twice: same


def test_eicar_is_deleted_noted_on_the_timeline_and_the_resident_is_told(
    clamd_url, settings, submitted_case, staff_client, django_capture_on_commit_callbacks
):
    settings.CLAMAV_URL = clamd_url
    attachment = _attach(submitted_case, _pdf_with_eicar(), name="site plan.pdf")
    stored = attachment.file.name
    assert default_storage.exists(stored)
    with django_capture_on_commit_callbacks(execute=True):
        assert files.scan_held_file(attachment_id=attachment.pk) == ScanStatus.INFECTED
    attachment.refresh_from_db()
    assert attachment.scan_status == ScanStatus.INFECTED
    assert attachment.scan_detail.startswith("CityHall.Test.EICAR")
    assert not default_storage.exists(stored) and not attachment.file
    event = submitted_case.events.get(kind=EventKind.FILE_INFECTED)
    assert event.payload["name"] == "site plan.pdf" and event.public
    # The resident wrote in Spanish; the email is queued with the case's other email.
    from cityhall.notifications.models import Notification

    email = Notification.objects.get(kind="upload_infected")
    assert email.to_email == submitted_case.contact_email
    assert "site plan.pdf" in email.body_text
    staff, _ = staff_client("permit_reviewer")
    url = reverse("cases:attachment", args=[submitted_case.reference, attachment.pk])
    assert "found a virus" in staff.get(url, follow=True).content.decode()
    # Running the scan again changes nothing and tells nobody twice.
    assert files.scan_held_file(attachment_id=attachment.pk) == ScanStatus.INFECTED
    assert Notification.objects.filter(kind="upload_infected").count() == 1


def _silent_server():
    """A port where nothing answers the clamd protocol (accepts, then hangs up)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()

    def run():
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            conn.close()

    threading.Thread(target=run, daemon=True).start()
    return server


def test_unreachable_clamd_keeps_the_file_held_and_retries_with_backoff(
    settings, submitted_case, staff_client, django_capture_on_commit_callbacks
):
    from cityhall.testing import free_port

    settings.CLAMAV_URL = f"tcp://127.0.0.1:{free_port()}"  # nobody listens there
    attachment = _attach(submitted_case, _pdf())
    with django_capture_on_commit_callbacks(execute=True):
        assert files.scan_held_file(attachment_id=attachment.pk) == ScanStatus.HELD
        assert files.scan_held_file(attachment_id=attachment.pk) == ScanStatus.HELD
    attachment.refresh_from_db()
    assert attachment.scan_attempts == 2 and "unreachable" in attachment.scan_detail
    assert attachment.next_scan_at is not None
    assert len(_queued_scans()) == 2  # each retry queued for later, not now
    assert files.backoff(1).total_seconds() == 30 and files.backoff(2).total_seconds() == 60
    assert files.backoff(30).total_seconds() == 3600

    server = _silent_server()  # a port that answers but gives no verdict: still held
    try:
        settings.CLAMAV_URL = f"tcp://127.0.0.1:{server.getsockname()[1]}"
        assert files.scan_held_file(attachment_id=attachment.pk) == ScanStatus.HELD
    finally:
        server.close()
    staff, _ = staff_client("permit_reviewer")
    page = staff.get(reverse("cases:staff-case", args=[submitted_case.reference])).content.decode()
    assert "waiting for virus scan" in page


def test_lost_scan_tasks_are_queued_again(settings, submitted_case):
    from datetime import timedelta

    from django.utils import timezone

    settings.CLAMAV_URL = "tcp://127.0.0.1:9"
    attachment = _attach(submitted_case, _pdf())
    assert files.requeue_held_scans() == 0  # just stored: its own task is on the way
    later = timezone.now() + timedelta(minutes=3)
    assert files.requeue_held_scans(now=later) == 1
    assert _queued_scans() == [{"args": [attachment.pk], "kwargs": {}}]


def test_without_clamav_url_files_are_released_at_once(settings, submitted_case):
    settings.CLAMAV_URL = ""
    attachment = _attach(submitted_case, _pdf())
    assert attachment.scan_status == ScanStatus.RELEASED
    assert _queued_scans() == []
    assert Attachment.objects.get(pk=attachment.pk).is_released
