"""What staff configure in the admin: departments, permit types and, per type,
the documents to upload, the review steps and the inspections."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .questions import parse_definitions


def in_language(obj, field: str, language: str | None = None) -> str:
    spanish = (language or get_language() or "en")[:2] == "es"
    return getattr(obj, f"{field}_es" if spanish else f"{field}_en")


class Department(models.Model):
    """A city department that reviews permits (building, zoning, public works…).
    `members` are the permit reviewers who work its steps; a reviewer who is a
    member of no department sees every department's steps (a small city)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=120)
    name_es = models.CharField(_("name (Spanish)"), max_length=120)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="permit_departments",
        verbose_name=_("reviewers"),
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self):
        return self.name_en

    def name(self, language: str | None = None) -> str:
        return in_language(self, "name", language)


class ApplicantRole(models.TextChoices):
    OWNER = "owner", _("The property owner")
    CONTRACTOR = "contractor", _("A licensed contractor")
    AGENT = "agent", _("Someone acting for the owner")
    BUSINESS = "business", _("The business owner")
    ORGANIZER = "organizer", _("The event organizer")


class ContractorRule(models.TextChoices):
    NONE = "none", _("Not asked")
    OPTIONAL = "optional", _("Optional")
    REQUIRED = "required", _("Required")


class PermitType(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=150)
    name_es = models.CharField(_("name (Spanish)"), max_length=150)
    summary_en = models.CharField(_("summary (English)"), max_length=300)
    summary_es = models.CharField(_("summary (Spanish)"), max_length=300)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_es = models.TextField(_("description (Spanish)"), blank=True)
    # BLDS: PermitClass (Residential, Commercial…) and PermitType (Fence, Building…).
    permit_class = models.CharField(_("class (BLDS PermitClass)"), max_length=40)
    blds_type = models.CharField(_("type (BLDS PermitType)"), max_length=60)
    work_class = models.CharField(
        _("work class (BLDS WorkClass)"), max_length=40, blank=True, default="New"
    )

    applicant_roles = models.JSONField(
        _("who may apply"),
        default=list,
        help_text=_("A list of: owner, contractor, agent, business, organizer."),
    )
    needs_address = models.BooleanField(_("asks for an address in the city"), default=True)
    address_label_en = models.CharField(max_length=120, default="Where the work happens")
    address_label_es = models.CharField(max_length=120, default="Dónde se hace el trabajo")
    contractor = models.CharField(
        _("contractor"), max_length=10, choices=ContractorRule.choices, default=ContractorRule.NONE
    )
    questions = models.JSONField(
        _("questions"),
        default=list,
        blank=True,
        help_text=_(
            'A list of {"key", "type", "label_en", "label_es", "required", "min", "max", '
            '"choices"}; types: text, textarea, integer, money, date, choice, yesno. '
            "See docs/permits.md."
        ),
    )
    fee_schedule = models.SlugField(
        _("fee schedule"), max_length=60, blank=True, help_text=_("A payments fee schedule code.")
    )
    fee_items = models.JSONField(
        _("fee items"),
        default=list,
        blank=True,
        help_text=_(
            'A list of {"code": <fee rule>, "value_from": <question key>, '
            '"quantity_from": <question key>}.'
        ),
    )
    renewal_fee_items = models.JSONField(_("renewal fee items"), default=list, blank=True)
    review_days = models.PositiveSmallIntegerField(
        _("days to review (shown as expected)"), default=10
    )
    instant_issue = models.BooleanField(
        _("issued the moment it is paid"),
        default=False,
        help_text=_("No review steps: the permit is issued as soon as payment succeeds."),
    )
    validity_days = models.PositiveSmallIntegerField(_("valid for (days)"), default=180)
    renewable = models.BooleanField(_("can be renewed"), default=False)
    renewal_window_days = models.PositiveSmallIntegerField(
        _("renewal opens (days before expiry)"), default=30
    )
    reminder_days = models.PositiveSmallIntegerField(_("expiry reminder (days before)"), default=14)
    active = models.BooleanField(_("open for applications"), default=True)
    order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("permit type")
        verbose_name_plural = _("permit types")
        constraints = [
            models.CheckConstraint(condition=Q(validity_days__gt=0), name="permit_type_validity")
        ]

    def __str__(self):
        return self.name_en

    def name(self, language: str | None = None) -> str:
        return in_language(self, "name", language)

    def summary(self, language: str | None = None) -> str:
        return in_language(self, "summary", language)

    def description(self, language: str | None = None) -> str:
        return in_language(self, "description", language)

    def address_label(self, language: str | None = None) -> str:
        return in_language(self, "address_label", language)

    def question_list(self):
        return parse_definitions(self.questions)

    def clean(self):
        errors = {}
        try:
            questions = {q.key: q for q in parse_definitions(self.questions)}
        except ValidationError as error:
            errors["questions"] = error.messages
            questions = {}
        roles = self.applicant_roles
        if not isinstance(roles, list) or not roles or set(roles) - set(ApplicantRole.values):
            errors["applicant_roles"] = [
                _("List who may apply: %(roles)s.") % {"roles": ", ".join(ApplicantRole.values)}
            ]
        for field in ("fee_items", "renewal_fee_items"):
            problem = _fee_items_problem(getattr(self, field), questions)
            if problem:
                errors[field] = [problem]
        if self.fee_items and not self.fee_schedule:
            errors["fee_schedule"] = [_("Fee items need a fee schedule.")]
        if self.renewable and not self.renewal_fee_items:
            errors["renewal_fee_items"] = [_("A renewable permit needs a renewal fee.")]
        if errors:
            raise ValidationError(errors)


