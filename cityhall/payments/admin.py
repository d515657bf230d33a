"""Fee schedules are configured here; invoices, payments and the ledger are read-only
(they change only through the finance pages, where every change is recorded)."""

from django.contrib import admin

from cityhall.core.admin import PersonalDataAdmin

from .models import FeeRule, FeeSchedule, FeeTier, Invoice, LedgerEntry, Payment, WebhookEvent


class FeeRuleInline(admin.StackedInline):
    model = FeeRule
    extra = 0
    show_change_link = True


@admin.register(FeeSchedule)
class FeeScheduleAdmin(admin.ModelAdmin):
    list_display = ["code", "name_en", "effective_from", "currency", "service"]
    list_filter = ["code"]
    search_fields = ["code", "name_en", "name_es"]
    inlines = [FeeRuleInline]


class FeeTierInline(admin.TabularInline):
    model = FeeTier
    extra = 0


@admin.register(FeeRule)
class FeeRuleAdmin(admin.ModelAdmin):
    list_display = ["schedule", "code", "label_en", "kind", "resident_cents", "non_resident_cents"]
    list_filter = ["kind", "schedule__code"]
    inlines = [FeeTierInline]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Invoice)
class InvoiceAdmin(PersonalDataAdmin, ReadOnlyAdmin):
    list_display = ["number", "case", "service", "total_cents", "currency", "status", "created_at"]
    list_filter = ["status", "service"]
    search_fields = ["number", "case__reference"]
    list_select_related = ["case"]


@admin.register(Payment)
class PaymentAdmin(PersonalDataAdmin, ReadOnlyAdmin):
    list_display = [
        "pk",
        "invoice",
        "provider",
        "status",
        "amount_cents",
        "refunded_cents",
        "created_at",
    ]
    list_filter = ["status", "provider"]
    search_fields = ["invoice__number", "checkout_reference", "provider_reference"]
    list_select_related = ["invoice"]


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = [
        "occurred_at",
        "kind",
        "amount_cents",
        "currency",
        "service",
        "provider",
        "invoice",
    ]
    list_filter = ["kind", "provider", "service"]
    list_select_related = ["invoice"]


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyAdmin):
    list_display = ["received_at", "provider", "event_type", "event_id", "outcome"]
    list_filter = ["provider", "outcome"]
    search_fields = ["event_id"]
