"""Analysts and city administrators keep the cost inputs and pilots here
(permissions granted by migration 0002); survey answers are read-only."""

from django.contrib import admin

from .models import CostModel, DigitalServiceCost, Pilot, StaffRate, SurveyResponse


@admin.register(StaffRate)
class StaffRateAdmin(admin.ModelAdmin):
    list_display = ["role", "hourly_cents", "effective_from"]
    list_filter = ["role"]


@admin.register(CostModel)
class CostModelAdmin(admin.ModelAdmin):
    list_display = ["service", "channel", "effective_from", "intake_minutes", "review_minutes"]
    list_filter = ["service", "channel"]
    fieldsets = [
        (None, {"fields": ["service", "channel", "effective_from"]}),
        (
            "Staff time per transaction",
            {
                "fields": [
                    ("intake_minutes", "intake_role"),
                    ("review_minutes", "review_role"),
                    ("issue_minutes", "issue_role"),
                ]
            },
        ),
        (
            "Cash per transaction",
            {"fields": ["paper_cents", "postage_cents", "printing_cents", "payment_fee_cents"]},
        ),
        (
            "Resident's time and travel (soft)",
            {"fields": ["resident_minutes", "resident_travel_cents"]},
        ),
        (None, {"fields": ["notes"]}),
    ]


@admin.register(DigitalServiceCost)
class DigitalServiceCostAdmin(admin.ModelAdmin):
    list_display = [
        "service",
        "effective_from",
        "launched_on",
        "build_cost_cents",
        "staff_time_redeployed",
    ]
    list_filter = ["service", "staff_time_redeployed"]


@admin.register(Pilot)
class PilotAdmin(admin.ModelAdmin):
    list_display = ["service", "starts_on", "ends_on", "target_take_up_pct", "target_satisfaction"]
    list_filter = ["service"]


@admin.register(SurveyResponse)
class SurveyResponseAdmin(admin.ModelAdmin):
    list_display = ["service", "channel", "satisfaction", "trust", "answered_at"]
    list_filter = ["service", "channel", "satisfaction"]
    readonly_fields = [f.name for f in SurveyResponse._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
