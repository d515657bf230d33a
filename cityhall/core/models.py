from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class WorkerHeartbeat(models.Model):
    """Written every few seconds by each `cityhall worker`; read by /healthz."""

    worker_id = models.CharField(max_length=64, unique=True)
    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    last_seen_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self):
        return f"{self.hostname}:{self.pid}"


class PeriodicJob(models.Model):
    """When each periodic job was last queued. Workers race for the next run
    with one conditional UPDATE, so with several workers each run is queued once."""

    name = models.CharField(max_length=100, unique=True)
    last_enqueued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("periodic job")
        verbose_name_plural = _("periodic jobs")

    def __str__(self):
        return self.name


class IdempotencyRecord(models.Model):
    """The answer given to an API request with an Idempotency-Key, replayed on a
    retry with the same key and body (the same key with another body is refused)."""

    key = models.CharField(max_length=200, unique=True)
    request_sha256 = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField()
    response_body = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self):
        return self.key


class RateLimitWindow(models.Model):
    """Hits on one rate-limited key in one fixed window, when the cache is the
    database (core/ratelimit.py); ended windows are purged every hour."""

    counter_key = models.CharField(max_length=200)
    window_number = models.BigIntegerField()
    hits = models.PositiveIntegerField()
    ends_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["counter_key", "window_number"], name="rate_limit_window_unique"
            )
        ]

    def __str__(self):
        return f"{self.counter_key} #{self.window_number}: {self.hits}"
