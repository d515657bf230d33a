from datetime import timedelta

from django.db import OperationalError
from django.utils import timezone

from cityhall.core.models import WorkerHeartbeat
from cityhall.core.scheduler import beat


def test_healthz_without_a_worker_is_degraded_but_up(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["database"] == {"ok": True}
    assert body["worker"] == {"seconds_since_heartbeat": None, "ok": False}
    assert body["tasks"] == {"queued": 0, "oldest_queued_age_seconds": None}


def test_healthz_reports_worker_and_queue(client, db):
    from django_tasks_db.models import DBTaskResult

    beat(worker_id="w1", started_at=timezone.now())
    from cityhall.core.tasks import ping

    ping.enqueue()
    DBTaskResult.objects.update(enqueued_at=timezone.now() - timedelta(seconds=30))
    body = client.get("/healthz").json()
    assert body["status"] == "ok"
    assert body["worker"]["ok"] is True
    assert 0 <= body["worker"]["seconds_since_heartbeat"] < 5
    assert body["tasks"]["queued"] == 1
    assert 29 <= body["tasks"]["oldest_queued_age_seconds"] < 60


def test_stale_worker_is_reported(client, db):
    beat(worker_id="w1", started_at=timezone.now())
    WorkerHeartbeat.objects.update(last_seen_at=timezone.now() - timedelta(minutes=10))
    body = client.get("/healthz").json()
    assert body["status"] == "degraded"
    assert body["worker"]["ok"] is False
    assert body["worker"]["seconds_since_heartbeat"] >= 600


def test_healthz_is_503_when_the_database_is_down(client, db, monkeypatch):
    class DownConnection:
        def cursor(self):
            raise OperationalError("connection refused")

    monkeypatch.setattr("cityhall.core.health.connection", DownConnection())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "down"
    assert response.json()["database"]["ok"] is False


def test_livez_answers_without_the_database(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/livez")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert "no-cache" in response["Cache-Control"]
