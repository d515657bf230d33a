from django.contrib import admin

from cityhall.core.admin import PersonalDataAdmin

from .models import PoliceReport, PoliceSettings, PropertyItem, RejectionReason, RmsExport


@admin.register(PoliceSettings)
class PoliceSettingsAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "online_value_limit_cents",
        "high_value_flag_cents",
        "supervisor_review_above_cents",
    ]

    def has_add_permission(self, request):
        return not PoliceSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RejectionReason)
class RejectionReasonAdmin(admin.ModelAdmin):
    list_display = ["code", "label_en", "label_es", "active", "order"]
    list_editable = ["active", "order"]


class PropertyItemInline(admin.TabularInline):
    model = PropertyItem
    extra = 0
    can_delete = False
    fields = [
        "position",
        "category",
        "description",
        "brand",
        "model",
        "serial_number",
        "quantity",
        "value_cents",
    ]
    readonly_fields = fields


@admin.register(PoliceReport)
class PoliceReportAdmin(PersonalDataAdmin):
    """Read-only: officers decide on the staff pages, where views are logged."""

    list_display = ["case", "report_number", "kind", "total_value_cents", "created_at"]
    list_filter = ["kind", "case__status"]
    search_fields = ["case__reference", "report_number"]
    inlines = [PropertyItemInline]
    list_select_related = ["case"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in PoliceReport._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RmsExport)
class RmsExportAdmin(admin.ModelAdmin):
    list_display = ["report", "status", "attempts", "last_attempt_at", "sent_at"]
    list_filter = ["status"]
    readonly_fields = ["report", "status", "attempts", "last_error", "last_attempt_at", "sent_at"]
