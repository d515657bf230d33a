from datetime import timedelta

from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from cityhall.core.models import PeriodicJob
from cityhall.core.registry import registry
from cityhall.core.scheduler import claim_due_job, enqueue_due_jobs
from cityhall.core.tasks import ping


def test_a_due_job_is_claimed_once_per_period(db):
    every = timedelta(minutes=5)
    assert claim_due_job("nightly", every) is True
    assert claim_due_job("nightly", every) is False
    PeriodicJob.objects.filter(name="nightly").update(last_enqueued_at=timezone.now() - every)
    assert claim_due_job("nightly", every) is True


def test_enqueue_due_jobs_queues_registered_tasks(db):
    registry.add_periodic("test-ping", every=timedelta(hours=1), task=ping)
    try:
        assert "test-ping" in enqueue_due_jobs()
        assert "test-ping" not in enqueue_due_jobs()
        assert DBTaskResult.objects.filter(task_path__endswith="ping").count() == 1
    finally:
        registry.periodic.pop("test-ping")
