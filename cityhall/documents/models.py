import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def document_path(instance, filename):
    # Not the reference or the code: a file name must not open the document.
    year = timezone.localtime(instance.issued_at).year
    return f"documents/{year}/{uuid.uuid4().hex}.pdf"


class Document(models.Model):
    """A PDF the city issued, as issued: never changed afterwards.

    A correction is a new Document that `supersedes` the old one; the old one
    stays, and its verification page points to the current version. The
    unique constraint on `supersedes` keeps versions a single chain: two
    people correcting the same version at once cannot both succeed.
    """

    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    kind = models.SlugField(_("kind"), max_length=40)
    title = models.CharField(_("title"), max_length=300)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    verification_code = models.CharField(_("verification code"), max_length=11, unique=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveIntegerField(_("size in bytes"))
    file = models.FileField(upload_to=document_path, max_length=255)
    spec = models.JSONField(_("content"))  # DocumentSpec.to_dict(): the accessible HTML view
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now, db_index=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="issued_documents",
    )
    supersedes = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    correction_reason = models.TextField(_("reason for correction"), blank=True)

    class Meta:
        verbose_name = _("issued document")
        verbose_name_plural = _("issued documents")
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["supersedes"], name="document_superseded_once"),
        ]

    def __str__(self):
        return f"{self.verification_code} {self.title}"

    @property
    def is_current(self) -> bool:
        """No newer version supersedes this one."""
        return not self.superseded_by.exists()

    def next_version(self):
        return self.superseded_by.first()

    def current_version(self):
        """The newest version in this document's chain of corrections (itself when current)."""
        document = self
        while (newer := document.superseded_by.first()) is not None:
            document = newer
        return document
