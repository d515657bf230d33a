"""The disk fills up while the approved report's PDF is written: no half file is
left, nothing is recorded or emailed, and once there is room again the sweep
issues the PDF and its email, once.

The disk is a real 256 KiB tmpfs where the test may mount one (root, as on CI);
elsewhere a storage that writes half the file and then fails as a full disk does.
"""

from __future__ import annotations

import errno
import os
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from cityhall.core.storage import WholeFileSystemStorage
from cityhall.documents.models import Document
from cityhall.notifications.models import Notification
from cityhall.police import decisions, tasks


class HalfWrittenDisk(WholeFileSystemStorage):
    def _save(self, name, content):
        class FillsUp:
            def chunks(self_inner):
                yield content.read(100)
                raise OSError(errno.ENOSPC, "No space left on device")

        return super()._save(name, FillsUp())


@pytest.fixture
def small_disk(tmp_path):
    """(folder, storage to use): a tiny filesystem, or the simulation."""
    folder = tmp_path / "media"
    folder.mkdir()
    mounted = False
    if os.geteuid() == 0:
        mounted = (
            subprocess.run(
                ["/bin/mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(folder)],
                capture_output=True,
            ).returncode
            == 0
        )
    try:
        yield folder, mounted
    finally:
        if mounted:
            subprocess.run(["/bin/umount", str(folder)], check=True)


def _fill(folder: Path) -> Path:
    filler = folder / "filler.bin"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
    try:
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError as error:
        assert error.errno == errno.ENOSPC
    finally:
        os.close(fd)
    return filler


def _run_worker():
    call_command(
        "db_worker", batch=True, reload=False, startup_delay=False, verbosity=0, queue_name="*"
    )


@pytest.mark.django_db(transaction=True)
def test_disk_full_while_writing_the_pdf(small_disk, settings, file_report, officer, monkeypatch):
    folder, real_disk = small_disk
    settings.MEDIA_ROOT = str(folder)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "cityhall.core.storage.WholeFileSystemStorage"},
    }
    report = file_report()
    _run_worker()  # the acknowledgement email
    mail.outbox.clear()
    if real_disk:
        filler = _fill(folder)
    else:
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {"BACKEND": f"{__name__}.HalfWrittenDisk"},
        }

    decisions.approve_report(report=report, officer=officer)
    _run_worker()  # the PDF task fails: no room

    assert not Document.objects.exists()
    assert not Notification.objects.filter(kind="police_approved").exists()
    assert mail.outbox == []
    leftovers = [p for p in folder.rglob("*") if p.is_file() and p.name != "filler.bin"]
    assert leftovers == []  # no half PDF

    # Room again; the sweep (every 10 minutes) finds the approval without its PDF.
    if real_disk:
        filler.unlink()
    else:
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {"BACKEND": "cityhall.core.storage.WholeFileSystemStorage"},
        }
    report.case.__class__.objects.filter(pk=report.case.pk).update(
        decided_at=timezone.now() - timedelta(minutes=11)
    )
    assert tasks.sweep_approved_reports.call()["documents"] == 1
    _run_worker()
    _run_worker()  # a second pass changes nothing
    [document] = Document.objects.all()
    assert document.file.storage.exists(document.file.name)
    assert document.file.size == document.size
    assert Notification.objects.filter(kind="police_approved").count() == 1
    assert len(mail.outbox) == 1 and mail.outbox[0].attachments
