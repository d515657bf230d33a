from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from cityhall.core import audit
from cityhall.core.models import AuditAction

from . import services
from .models import ApiToken, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_active", "is_staff", "date_joined"]
    list_filter = ["is_active", "is_staff", "groups"]
    search_fields = ["email", "full_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Person"), {"fields": ["full_name", "preferred_language"]}),
        (_("Access"), {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]
    actions = ["reset_second_factor"]

    def save_related(self, request, form, formsets, change):
        """Role changes made here go to the audit log, in the admin's transaction."""
        before = set(form.instance.groups.values_list("name", flat=True)) if change else set()
        super().save_related(request, form, formsets, change)
        after = set(form.instance.groups.values_list("name", flat=True))
        superuser_changed = "is_superuser" in form.changed_data
        if before != after or superuser_changed:
            audit.record(
                AuditAction.ROLES_CHANGED,
                actor=request.user,
                object_type="user",
                object_id=form.instance.pk,
                payload={
                    "email": form.instance.email,
                    "added": ",".join(sorted(after - before)),
                    "removed": ",".join(sorted(before - after)),
                    "superuser": form.instance.is_superuser,
                },
            )

    @admin.action(description=_("Reset second factor (they enrol again at next sign-in)"))
    def reset_second_factor(self, request, queryset):
        for user in queryset:
            services.reset_second_factor(user=user, actor=request.user)
        self.message_user(request, _("Second factor reset."), messages.SUCCESS)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "user", "name", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["prefix", "user__email", "name"]
    readonly_fields = ["user", "prefix", "key_hash", "created_at", "last_used_at", "revoked_at"]
    fields = [*readonly_fields[:2], "name", *readonly_fields[2:]]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False  # issued with `cityhall api-token EMAIL` so the secret is shown once

    @admin.action(description=_("Revoke selected tokens"))
    def revoke(self, request, queryset):
        for token in queryset:
            services.revoke_api_token(token=token)
        self.message_user(request, _("Tokens revoked."), messages.SUCCESS)
