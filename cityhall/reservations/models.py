"""Facilities, their bookable units and rules, opening hours, and bookings.

What must hold however many web servers run: two active occurrences of one
unit never overlap, buffers included. Each occurrence stores the range it
takes out of the unit (`blocked_from`..`blocked_until`: its start and end
widened by the unit's buffers when it was booked) and whether it is
`active`. The services lock the unit row and check; on PostgreSQL an
exclusion constraint over `tstzrange(blocked_from, blocked_until)` and the
unit (migration 0002) refuses an overlap even from code that forgot to.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


def in_language(obj, field: str, language: str | None = None) -> str:
    """The Spanish text when the language is Spanish and there is one, else the English."""
    language = (language or get_language() or "en")[:2]
    if language == "es":
        return getattr(obj, f"{field}_es") or getattr(obj, f"{field}_en")
    return getattr(obj, f"{field}_en")


class FacilityKind(models.TextChoices):
    PARK = "park", _("Park")
    COMMUNITY_CENTER = "community_center", _("Community center")
    SPORTS = "sports", _("Sports complex")
    OTHER = "other", _("Other")


class UnitKind(models.TextChoices):
    SHELTER = "shelter", _("Picnic shelter")
    ROOM = "room", _("Meeting room")
    HALL = "hall", _("Hall")
    FIELD = "field", _("Sports field")
    COURT = "court", _("Court")
    OTHER = "other", _("Other space")


class RateUnit(models.TextChoices):
    HOUR = "hour", _("Per hour")
    DAY = "day", _("Per day")


class Amenity(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=100)
    name_es = models.CharField(_("name (Spanish)"), max_length=100)

    class Meta:
        verbose_name = _("amenity")
        verbose_name_plural = _("amenities")
        ordering = ["name_en"]

    def __str__(self):
        return self.name_en

    def name(self, language: str | None = None) -> str:
        return in_language(self, "name", language)


class Facility(models.Model):
    """A park, a community center: where the bookable units are."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=FacilityKind.choices)
    address = models.CharField(_("address"), max_length=300)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    description_en = models.TextField(_("description (English)"), blank=True)
    description_es = models.TextField(_("description (Spanish)"), blank=True)
    accessibility_en = models.TextField(_("accessibility (English)"), blank=True)
    accessibility_es = models.TextField(_("accessibility (Spanish)"), blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("email"), blank=True)
    amenities = models.ManyToManyField(Amenity, blank=True, related_name="facilities")
    active = models.BooleanField(_("bookable online"), default=True)

    class Meta:
        verbose_name = _("facility")
        verbose_name_plural = _("facilities")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def description(self, language=None):
        return in_language(self, "description", language)

    def accessibility(self, language=None):
        return in_language(self, "accessibility", language)


def photo_path(instance, filename):
    return f"reservations/photos/{instance.facility_id}/{uuid.uuid4().hex}.jpg"


