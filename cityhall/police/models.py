from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .nibrs import PROPERTY_DESCRIPTIONS


class Kind(models.TextChoices):
    LOST = "lost", _("Lost")
    STOLEN = "stolen", _("Stolen")


class PoliceSettings(models.Model):
    """What the city sets for online reporting (one row, edited in the admin)."""

    online_value_limit_cents = models.PositiveIntegerField(
        _("highest total value of a theft that can be reported online (cents)"), default=95_000
    )
    high_value_flag_cents = models.PositiveIntegerField(
        _("flag reports above this total (cents)"), default=100_000
    )
    supervisor_review_above_cents = models.PositiveIntegerField(
        _("supervisor must approve reports above this total (cents); empty: off"),
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("police reporting settings")
        verbose_name_plural = _("police reporting settings")

    def __str__(self):
        return str(self._meta.verbose_name)

    @classmethod
    def current(cls) -> "PoliceSettings":
        return cls.objects.order_by("pk").first() or cls.objects.create()


class RejectionReason(models.Model):
    code = models.SlugField(unique=True)
    label_en = models.CharField(max_length=200)
    label_es = models.CharField(max_length=200)
    explanation_en = models.TextField(
        help_text=_("What the resident is told, in plain words, and what to do next.")
    )
    explanation_es = models.TextField()
    active = models.BooleanField(default=True)
    order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("rejection reason")
        verbose_name_plural = _("rejection reasons")

    def __str__(self):
        return self.label_en

    def label(self, language: str) -> str:
        return self.label_es if language == "es" else self.label_en

    def explanation(self, language: str) -> str:
        return self.explanation_es if language == "es" else self.explanation_en


class PoliceReport(models.Model):
    """A lost or stolen property report; the Case holds its status and timeline."""

    case = models.OneToOneField(
        "cases.Case", on_delete=models.CASCADE, related_name="police_report"
    )
    report_number = models.CharField(
        _("report number"), max_length=24, unique=True, null=True, blank=True
    )

    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    email = models.EmailField(_("email"))
    phone = models.CharField(_("phone"), max_length=20, blank=True)  # E.164
    address = models.CharField(_("home address"), max_length=300, blank=True)

    kind = models.CharField(_("lost or stolen"), max_length=10, choices=Kind.choices, blank=True)
    occurred_from = models.DateTimeField(_("happened on or after"), null=True, blank=True)
    occurred_to = models.DateTimeField(_("happened on or before"), null=True, blank=True)
    location = models.CharField(_("where it happened"), max_length=300, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    narrative = models.TextField(_("what happened"), blank=True)

    eligibility = models.JSONField(default=dict, blank=True)
    declaration_accepted_at = models.DateTimeField(null=True, blank=True)
    total_value_cents = models.PositiveBigIntegerField(default=0)
    reviewer_note = models.TextField(_("private note"), blank=True)
    rejection_reason = models.ForeignKey(
        RejectionReason, null=True, blank=True, on_delete=models.PROTECT
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("police report")
        verbose_name_plural = _("police reports")
        indexes = [models.Index(fields=["email"], name="police_report_email_idx")]

    def __str__(self):
        return self.report_number or self.case.reference

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class PropertyItem(models.Model):
    report = models.ForeignKey(PoliceReport, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(default=0)
    category = models.CharField(
        _("category"),
        max_length=2,
        choices=[(c, f"{c} {n}") for c, n in PROPERTY_DESCRIPTIONS.items()],
    )
    loss_type = models.CharField(max_length=2, blank=True)  # NIBRS data element 14; blank for lost
    description = models.CharField(_("description"), max_length=300)
    brand = models.CharField(_("brand"), max_length=100, blank=True)
    model = models.CharField(_("model"), max_length=100, blank=True)
    serial_number = models.CharField(_("serial number"), max_length=100, blank=True)
    # Upper-case letters and digits only: finds "WTU 123 G4567" from "wtu123g4567".
    serial_normalized = models.CharField(max_length=100, blank=True, db_index=True)
    quantity = models.PositiveIntegerField(_("how many"), default=1)
    value_cents = models.PositiveBigIntegerField(_("value"), default=0)
    photo = models.ForeignKey(
        "cases.Attachment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("property item")
        verbose_name_plural = _("property items")

    def __str__(self):
        return self.description

    @property
    def total_cents(self) -> int:
        return self.value_cents * self.quantity


class RmsExport(models.Model):
    """The hand-off of an approved report to the records management system."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    report = models.OneToOneField(PoliceReport, on_delete=models.CASCADE, related_name="rms_export")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("records system export")
        verbose_name_plural = _("records system exports")

    def __str__(self):
        return f"{self.report} {self.status}"
