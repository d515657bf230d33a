import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    DELIVERED = "delivered", _("Delivered")
    PERMANENT_FAILURE = "permanent_failure", _("Address refused")
    TECHNICAL_FAILURE = "technical_failure", _("Could not be sent")


FINAL = {Status.DELIVERED, Status.PERMANENT_FAILURE, Status.TECHNICAL_FAILURE}


class Notification(models.Model):
    """An email, persisted in the transaction of the change that causes it and
    delivered afterwards by the worker (GOV.UK Notify's persist-then-deliver)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=60)
    to_email = models.EmailField()
    language = models.CharField(max_length=8, default="en")
    subject = models.CharField(max_length=300)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("email")
        verbose_name_plural = _("emails")
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="notification_due_idx")]

    def __str__(self):
        return f"{self.kind} → {self.to_email} ({self.status})"

    @property
    def message_id(self) -> str:
        # Stable per notification: a receiver can drop a copy re-sent after a crash.
        return f"<{self.public_id}@cityhall>"


class NotificationAttachment(models.Model):
    """A file already in storage (an issued PDF), attached when the email is sent."""

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="attachments"
    )
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    storage_name = models.CharField(max_length=255)

    def __str__(self):
        return self.filename
