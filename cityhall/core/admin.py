from django.contrib import admin

from .models import AuditEntry


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
