from django.contrib import admin

from cityhall.core.admin import PersonalDataAdmin

from .models import Case, CaseEvent, PersonalDataView


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    extra = 0
    can_delete = False
    fields = ["created_at", "kind", "actor", "from_status", "to_status", "reason", "public"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(PersonalDataAdmin):
    """Read-only: every change goes through the workflow on the staff pages."""

    list_display = ["reference", "service", "status", "channel", "submitted_at", "assigned_to"]
    list_filter = ["service", "status", "channel"]
    search_fields = ["reference", "contact_email", "contact_name"]
    date_hierarchy = "created_at"
    inlines = [CaseEventInline]
    list_select_related = ["assigned_to"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Case._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PersonalDataView)
class PersonalDataViewAdmin(admin.ModelAdmin):
    list_display = ["viewed_at", "viewer", "case_reference", "what"]
    list_filter = ["what"]
    search_fields = ["case_reference", "viewer__email"]
    date_hierarchy = "viewed_at"
    list_select_related = ["viewer", "case"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
