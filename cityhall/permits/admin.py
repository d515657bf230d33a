"""Permit types are configured here (city administrators; the permit_reviewer
group may view). Applications, permits and inspections are read-only: they
change only through the services, where every change is on the timeline."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from cityhall.core.admin import PersonalDataAdmin
from cityhall.payments.admin import ReadOnlyAdmin

from .models import (
    Condition,
    Contact,
    Department,
    DocumentRequirement,
    Inspection,
    InspectionSlot,
    InspectionType,
    Permit,
    PermitApplication,
    PermitType,
    ReviewStep,
    ReviewStepTemplate,
    SubmittedDocument,
)


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name_en", "name_es"]
    filter_horizontal = ["members"]


class DocumentRequirementInline(admin.TabularInline):
    model = DocumentRequirement
    extra = 0


class ReviewStepTemplateInline(admin.TabularInline):
    model = ReviewStepTemplate
    extra = 0


class InspectionTypeInline(admin.StackedInline):
    model = InspectionType
    extra = 0


@admin.register(PermitType)
class PermitTypeAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name_en",
        "fee_schedule",
        "instant_issue",
        "validity_days",
        "renewable",
        "active",
    ]
    list_filter = ["active", "instant_issue", "renewable"]
    search_fields = ["code", "name_en", "name_es"]
    inlines = [DocumentRequirementInline, ReviewStepTemplateInline, InspectionTypeInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "code",
                    "active",
                    "order",
                    "name_en",
                    "name_es",
                    "summary_en",
                    "summary_es",
                ]
            },
        ),
        (_("Description"), {"fields": ["description_en", "description_es"]}),
        (
            "Who and where",
            {
                "fields": [
                    "applicant_roles",
                    "contractor",
                    "needs_address",
                    "address_label_en",
                    "address_label_es",
                ]
            },
        ),
        (_("Questions"), {"fields": ["questions"]}),
        (_("Fees"), {"fields": ["fee_schedule", "fee_items", "renewal_fee_items"]}),
        (_("Review and issue"), {"fields": ["review_days", "instant_issue", "validity_days"]}),
        (_("Renewal"), {"fields": ["renewable", "renewal_window_days", "reminder_days"]}),
        (_("Open data (BLDS)"), {"fields": ["permit_class", "blds_type", "work_class"]}),
    ]


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ContactInline(ReadOnlyInline):
    model = Contact


class DocumentInline(ReadOnlyInline):
    model = SubmittedDocument
    fields = ["requirement", "version", "attachment", "uploaded_at"]


class StepInline(ReadOnlyInline):
    model = ReviewStep
    fields = ["department", "stage", "status", "decided_by", "decided_at"]


class ConditionInline(ReadOnlyInline):
    model = Condition
    fields = ["text", "before_issue", "met_at"]


@admin.register(PermitApplication)
class PermitApplicationAdmin(PersonalDataAdmin, ReadOnlyAdmin):
    list_display = ["case", "permit_type", "street", "zip_code"]
    list_filter = ["permit_type"]
    search_fields = ["case__reference", "street"]
    list_select_related = ["case", "permit_type"]
    inlines = [ContactInline, DocumentInline, StepInline, ConditionInline]


@admin.register(Permit)
class PermitAdmin(PersonalDataAdmin, ReadOnlyAdmin):
    list_display = ["number", "status", "valid_from", "valid_until"]
    list_filter = ["status"]
    search_fields = ["number"]


@admin.register(InspectionSlot)
class InspectionSlotAdmin(admin.ModelAdmin):
    list_display = ["day", "period", "capacity", "booked"]
    readonly_fields = ["booked"]


@admin.register(Inspection)
class InspectionAdmin(ReadOnlyAdmin):
    list_display = ["permit", "inspection_type", "slot", "status", "inspector"]
    list_filter = ["status"]
