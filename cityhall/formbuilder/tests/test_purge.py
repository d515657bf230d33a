"""Answers never sent are purged after CITYHALL_DRAFT_RETENTION_DAYS; sent ones stay."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cityhall.cases.models import Case
from cityhall.formbuilder import services
from cityhall.formbuilder.tasks import purge_drafts

from .test_journey import published  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


def test_old_drafts_go_recent_and_sent_ones_stay(published, settings):  # noqa: F811
    settings.CITYHALL_DRAFT_RETENTION_DAYS = 30
    published.refresh_from_db()
    version = published.current_version
    old, recent, sent = (services.start_submission(version=version) for _ in range(3))
    month_ago = timezone.now() - timedelta(days=31)
    Case.objects.filter(pk__in=[old.case.pk, sent.case.pk]).update(created_at=month_ago)
    Case.objects.filter(pk=sent.case.pk).update(status="submitted")

    assert purge_drafts.call() == 1
    assert set(Case.objects.values_list("pk", flat=True)) == {recent.case.pk, sent.case.pk}
    assert purge_drafts.call() == 0