class FacilityPhoto(models.Model):
    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("photo"), upload_to=photo_path, max_length=255)
    alt_en = models.CharField(_("description for screen readers (English)"), max_length=200)
    alt_es = models.CharField(
        _("description for screen readers (Spanish)"), max_length=200, blank=True
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["facility", "position", "id"]

    def __str__(self):
        return self.alt_en

    def alt(self, language=None):
        return in_language(self, "alt", language)


class Unit(models.Model):
    """What is booked: shelter A, room 2, field 3; with its rules and its prices."""

    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="units")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices)
    capacity = models.PositiveIntegerField(_("capacity (people)"))
    description_en = models.TextField(_("description (English)"), blank=True)
    description_es = models.TextField(_("description (Spanish)"), blank=True)
    accessibility_en = models.TextField(_("accessibility (English)"), blank=True)
    accessibility_es = models.TextField(_("accessibility (Spanish)"), blank=True)
    terms_en = models.TextField(_("rules of use (English)"), blank=True)
    terms_es = models.TextField(_("rules of use (Spanish)"), blank=True)
    amenities = models.ManyToManyField(Amenity, blank=True, related_name="units")
    active = models.BooleanField(_("bookable online"), default=True)

    # ---- rules ----
    min_duration = models.DurationField(_("shortest booking"), default=timedelta(hours=1))
    max_duration = models.DurationField(_("longest booking"), default=timedelta(hours=4))
    start_interval_minutes = models.PositiveSmallIntegerField(
        _("bookings start every (minutes)"), default=30
    )
    buffer_before = models.DurationField(_("kept free before each booking"), default=timedelta(0))
    buffer_after = models.DurationField(_("kept free after each booking"), default=timedelta(0))
    opens_days_ahead = models.PositiveSmallIntegerField(_("booking opens (days ahead)"), default=90)
    closes_hours_before = models.PositiveSmallIntegerField(
        _("booking closes (hours before the start)"), default=24
    )
    residents_first_days = models.PositiveSmallIntegerField(
        _("residents-only days"),
        default=0,
        help_text=_(
            "Residents can book this many days earlier than everyone else (0: everyone at once)."
        ),
    )
    max_active_per_person = models.PositiveSmallIntegerField(
        _("most active bookings per person"), null=True, blank=True
    )
    needs_approval = models.BooleanField(_("staff approve each booking"), default=False)
    allow_overnight = models.BooleanField(_("bookings may go past midnight"), default=False)
    cancel_hours_before = models.PositiveSmallIntegerField(
        _("residents can cancel or change until (hours before the start)"), default=48
    )
    refund_percent = models.PositiveSmallIntegerField(
        _("refund when cancelled in time (percent of the rental)"), default=100
    )

    # ---- prices (payments fee schedules; no schedule: free) ----
    fee_schedule = models.SlugField(_("fee schedule"), max_length=60, blank=True)
    rate_rule = models.SlugField(_("rate item of the schedule"), max_length=60, blank=True)
    rate_unit = models.CharField(
        _("charged"), max_length=4, choices=RateUnit.choices, default=RateUnit.HOUR
    )
    deposit_rule = models.SlugField(
        _("deposit item of the schedule"),
        max_length=60,
        blank=True,
        help_text=_("A flat item, refunded after the booking unless staff keep it."),
    )

    class Meta:
        verbose_name = _("bookable unit")
        verbose_name_plural = _("bookable units")
        ordering = ["facility__name", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(min_duration__gt=timedelta(0))
                & Q(max_duration__gte=F("min_duration"))
                & Q(start_interval_minutes__gt=0)
                & Q(refund_percent__lte=100)
                & Q(capacity__gt=0),
                name="unit_rules_sane",
            )
        ]

    def __str__(self):
        return f"{self.facility.name}: {self.name}"

    @property
    def interval(self) -> timedelta:
        return timedelta(minutes=self.start_interval_minutes)

    @property
    def is_free(self) -> bool:
        return not self.fee_schedule

    def description(self, language=None):
        return in_language(self, "description", language)

    def accessibility(self, language=None):
        return in_language(self, "accessibility", language)

    def terms(self, language=None):
        return in_language(self, "terms", language)


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class OpeningHours(models.Model):
    """Open from `opens` to `closes` on a weekday, local time. `closes` at or
    before `opens` means the next day (18:00-02:00; 00:00-00:00 is all day)."""

    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="hours")
    weekday = models.PositiveSmallIntegerField(_("day"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        ordering = ["facility", "weekday", "opens"]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.opens:%H:%M}-{self.closes:%H:%M}"


class HoursException(models.Model):
    """Dated exceptions: closed (holidays, maintenance) or other hours, for whole days."""

    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="exceptions")
    first_day = models.DateField(_("from"))
    last_day = models.DateField(_("until (included)"))
    closed = models.BooleanField(_("closed"), default=True)
    opens = models.TimeField(_("opens"), null=True, blank=True)
    closes = models.TimeField(_("closes"), null=True, blank=True)
    reason_en = models.CharField(_("reason (English)"), max_length=200)
    reason_es = models.CharField(_("reason (Spanish)"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("closure or special hours")
        verbose_name_plural = _("closures and special hours")
        ordering = ["facility", "first_day"]
        constraints = [
            models.CheckConstraint(
                condition=Q(last_day__gte=F("first_day"))
                & (Q(closed=True) | (Q(opens__isnull=False) & Q(closes__isnull=False))),
                name="hours_exception_sane",
            )
        ]

    def __str__(self):
        return f"{self.facility} {self.first_day}–{self.last_day}: {self.reason_en}"

    def reason(self, language=None):
        return in_language(self, "reason", language)


class Block(models.Model):
    """Staff take a unit out of use for a time: maintenance, a city event."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="blocks")
    start = models.DateTimeField(_("from"))
    end = models.DateTimeField(_("until"))
    reason = models.CharField(_("reason"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("block")
        verbose_name_plural = _("blocks")
        ordering = ["unit", "start"]
        indexes = [models.Index(fields=["unit", "end"], name="block_unit_end_idx")]
        constraints = [models.CheckConstraint(condition=Q(end__gt=F("start")), name="block_sane")]

    def __str__(self):
        return f"{self.unit} {self.start:%Y-%m-%d %H:%M}: {self.reason}"


class Booking(models.Model):
    """A resident's booking of one unit: one time, or a weekly series of times.
    Tied 1:1 to its case (reference, status, timeline)."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="booking")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="bookings")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="bookings",
    )
    attendees = models.PositiveIntegerField(_("people"))
    purpose = models.CharField(_("purpose"), max_length=300)
    resident = models.BooleanField(_("resident rates"), default=True)
    series = models.JSONField(_("repeats"), default=dict, blank=True)  # {"weeks": 10, ...}
    hold_expires_at = models.DateTimeField(null=True, blank=True, db_index=True)
    price_cents = models.BigIntegerField(_("rental, cents"), default=0)
    deposit_cents = models.BigIntegerField(_("deposit, cents"), default=0)
    invoice = models.ForeignKey(
        "payments.Invoice", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    waitlist_entry = models.OneToOneField(
        "WaitlistEntry",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="offered_booking",
    )
    deposit_kept_reason = models.TextField(blank=True)
    deposit_settled_at = models.DateTimeField(null=True, blank=True)
    calendar_sequence = models.PositiveIntegerField(default=0)  # bumped on every change (.ics)
    notified_sequence = models.PositiveIntegerField(default=0)  # the last change emailed
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        indexes = [models.Index(fields=["user", "unit"], name="booking_user_unit_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(attendees__gt=0) & Q(price_cents__gte=0) & Q(deposit_cents__gte=0),
                name="booking_amounts_sane",
            )
        ]

    def __str__(self):
        return f"{self.case.reference} {self.unit}"

    @property
    def is_series(self) -> bool:
        return bool(self.series)


class Occurrence(models.Model):
    """One time a booking takes a unit. `active` while it holds the time (held,
    requested or confirmed, and not cancelled on its own)."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="occurrences")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="occurrences")
    start = models.DateTimeField()
    end = models.DateTimeField()
    blocked_from = models.DateTimeField()  # start minus the buffer before
    blocked_until = models.DateTimeField()  # end plus the buffer after
    active = models.BooleanField(default=True)
    # A copy of the booking's hold expiry, so availability reads need no join.
    held_until = models.DateTimeField(null=True, blank=True)
    price_cents = models.BigIntegerField(default=0)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.TextField(blank=True)

    class Meta:
        verbose_name = _("booked time")
        verbose_name_plural = _("booked times")
        ordering = ["start", "id"]
        indexes = [
            models.Index(
                fields=["unit", "blocked_from"],
                condition=Q(active=True),
                name="occurrence_unit_active_idx",
            ),
            models.Index(
                fields=["blocked_from"], condition=Q(active=True), name="occurrence_active_idx"
            ),
            models.Index(fields=["unit", "start"], name="occurrence_unit_start_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start"))
                & Q(blocked_from__lte=F("start"))
                & Q(blocked_until__gte=F("end")),
                name="occurrence_sane",
            )
        ]

    def __str__(self):
        return f"{self.unit_id} {self.start:%Y-%m-%d %H:%M}"


class WaitlistStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    OFFERED = "offered", _("Offered")
    BOOKED = "booked", _("Booked")
    LAPSED = "lapsed", _("Lapsed")
    LEFT = "left", _("Left the waitlist")


class WaitlistEntry(models.Model):
    """Someone who wants a taken time: offered it first (a hold) when it is freed."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="waitlist")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="waitlist_entries"
    )
    start = models.DateTimeField()
    end = models.DateTimeField()
    attendees = models.PositiveIntegerField()
    purpose = models.CharField(max_length=300)
    resident = models.BooleanField(default=True)
    language = models.CharField(max_length=8, default="en")
    status = models.CharField(
        max_length=10, choices=WaitlistStatus.choices, default=WaitlistStatus.WAITING
    )
    created_at = models.DateTimeField(default=timezone.now)
    offered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("waitlist entry")
        verbose_name_plural = _("waitlist entries")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["unit", "status", "start"], name="waitlist_unit_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "user", "start", "end"],
                condition=Q(status="waiting"),
                name="waitlist_once_per_time",
            ),
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="waitlist_sane"),
        ]

    def __str__(self):
        return f"{self.unit_id} {self.start:%Y-%m-%d %H:%M} {self.user_id}"
