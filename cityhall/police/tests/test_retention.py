"""The nightly purge: rejected and expired reports past the retention period and
abandoned drafts go, with their items, photos (rows and files), timeline and
emails; everything else stays."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone
from PIL import Image

from cityhall.cases import services as cases
from cityhall.cases.models import Attachment, Case, CaseEvent, PersonalDataView
from cityhall.cases.uploads import CleanFile
from cityhall.cases.workflow import SYSTEM
from cityhall.notifications.models import Notification
from cityhall.police import decisions, services
from cityhall.police.models import PoliceReport, PropertyItem, RejectionReason, RmsExport
from cityhall.police.services_retention import purge_old_reports

pytestmark = pytest.mark.django_db

RETENTION_DAYS = 730
DRAFT_DAYS = 30


@pytest.fixture(autouse=True)
def _retention(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CITYHALL_POLICE_RETENTION_DAYS = RETENTION_DAYS
    settings.CITYHALL_DRAFT_RETENTION_DAYS = DRAFT_DAYS


@pytest.fixture
def officer(make_user):
    return make_user("whitfield@staff.example.org", roles=["police_reviewer"])


@pytest.fixture
def reason():
    return RejectionReason.objects.get_or_create(
        code="duplicate",
        defaults={
            "label_en": "Already reported",
            "label_es": "Ya reportado",
            "explanation_en": "Use the earlier report.",
            "explanation_es": "Use el reporte anterior.",
        },
    )[0]


def photo(name="bike.png") -> CleanFile:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(buffer, format="PNG")
    return CleanFile(name=name, content_type="image/png", data=buffer.getvalue())


def draft(email="ana@example.org", *, with_photo=True) -> PoliceReport:
    """A draft with one item (and its photo), as the HTML steps build it."""
    report = services.start_report(
        reporter=services.Reporter(
            first_name="Ana", last_name="García", email=email, phone="2135550147"
        ),
        eligibility={"no_suspect": True},
    )
    start = timezone.now() - timedelta(days=1)
    services.update_incident(
        report=report,
        kind="stolen",
        occurred_from=start,
        occurred_to=None,
        location="200 N Spring St",
    )
    services.update_narrative(report=report, narrative="Taken from the rack.")
    services.add_item(
        report=report,
        item=services.ItemInput(
            category="04", description="Bicycle", serial_number="WTU 1", value_cents=500
        ),
        photo=photo() if with_photo else None,
    )
    return report


def submitted(email="ana@example.org", *, with_photo=True) -> PoliceReport:
    report = draft(email, with_photo=with_photo)
    assert services.submit_report(report=report, declaration_accepted=True)
    return report


def rejected(reason, officer, **kwargs) -> PoliceReport:
    report = submitted(**kwargs)
    decisions.reject_report(report=report, officer=officer, reason=reason, note="Filed twice.")
    return report


def expired(officer) -> PoliceReport:
    report = submitted()
    decisions.request_information(report=report, officer=officer, message="Which colour?")
    cases.transition_case(case=report.case, transition="expire", acting_as=SYSTEM)
    return report


def approved(officer) -> PoliceReport:
    report = submitted()
    decisions.approve_report(report=report, officer=officer)
    return report


def age(report: PoliceReport, days: int, *, field: str) -> None:
    """Moves the report's case `days` into the past on `field` (closed_at or created_at)."""
    when = timezone.now() - timedelta(days=days)
    Case.objects.filter(pk=report.case_id).update(**{field: when})


def photo_names(report: PoliceReport) -> list[str]:
    return list(Attachment.objects.filter(case_id=report.case_id).values_list("file", flat=True))


def gone(report: PoliceReport) -> None:
    assert not Case.objects.filter(pk=report.case_id).exists()
    assert not PoliceReport.objects.filter(pk=report.pk).exists()
    assert not PropertyItem.objects.filter(report_id=report.pk).exists()
    assert not CaseEvent.objects.filter(case_id=report.case_id).exists()
    assert not Notification.objects.filter(case_id=report.case_id).exists()
    assert not Attachment.objects.filter(case_id=report.case_id).exists()
    # The access log stays for audit, detached from the deleted case.
    assert not PersonalDataView.objects.filter(case_id=report.case_id).exists()


def kept(report: PoliceReport) -> None:
    assert PoliceReport.objects.filter(pk=report.pk).exists()
    assert PropertyItem.objects.filter(report_id=report.pk).count() == 1
    assert CaseEvent.objects.filter(case_id=report.case_id).exists()
    for name in photo_names(report):
        assert default_storage.exists(name), name


