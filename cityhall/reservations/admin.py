"""Facility managers set up facilities, units, rules, hours and closures here."""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.forms import ModelForm
from django.utils.translation import gettext_lazy as _

from cityhall.core.admin import PersonalDataAdmin

from .models import (
    Amenity,
    Block,
    Booking,
    Facility,
    FacilityPhoto,
    HoursException,
    Occurrence,
    OpeningHours,
    Unit,
    WaitlistEntry,
)


@admin.register(Amenity)
class AmenityAdmin(admin.ModelAdmin):
    list_display = ["code", "name_en", "name_es"]


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0


class HoursExceptionInline(admin.TabularInline):
    model = HoursException
    extra = 0


class FacilityPhotoForm(ModelForm):
    """Staff photos go through the same checks as residents' (cases.uploads) and are
    kept as a re-encoded JPEG, the type the public photo page serves them as."""

    class Meta:
        model = FacilityPhoto
        fields = ["image", "alt_en", "alt_es", "position"]

    def clean_image(self):
        from django.core.files.uploadedfile import SimpleUploadedFile

        from cityhall.cases.uploads import IMAGE_TYPES, UploadRejected, clean_upload, to_jpeg

        image = self.cleaned_data.get("image")
        if not isinstance(image, UploadedFile):
            return image  # unchanged: already checked when it was added
        try:
            clean = clean_upload(image, allowed=IMAGE_TYPES)
        except UploadRejected as error:
            raise ValidationError(str(error)) from error
        return SimpleUploadedFile("photo.jpg", to_jpeg(clean.data), content_type="image/jpeg")


class FacilityPhotoInline(admin.TabularInline):
    model = FacilityPhoto
    form = FacilityPhotoForm
    extra = 0


@admin.register(Facility)
class FacilityAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "address", "active"]
    list_filter = ["kind", "active"]
    filter_horizontal = ["amenities"]
    inlines = [OpeningHoursInline, HoursExceptionInline, FacilityPhotoInline]


class UnitForm(ModelForm):
    class Meta:
        model = Unit
        fields = "__all__"  # noqa: DJ007  (every rule is edited here)

    def clean(self):
        data = super().clean()
        step = data.get("start_interval_minutes")
        for name in ("min_duration", "max_duration"):
            length = data.get(name)
            if step and length and length.total_seconds() % (step * 60):
                self.add_error(name, ValidationError(_("Use a whole number of start intervals.")))
        if data.get("fee_schedule") and not data.get("rate_rule"):
            self.add_error("rate_rule", ValidationError(_("Name the schedule's rate item.")))
        return data


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    form = UnitForm
    list_display = [
        "name",
        "facility",
        "kind",
        "capacity",
        "needs_approval",
        "fee_schedule",
        "active",
    ]
    list_filter = ["facility", "kind", "needs_approval", "active"]
    filter_horizontal = ["amenities"]


@admin.register(Block)
class BlockAdmin(admin.ModelAdmin):
    list_display = ["unit", "start", "end", "reason", "created_by"]
    list_filter = ["unit__facility"]


class OccurrenceInline(admin.TabularInline):
    model = Occurrence
    extra = 0
    can_delete = False
    fields = ["start", "end", "blocked_from", "blocked_until", "active", "price_cents"]
    readonly_fields = fields


@admin.register(Booking)
class BookingAdmin(PersonalDataAdmin):
    """Read-only: bookings change through the staff pages, which keep the rules."""

    list_display = ["case", "unit", "user", "attendees", "created_at"]
    list_filter = ["unit__facility"]
    search_fields = ["case__reference", "user__email"]
    inlines = [OccurrenceInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(WaitlistEntry)
class WaitlistEntryAdmin(admin.ModelAdmin):
    list_display = ["unit", "start", "end", "user", "status", "created_at"]
    list_filter = ["status"]

    def has_add_permission(self, request):
        return False
