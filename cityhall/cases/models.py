import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    ONLINE = "online", _("Online")
    COUNTER = "counter", _("At the counter")
    PHONE = "phone", _("By phone")
    MAIL = "mail", _("By mail")


class ReferenceSequence(models.Model):
    """The last number handed out per prefix and year (see references.py)."""

    prefix = models.CharField(max_length=4)
    year = models.PositiveSmallIntegerField()
    last_value = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year"], name="reference_sequence_unique")
        ]

    def __str__(self):
        return f"{self.prefix}-{self.year}: {self.last_value}"


class Case(models.Model):
    """One resident transaction of any service, on any channel.

    Domain detail lives in the service app's own models, tied 1:1 to the case;
    KPIs are computed over cases the same way for every service.
    """

    id = models.BigAutoField(primary_key=True)
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(_("reference"), max_length=24, unique=True)
    service = models.CharField(_("service"), max_length=40, db_index=True)
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, default=Channel.ONLINE
    )
    status = models.CharField(_("status"), max_length=40)

    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
    )
    contact_name = models.CharField(_("name"), max_length=200, blank=True)
    contact_email = models.EmailField(_("email"), blank=True)
    contact_phone = models.CharField(_("phone"), max_length=32, blank=True)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )

    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_cases",
    )
    # Staff who took it in at a counter or on the phone (assisted digital).
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="recorded_cases",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="decided_cases",
    )

    created_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True, db_index=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    expected_decision_at = models.DateTimeField(_("expected decision"), null=True, blank=True)
    status_changed_at = models.DateTimeField(default=timezone.now)
    deadline_at = models.DateTimeField(null=True, blank=True, db_index=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            models.Index(fields=["service", "status", "submitted_at"], name="case_queue_idx"),
            models.Index(fields=["contact_email"], name="case_contact_email_idx"),
        ]

    def __str__(self):
        return self.reference

    @property
    def service_type(self):
        from . import registry

        return registry.get(self.service)

    @property
    def state(self):
        return self.service_type.workflow.state(self.status)


class EventKind(models.TextChoices):
    CREATED = "created", _("Created")
    STATUS_CHANGED = "status_changed", _("Status changed")
    ASSIGNED = "assigned", _("Assigned")
    NOTE = "note", _("Note")
    AMENDED = "amended", _("Amended")
    EMAIL = "email", _("Email")
    DOCUMENT = "document", _("Document issued")
    REMINDER = "reminder", _("Reminder sent")
    EXPORT = "export", _("Hand-off to another system")
    ATTACHMENT = "attachment", _("File added")
    FILE_INFECTED = "file_infected", _("File removed: a virus was found")
    # payments
    INVOICE = "invoice", _("Invoice issued")
    PAYMENT = "payment", _("Payment received")
    PAYMENT_FAILED = "payment_failed", _("Payment not completed")
    REFUND = "refund", _("Refund")
    WAIVER = "waiver", _("Fee waived")
    INVOICE_VOID = "invoice_void", _("Invoice cancelled")


class CaseEvent(models.Model):
    """The case timeline: one row per change, written in the change's transaction."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    from_status = models.CharField(max_length=40, blank=True)
    to_status = models.CharField(max_length=40, blank=True)
    reason = models.TextField(blank=True)  # shown to the resident when public
    payload = models.JSONField(default=dict, blank=True)
    public = models.BooleanField(default=False)  # on the resident's status page
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")

    def __str__(self):
        return f"{self.case_id} {self.kind} {self.to_status}"


class PersonalDataView(models.Model):
    """Who opened whose personal data, when (CJIS audit; Varaamo's PersonalInfoViewLog)."""

    # The log outlives the case: a purged report's access history stays for audit.
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="personal_data_views"
    )
    case_reference = models.CharField(max_length=24, blank=True, db_index=True)
    viewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    viewed_at = models.DateTimeField(default=timezone.now, db_index=True)
    what = models.CharField(max_length=100)

    class Meta:
        verbose_name = _("personal data view")
        verbose_name_plural = _("personal data views")

    def __str__(self):
        return f"{self.viewer_id} viewed {self.case_id} ({self.what})"


def attachment_path(instance, filename):
    return f"attachments/{instance.case.public_id}/{uuid.uuid4().hex}{instance.extension}"


class ScanStatus(models.TextChoices):
    # Held files are stored but nobody can open them until the virus scanner
    # has said they are clean (only when CLAMAV_URL is set; see docs/uploads.md).
    HELD = "held", _("Waiting for virus scan")
    RELEASED = "released", _("Released")
    INFECTED = "infected", _("Removed: a virus was found")


class Attachment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=255)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    purpose = models.CharField(max_length=40, blank=True)  # e.g. "item-photo", "site-plan"
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    uploaded_at = models.DateTimeField(default=timezone.now)
    scan_status = models.CharField(
        max_length=10, choices=ScanStatus.choices, default=ScanStatus.RELEASED
    )
    scan_attempts = models.PositiveSmallIntegerField(default=0)
    next_scan_at = models.DateTimeField(null=True, blank=True)
    scanned_at = models.DateTimeField(null=True, blank=True)
    scan_detail = models.CharField(max_length=300, blank=True)  # signature or last error

    class Meta:
        indexes = [
            models.Index(
                fields=["next_scan_at"],
                name="attachment_held_idx",
                condition=models.Q(scan_status="held"),
            )
        ]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self):
        return self.original_name

    @property
    def is_released(self) -> bool:
        return self.scan_status == ScanStatus.RELEASED

    @property
    def extension(self) -> str:
        return {
            "image/jpeg": ".jpg",
            "image/png": ".png",
            "image/webp": ".webp",
            "application/pdf": ".pdf",
        }.get(self.content_type, "")
