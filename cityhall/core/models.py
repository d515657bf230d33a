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


class AuditAction(models.TextChoices):
    """What the audit log records (issue 12; CJIS 5.4.1.1 auditable events)."""

    SIGNED_IN = "signed_in", _("Signed in (password)")
    SIGN_IN_FAILED = "sign_in_failed", _("Sign-in failed")
    LOCKED_OUT = "locked_out", _("Locked out after repeated failures")
    SECOND_FACTOR_PASSED = "second_factor_passed", _("Second factor passed")
    SECOND_FACTOR_FAILED = "second_factor_failed", _("Second factor failed")
    SIGNED_OUT = "signed_out", _("Signed out")
    API_TOKEN_REFUSED = "api_token_refused", _("API token refused")
    ACCESS_DENIED = "access_denied", _("Access denied")
    PERSONAL_DATA_VIEWED = "personal_data_viewed", _("Personal data viewed")
    CASE_DECIDED = "case_decided", _("Case status changed by staff")
    PAYMENT_REFUNDED = "payment_refunded", _("Payment refunded")
    INVOICE_WAIVED = "invoice_waived", _("Invoice waived")
    INVOICE_VOIDED = "invoice_voided", _("Invoice cancelled")
    SECOND_FACTOR_RESET = "second_factor_reset", _("Second factor reset")
    ROLE_GRANTED = "role_granted", _("Role granted")
    ROLES_CHANGED = "roles_changed", _("Roles changed")
    SERVICE_PUBLISHED = "service_published", _("Service published")
    LOG_PURGED = "log_purged", _("Old audit entries purged")


class AuditRefused(Exception):
    """Raised when code tries to change or delete an audit entry."""


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditRefused("The audit log is append-only.")

    def delete(self):
        raise AuditRefused("The audit log is append-only; old entries go by core.audit.purge.")


class AuditEntry(models.Model):
    """One link of the hash-chained, append-only audit log (core/audit.py).

    The actor is a snapshot (id, email, roles at the time), not a foreign key:
    the log must outlive the account and say what the person was then.
    """

    seq = models.BigIntegerField(unique=True)
    at = models.DateTimeField(db_index=True)
    actor_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    actor_email = models.CharField(max_length=254, blank=True)
    actor_roles = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=32, choices=AuditAction.choices, db_index=True)
    object_type = models.CharField(max_length=40, blank=True)
    object_id = models.CharField(max_length=64, blank=True, db_index=True)
    ip = models.CharField(max_length=64, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    payload = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["seq"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self):
        return f"#{self.seq} {self.action} {self.object_type} {self.object_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditRefused("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditRefused("The audit log is append-only; old entries go by core.audit.purge.")


class AuditChainHead(models.Model):
    """One row: the newest entry's seq and hash (locked by every append, so the
    chain cannot fork between web processes) and the purge checkpoint (the last
    purged entry's seq and hash, where verification starts)."""

    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, blank=True)
    purged_seq = models.BigIntegerField(default=0)
    purged_hash = models.CharField(max_length=64, blank=True)
    purged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("audit chain head")
        verbose_name_plural = _("audit chain head")

    def __str__(self):
        return f"audit chain at #{self.last_seq}"