def test_purge_deletes_old_rejected_expired_and_drafts_and_keeps_the_rest(
    reason, officer, django_capture_on_commit_callbacks
):
    old_rejected = rejected(reason, officer, email="old-rejected@example.org")
    old_expired = expired(officer)
    old_draft = draft("old-draft@example.org")
    recent_rejected = rejected(reason, officer, email="recent-rejected@example.org")
    old_approved = approved(officer)
    old_submitted = submitted("old-submitted@example.org")
    recent_draft = draft("recent-draft@example.org")

    age(old_rejected, RETENTION_DAYS + 1, field="closed_at")
    age(old_expired, RETENTION_DAYS + 1, field="closed_at")
    age(old_draft, DRAFT_DAYS + 1, field="created_at")
    age(recent_rejected, RETENTION_DAYS - 1, field="closed_at")
    age(old_approved, RETENTION_DAYS * 3, field="closed_at")
    age(old_approved, RETENTION_DAYS * 3, field="created_at")
    age(old_submitted, RETENTION_DAYS * 3, field="created_at")
    Case.objects.filter(pk=old_submitted.case_id).update(
        submitted_at=timezone.now() - timedelta(days=2000)
    )
    age(recent_draft, DRAFT_DAYS - 1, field="created_at")

    # Someone looked at the old rejected one; the log of that goes with it.
    cases.record_personal_data_view(case=old_rejected.case, viewer=officer, what="police report")
    doomed_files = photo_names(old_rejected) + photo_names(old_expired) + photo_names(old_draft)
    assert len(doomed_files) == 3
    assert all(default_storage.exists(name) for name in doomed_files)
    assert Notification.objects.filter(case=old_rejected.case, kind="police_rejected").exists()
    assert Notification.objects.filter(case=old_expired.case, kind="police_expired").exists()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        purged = purge_old_reports()

    assert purged == 3
    assert callbacks  # the files were removed after commit, not before
    for report in (old_rejected, old_expired, old_draft):
        gone(report)
    for name in doomed_files:
        assert not default_storage.exists(name), name
    for report in (recent_rejected, old_approved, old_submitted, recent_draft):
        kept(report)
    assert RmsExport.objects.filter(report=old_approved).exists()
    assert PoliceReport.objects.count() == 4
    assert PersonalDataView.objects.filter(case__isnull=False).count() == 0


def test_files_stay_when_the_deletion_rolls_back(
    reason, officer, django_capture_on_commit_callbacks
):
    old = rejected(reason, officer)
    age(old, RETENTION_DAYS + 1, field="closed_at")
    names = photo_names(old)

    # Without running on-commit callbacks (as if the transaction never committed),
    # the files are still there: they are never removed before the rows are gone.
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert purge_old_reports() == 1
    assert len(callbacks) == 1
    assert all(default_storage.exists(name) for name in names)
    callbacks[0]()
    assert not any(default_storage.exists(name) for name in names)


def test_the_retention_period_comes_from_the_settings(
    settings, reason, officer, django_capture_on_commit_callbacks
):
    report = rejected(reason, officer, with_photo=False)
    age(report, 100, field="closed_at")
    with django_capture_on_commit_callbacks(execute=True):
        assert purge_old_reports() == 0
    kept(report)
    settings.CITYHALL_POLICE_RETENTION_DAYS = 99
    with django_capture_on_commit_callbacks(execute=True):
        assert purge_old_reports() == 1
    gone(report)


def test_purge_twice_is_harmless(reason, officer, django_capture_on_commit_callbacks):
    old = rejected(reason, officer)
    age(old, RETENTION_DAYS + 1, field="closed_at")
    with django_capture_on_commit_callbacks(execute=True):
        assert purge_old_reports() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert purge_old_reports() == 0
    gone(old)


def test_the_nightly_task_runs_the_purge(reason, officer, django_capture_on_commit_callbacks):
    from cityhall.core.registry import registry
    from cityhall.police.tasks import purge_expired_reports

    old = draft(with_photo=False)
    age(old, DRAFT_DAYS + 1, field="created_at")
    with django_capture_on_commit_callbacks(execute=True):
        assert purge_expired_reports.call() == 1
    gone(old)
    assert registry.periodic["police.purge"].task is purge_expired_reports
    assert registry.periodic["police.purge"].every == timedelta(hours=24)