def _fee_items_problem(items, questions) -> str | None:
    if not isinstance(items, list):
        return str(_("Fee items must be a list."))
    for item in items:
        if not isinstance(item, dict) or not item.get("code"):
            return str(_("Each fee item needs a code (a rule of the fee schedule)."))
        for source in ("value_from", "quantity_from"):
            key = item.get(source)
            if key and (key not in questions or questions[key].type not in ("integer", "money")):
                return str(
                    _("%(source)s must name a number or money question, not %(key)s.")
                    % {"source": source, "key": key}
                )
    return None


class DocumentRequirement(models.Model):
    permit_type = models.ForeignKey(
        PermitType, on_delete=models.CASCADE, related_name="document_requirements"
    )
    code = models.SlugField(_("code"), max_length=40)
    name_en = models.CharField(_("name (English)"), max_length=150)
    name_es = models.CharField(_("name (Spanish)"), max_length=150)
    help_en = models.CharField(_("hint (English)"), max_length=300, blank=True)
    help_es = models.CharField(_("hint (Spanish)"), max_length=300, blank=True)
    required = models.BooleanField(_("required"), default=True)
    allow_pdf = models.BooleanField(_("PDF allowed"), default=True)
    allow_images = models.BooleanField(_("photos allowed (JPEG, PNG, WebP)"), default=False)
    max_megabytes = models.PositiveSmallIntegerField(_("largest file (MB)"), default=8)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["permit_type", "order", "id"]
        verbose_name = _("required document")
        verbose_name_plural = _("required documents")
        constraints = [
            models.UniqueConstraint(fields=["permit_type", "code"], name="permit_document_code"),
            models.CheckConstraint(
                condition=Q(allow_pdf=True) | Q(allow_images=True), name="permit_document_types"
            ),
        ]

    def __str__(self):
        return f"{self.permit_type.code}/{self.code}"

    def name(self, language: str | None = None) -> str:
        return in_language(self, "name", language)

    def help(self, language: str | None = None) -> str:
        return in_language(self, "help", language)

    @property
    def content_types(self) -> set[str]:
        from cityhall.cases.uploads import IMAGE_TYPES, PDF_TYPE

        return ({PDF_TYPE} if self.allow_pdf else set()) | (
            IMAGE_TYPES if self.allow_images else set()
        )

    @property
    def max_bytes(self) -> int:
        return self.max_megabytes * 1_000_000


class ReviewStepTemplate(models.Model):
    """One department's review of a type. Steps with the same `stage` run in
    parallel; a stage starts when every step of the stages before it approved."""

    permit_type = models.ForeignKey(
        PermitType, on_delete=models.CASCADE, related_name="review_steps"
    )
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    stage = models.PositiveSmallIntegerField(_("stage"), default=1)

    class Meta:
        ordering = ["permit_type", "stage", "department__code"]
        verbose_name = _("review step")
        verbose_name_plural = _("review steps")
        constraints = [
            models.UniqueConstraint(fields=["permit_type", "department"], name="permit_review_step")
        ]

    def __str__(self):
        return f"{self.permit_type.code}: {self.department.code} (stage {self.stage})"


class InspectionType(models.Model):
    """An inspection an issued permit needs, with its checklist. Passing the
    `final` one completes (closes) the permit."""

    permit_type = models.ForeignKey(
        PermitType, on_delete=models.CASCADE, related_name="inspection_types"
    )
    code = models.SlugField(_("code"), max_length=40)
    name_en = models.CharField(_("name (English)"), max_length=150)
    name_es = models.CharField(_("name (Spanish)"), max_length=150)
    checklist = models.JSONField(
        _("checklist"),
        default=list,
        help_text=_('A list of {"code", "label_en", "label_es"}.'),
    )
    final = models.BooleanField(_("final inspection"), default=False)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["permit_type", "order", "id"]
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        constraints = [
            models.UniqueConstraint(fields=["permit_type", "code"], name="permit_inspection_code")
        ]

    def __str__(self):
        return f"{self.permit_type.code}/{self.code}"

    def name(self, language: str | None = None) -> str:
        return in_language(self, "name", language)

    def items(self, language: str | None = None) -> list[tuple[str, str]]:
        spanish = (language or get_language() or "en")[:2] == "es"
        return [(i["code"], i["label_es"] if spanish else i["label_en"]) for i in self.checklist]

    def clean(self):
        items = self.checklist
        if (
            not isinstance(items, list)
            or not items
            or not all(
                isinstance(i, dict) and i.get("code") and i.get("label_en") and i.get("label_es")
                for i in items
            )
            or len({i["code"] for i in items}) != len(items)
        ):
            raise ValidationError(
                {"checklist": _("List the items to check, each with a unique code and two labels.")}
            )
