"""A permit application (1:1 with a Case), what the applicant gave, its review
by departments, the permit issued from it and the inspections of the work.
The permit types staff configure are in models_types.py."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models_types import (  # noqa: F401  (Django finds models in models.py)
    ApplicantRole,
    ContractorRule,
    Department,
    DocumentRequirement,
    InspectionType,
    PermitType,
    ReviewStepTemplate,
)

USER = settings.AUTH_USER_MODEL


class PermitApplication(models.Model):
    case = models.OneToOneField(
        "cases.Case", on_delete=models.CASCADE, related_name="permit_application"
    )
    permit_type = models.ForeignKey(
        PermitType, on_delete=models.PROTECT, related_name="applications"
    )
    description = models.TextField(_("the work or activity"), blank=True)
    answers = models.JSONField(default=dict, blank=True)
    applicant_role = models.CharField(
        _("applying as"), max_length=12, choices=ApplicantRole.choices, blank=True
    )
    street = models.CharField(_("street address"), max_length=200, blank=True)
    unit = models.CharField(_("apartment or unit"), max_length=40, blank=True)
    zip_code = models.CharField(_("ZIP code"), max_length=5, blank=True)
    city = models.CharField(_("city"), max_length=80, blank=True)
    state = models.CharField(_("state"), max_length=2, blank=True)
    invoice = models.ForeignKey(
        "payments.Invoice", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    fee_cents = models.BigIntegerField(_("fee quoted"), null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("permit application")
        verbose_name_plural = _("permit applications")
        indexes = [models.Index(fields=["zip_code", "street"], name="permit_app_address_idx")]

    def __str__(self):
        return self.case.reference

    @property
    def has_address(self) -> bool:
        return bool(self.street and self.zip_code)

    def address_line(self) -> str:
        if not self.has_address:
            return ""
        first = f"{self.street}, {self.unit}" if self.unit else self.street
        return f"{first}, {self.city}, {self.state} {self.zip_code}"


class ContactRole(models.TextChoices):
    OWNER = "owner", _("Property or business owner")
    CONTRACTOR = "contractor", _("Contractor")


class Contact(models.Model):
    application = models.ForeignKey(
        PermitApplication, on_delete=models.CASCADE, related_name="contacts"
    )
    role = models.CharField(_("role"), max_length=12, choices=ContactRole.choices)
    name = models.CharField(_("name"), max_length=200)
    company = models.CharField(_("company"), max_length=200, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)  # E.164
    licence_number = models.CharField(_("licence number"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        constraints = [
            models.UniqueConstraint(fields=["application", "role"], name="permit_contact_role")
        ]

    def __str__(self):
        return f"{self.get_role_display()}: {self.name}"


class SubmittedDocument(models.Model):
    """One version of a required document. A new upload adds a version; none is
    ever replaced, so reviewers can see what changed after a correction."""

    application = models.ForeignKey(
        PermitApplication, on_delete=models.CASCADE, related_name="documents"
    )
    requirement = models.ForeignKey(DocumentRequirement, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveSmallIntegerField()
    attachment = models.OneToOneField(
        "cases.Attachment", on_delete=models.PROTECT, related_name="+"
    )
    uploaded_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL)
    uploaded_at = models.DateTimeField(default=timezone.now)
    correction = models.ForeignKey(
        "CorrectionRequest", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["requirement__order", "requirement_id", "-version"]
        verbose_name = _("submitted document")
        verbose_name_plural = _("submitted documents")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "requirement", "version"], name="permit_document_version"
            )
        ]

    def __str__(self):
        return f"{self.requirement.code} v{self.version}"


class StepStatus(models.TextChoices):
    WAITING = "waiting", _("Not started: an earlier step first")
    PENDING = "pending", _("In review")
    CORRECTIONS = "corrections", _("Corrections requested")
    APPROVED = "approved", _("Approved")
    DENIED = "denied", _("Denied")


class ReviewStep(models.Model):
    application = models.ForeignKey(
        PermitApplication, on_delete=models.CASCADE, related_name="review_steps"
    )
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    stage = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(max_length=12, choices=StepStatus.choices, default=StepStatus.WAITING)
    started_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["stage", "department__code"]
        verbose_name = _("review step")
        verbose_name_plural = _("review steps")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "department"], name="permit_application_step"
            )
        ]
        indexes = [models.Index(fields=["status", "department"], name="permit_step_queue_idx")]

    def __str__(self):
        return f"{self.application} {self.department.code}: {self.status}"


class CorrectionRequest(models.Model):
    application = models.ForeignKey(
        PermitApplication, on_delete=models.CASCADE, related_name="corrections"
    )
    step = models.ForeignKey(ReviewStep, null=True, blank=True, on_delete=models.SET_NULL)
    message = models.TextField(_("what to correct"))
    documents = models.JSONField(default=list, blank=True)  # requirement codes to upload again
    requested_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)
    answer = models.TextField(_("applicant's answer"), blank=True)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("correction request")
        verbose_name_plural = _("correction requests")

    def __str__(self):
        return f"{self.application}: {self.message[:40]}"


class Condition(models.Model):
    """A condition of approval. `before_issue` ones are holds: the permit is not
    issued until staff mark them met. Every condition is printed on the permit."""

    application = models.ForeignKey(
        PermitApplication, on_delete=models.CASCADE, related_name="conditions"
    )
    step = models.ForeignKey(ReviewStep, null=True, blank=True, on_delete=models.SET_NULL)
    text = models.TextField(_("condition"))
    before_issue = models.BooleanField(_("must be met before the permit is issued"), default=False)
    added_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)
    met_at = models.DateTimeField(null=True, blank=True)
    met_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["added_at", "id"]
        verbose_name = _("condition")
        verbose_name_plural = _("conditions")

    def __str__(self):
        return self.text[:60]


class PermitStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    EXPIRED = "expired", _("Expired")
    COMPLETED = "completed", _("Completed")


class Permit(models.Model):
    application = models.OneToOneField(
        PermitApplication, on_delete=models.CASCADE, related_name="permit"
    )
    number = models.CharField(_("permit number"), max_length=24, unique=True)
    status = models.CharField(
        max_length=10, choices=PermitStatus.choices, default=PermitStatus.ACTIVE
    )
    issued_at = models.DateTimeField(default=timezone.now)
    valid_from = models.DateField()
    valid_until = models.DateField(db_index=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # The valid_until a reminder was sent for: a renewal moves it, so the next one is sent too.
    reminded_for = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("permit")
        verbose_name_plural = _("permits")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gte=F("valid_from")), name="permit_dates"
            )
        ]

    def __str__(self):
        return self.number


class Renewal(models.Model):
    permit = models.ForeignKey(Permit, on_delete=models.CASCADE, related_name="renewals")
    invoice = models.ForeignKey(
        "payments.Invoice", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    requested_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    renewed_at = models.DateTimeField(null=True, blank=True)
    old_valid_until = models.DateField()
    new_valid_until = models.DateField(null=True, blank=True)
    document = models.ForeignKey(
        "documents.Document", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("renewal")
        verbose_name_plural = _("renewals")

    def __str__(self):
        return f"{self.permit} renewal"


class SlotPeriod(models.TextChoices):
    MORNING = "am", _("Morning (8 a.m. to noon)")
    AFTERNOON = "pm", _("Afternoon (1 p.m. to 5 p.m.)")


class InspectionSlot(models.Model):
    """Half a working day of the inspectors' time; `booked` never passes
    `capacity` (a conditional UPDATE takes a place; the database checks it)."""

    day = models.DateField()
    period = models.CharField(max_length=2, choices=SlotPeriod.choices)
    capacity = models.PositiveSmallIntegerField(default=4)
    booked = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["day", "period"]
        verbose_name = _("inspection slot")
        verbose_name_plural = _("inspection slots")
        constraints = [
            models.UniqueConstraint(fields=["day", "period"], name="permit_slot_unique"),
            models.CheckConstraint(
                condition=Q(booked__lte=F("capacity")), name="permit_slot_capacity"
            ),
        ]

    def __str__(self):
        return f"{self.day} {self.period}"

    @property
    def free(self) -> int:
        return self.capacity - self.booked


class InspectionStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    PASSED = "passed", _("Passed")
    FAILED = "failed", _("Failed")
    PARTIAL = "partial", _("Partly passed")
    CANCELLED = "cancelled", _("Cancelled")


class Inspection(models.Model):
    permit = models.ForeignKey(Permit, on_delete=models.CASCADE, related_name="inspections")
    inspection_type = models.ForeignKey(InspectionType, on_delete=models.PROTECT, related_name="+")
    slot = models.ForeignKey(InspectionSlot, on_delete=models.PROTECT, related_name="inspections")
    status = models.CharField(
        max_length=10, choices=InspectionStatus.choices, default=InspectionStatus.SCHEDULED
    )
    requested_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    access_notes = models.CharField(_("how to get in"), max_length=300, blank=True)
    inspector = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    inspected_at = models.DateTimeField(null=True, blank=True)
    checklist_results = models.JSONField(default=dict, blank=True)  # item code -> pass/fail/na
    notes = models.TextField(_("inspector's notes"), blank=True)

    class Meta:
        ordering = ["slot__day", "slot__period", "id"]
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        constraints = [
            # One open booking per inspection of a permit: re-book after a result.
            models.UniqueConstraint(
                fields=["permit", "inspection_type"],
                condition=Q(status="scheduled"),
                name="permit_one_open_inspection",
            )
        ]

    def __str__(self):
        return f"{self.permit} {self.inspection_type.code} {self.status}"


class InspectionPhoto(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="photos")
    attachment = models.OneToOneField(
        "cases.Attachment", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("inspection photo")
        verbose_name_plural = _("inspection photos")

    def __str__(self):
        return f"{self.inspection} photo {self.attachment_id}"
