from django.contrib import admin

from .models import Comment, DigestOptOut, Idea, IdeaEvent, Support


class EventInline(admin.TabularInline):
    model = IdeaEvent
    extra = 0
    can_delete = False
    readonly_fields = ["kind", "from_state", "to_state", "note", "actor", "created_at"]
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Idea)
class IdeaAdmin(admin.ModelAdmin):
    """Read-mostly: states, merges and links change through the staff pages (services),
    so every change has its event and public note."""

    list_display = ["title", "department", "state", "estimated_saving_cents", "created_at"]
    list_filter = ["state", "department", "publish"]
    search_fields = ["title", "department", "proposed_change"]
    inlines = [EventInline]
    readonly_fields = [
        "state",
        "decline_reason",
        "hourly_cents",
        "estimated_saving_cents",
        "author",
        "service_code",
        "pilot",
        "merged_into",
        "publish",
        "author_name_consent",
        "created_at",
        "state_changed_at",
        "answered_at",
    ]


@admin.register(Support)
class SupportAdmin(admin.ModelAdmin):
    list_display = ["idea", "user", "created_at"]
    raw_id_fields = ["idea", "user"]


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["idea", "author", "created_at"]
    raw_id_fields = ["idea", "author"]


@admin.register(DigestOptOut)
class DigestOptOutAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at"]
    raw_id_fields = ["user"]
