from django.contrib import admin
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import Document


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    """Read-only: documents are issued by services.issue_document and never changed."""

    list_display = ["verification_code", "kind", "case", "issued_at", "issued_by", "current"]
    list_filter = ["kind", "language"]
    search_fields = ["verification_code", "case__reference", "title"]
    list_select_related = ["case", "issued_by"]
    fields = [
        "verification_code",
        "kind",
        "title",
        "language",
        "case",
        "issued_at",
        "issued_by",
        "supersedes",
        "correction_reason",
        "sha256",
        "size",
        "links",
        "spec",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        newer = Document.objects.filter(supersedes=OuterRef("pk"))
        return super().get_queryset(request).annotate(_is_current=~Exists(newer))

    @admin.display(boolean=True, description=_("current"), ordering="_is_current")
    def current(self, obj):
        return obj._is_current

    @admin.display(description=_("links"))
    def links(self, obj):
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a>',
            reverse("documents:verify-code", kwargs={"code": obj.verification_code}),
            _("verification page"),
            reverse("documents:document-pdf", kwargs={"code": obj.verification_code}),
            _("PDF"),
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
