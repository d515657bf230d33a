"""Services defined by the digital team: a definition (a JSON document edited in
the builder), its immutable published versions, and the submissions made with
them. See docs/formbuilder.md and docs/decisions/0009-formbuilder-services.md."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ServiceStatus(models.TextChoices):
    DRAFT = "draft", _("Draft (never published)")
    PUBLISHED = "published", _("Published")
    UNPUBLISHED = "unpublished", _("Unpublished")


class FormService(models.Model):
    """A service being built. `draft` is what the builder edits; residents only ever
    see `current_version` (a frozen copy), and only while the status is published."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    prefix = models.CharField(_("reference prefix"), max_length=4, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=120)
    name_es = models.CharField(_("name (Spanish)"), max_length=120)
    status = models.CharField(
        max_length=12, choices=ServiceStatus.choices, default=ServiceStatus.DRAFT
    )
    draft = models.JSONField(default=dict)
    # The digital team's choice: counts of its cases by month and status go out
    # as an open dataset (opendata). Never the answers, which may hold personal data.
    publish_open_data = models.BooleanField(_("publish counts as open data"), default=False)
    current_version = models.ForeignKey(
        "FormVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name_en"]

    def __str__(self):
        return self.name_en


class FormVersion(models.Model):
    """A published definition, never changed: submissions point at the one they used."""

    service = models.ForeignKey(FormService, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    definition = models.JSONField()
    published_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["service", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["service", "number"], name="formbuilder_version_unique")
        ]

    def __str__(self):
        return f"{self.service.code} v{self.number}"


class CatalogueState(models.Model):
    """One row whose token changes on every publish/unpublish: each web process
    compares it with the token its cached service types were built from."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    token = models.UUIDField(default=uuid.uuid4)
    changed_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return str(self.token)


class Submission(models.Model):
    """A resident's answers to one published version, tied 1:1 to its case."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="formbuilder")
    version = models.ForeignKey(FormVersion, on_delete=models.PROTECT, related_name="submissions")
    answers = models.JSONField(default=dict, blank=True)
    fee_cents = models.PositiveIntegerField(default=0)
    invoice = models.ForeignKey(
        "payments.Invoice", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return self.case.reference
