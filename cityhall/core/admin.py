from django.contrib import admin

from . import audit
from .models import AuditAction, AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the log is append-only (core/audit.py), even for superusers."""

    list_display = ("seq", "at", "action", "actor_email", "object_type", "object_id", "ip")
    list_filter = ("action", "object_type", "at")
    search_fields = ("actor_email", "object_id", "request_id")
    date_hierarchy = "at"
    show_full_result_count = False  # COUNT(*) over years of entries is slow

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PersonalDataAdmin(admin.ModelAdmin):
    """For models holding residents' personal data: opening one in the admin is
    a staff read, so it goes to the audit log like the staff pages' reads."""

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:
            audit.record(
                AuditAction.PERSONAL_DATA_VIEWED,
                actor=request.user,
                object_type=self.model._meta.label_lower[:40],
                object_id=str(object_id)[:64],
                payload={"what": "admin"},
            )
        return response
