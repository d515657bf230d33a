"""Input for the booking pages. Forms turn what people type (local dates and
wall times) into instants and say clearly what is wrong; the rules
themselves are the services' (their messages are put next to the fields)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .errors import NON_FIELD
from .models import Amenity, Facility, FacilityKind, Unit, UnitKind
from .timeutil import WallTimeError, exact_wall, fmt_duration, fmt_time, is_sane_day, iso

YES_NO_RESIDENT = [
    ("yes", gettext_lazy("Yes, I live in the city")),
    ("no", gettext_lazy("No")),
]
DATE_FORMATS = ["%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y"]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def sane_day(value: date) -> None:
    if not is_sane_day(value):
        raise ValidationError(gettext_lazy("Enter a real date, for example 2026-12-01."))


def date_field(label, **kwargs) -> forms.DateField:
    return forms.DateField(
        label=label,
        input_formats=DATE_FORMATS,
        widget=DateInput(),
        validators=[sane_day],
        error_messages={
            "required": gettext_lazy("Enter a date."),
            "invalid": gettext_lazy("Enter a real date, for example 2026-12-01."),
        },
        **kwargs,
    )


def time_choices(step_minutes: int = 30, *, blank: str | None = None) -> list[tuple[str, str]]:
    choices = [("", blank)] if blank is not None else []
    moment = datetime(2000, 1, 1)  # noqa: DTZ001  (a wall-clock label, no instant)
    for _i in range(24 * 60 // step_minutes):
        choices.append(
            (moment.strftime("%H:%M"), formats.time_format(moment.time(), "TIME_FORMAT"))
        )
        moment += timedelta(minutes=step_minutes)
    return choices


def parse_hhmm(value: str) -> time | None:
    try:
        return datetime.strptime(value, "%H:%M").time()  # noqa: DTZ007  (a wall-clock time)
    except (TypeError, ValueError):
        return None


def people_field() -> forms.IntegerField:
    return forms.IntegerField(
        label=gettext_lazy("How many people will come?"),
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "usa-input--small"}),
        error_messages={
            "required": gettext_lazy("Enter how many people will come."),
            "invalid": gettext_lazy("Enter a whole number, for example 25."),
        },
    )


def purpose_field() -> forms.CharField:
    return forms.CharField(
        label=gettext_lazy("What is the booking for?"),
        help_text=gettext_lazy("For example “Birthday picnic” or “Book club meeting”."),
        max_length=300,
        error_messages={
            "required": gettext_lazy("Say what the booking is for."),
            "max_length": gettext_lazy("Keep it to 300 characters or fewer."),
        },
    )


def resident_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label=gettext_lazy("Do you live in the city?"),
        help_text=gettext_lazy(
            "Residents pay resident rates and may book some spaces earlier. Staff may ask for "
            "proof of address."
        ),
        choices=YES_NO_RESIDENT,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Say whether you live in the city.")},
    )


def terms_field() -> forms.BooleanField:
    return forms.BooleanField(
        label=gettext_lazy("I have read the rules of use and agree to them"),
        error_messages={"required": gettext_lazy("Agree to the rules of use to book.")},
    )


class ServiceErrorsMixin:
    """Puts a service's {field: [messages]} next to this form's fields."""

    field_map: dict[str, str] = {}

    def add_service_errors(self, errors: dict[str, list[str]]) -> None:
        for field, messages in errors.items():
            name = self.field_map.get(field, field)
            target = name if name in self.fields and name != NON_FIELD else None
            for message in messages:
                self.add_error(target, message)


class SearchForm(forms.Form):
    date = date_field(gettext_lazy("Date"))
    time_from = forms.ChoiceField(label=gettext_lazy("From"), required=False)
    time_to = forms.ChoiceField(label=gettext_lazy("Until"), required=False)
    place = forms.ChoiceField(label=gettext_lazy("Type of place"), required=False)
    kind = forms.ChoiceField(label=gettext_lazy("Type of space"), required=False)
    capacity = forms.IntegerField(
        label=gettext_lazy("People"),
        required=False,
        min_value=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "usa-input--small"}),
        error_messages={
            "invalid": gettext_lazy("Enter a whole number, for example 25."),
            "min_value": gettext_lazy("Enter at least 1."),
        },
    )
    amenities = forms.MultipleChoiceField(
        label=gettext_lazy("With"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_from"].choices = time_choices(blank=_("Any time"))
        self.fields["time_to"].choices = time_choices(blank=_("Any time"))
        self.fields["place"].choices = [("", _("Any")), *FacilityKind.choices]
        self.fields["kind"].choices = [("", _("Any")), *UnitKind.choices]
        self.fields["amenities"].choices = [(a.code, a.name()) for a in Amenity.objects.all()]

    def clean(self):
        data = super().clean()
        day = data.get("date")
        if day and day < timezone.localdate():
            self.add_error("date", _("Choose today or a later date."))
        if day:
            furthest = max(
                Unit.objects.filter(active=True).values_list("opens_days_ahead", flat=True),
                default=0,
            )
            if day > timezone.localdate() + timedelta(days=furthest):
                self.add_error(
                    "date",
                    _("Bookings open at most %(days)d days ahead.") % {"days": furthest},
                )
        data["time_from"] = parse_hhmm(data.get("time_from"))
        data["time_to"] = parse_hhmm(data.get("time_to"))
        if data["time_from"] and data["time_to"] and data["time_to"] <= data["time_from"]:
            self.add_error("time_to", _("Choose a time after the start."))
        return data


class BookingForm(ServiceErrorsMixin, forms.Form):
    """One time: the start comes from the calendar, the end from a list."""

    field_map = {"start": NON_FIELD}

    end = forms.CharField(
        label=gettext_lazy("Until"),
        widget=forms.Select,
        error_messages={"required": gettext_lazy("Choose when the booking ends.")},
    )
    attendees = people_field()
    purpose = purpose_field()
    resident = resident_field()
    terms = terms_field()

    def __init__(self, *args, start: datetime, ends: list[datetime], price=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["end"].widget.choices = [
            (iso(end), f"{fmt_time(end)} ({fmt_duration(end - start)})") for end in ends
        ]


class CallerBookingForm(BookingForm):
    """Staff booking one time for someone at the counter or on the phone (counter.py)."""

    caller_name = forms.CharField(
        label=gettext_lazy("Caller's full name"),
        max_length=200,
        error_messages={"required": gettext_lazy("Enter the caller's name.")},
    )
    caller_email = forms.EmailField(
        label=gettext_lazy("Caller's email"),
        help_text=gettext_lazy("We email the confirmation, and the payment link if there is one."),
        required=False,
        max_length=254,
        error_messages={"invalid": gettext_lazy("Enter an email like name@example.org.")},
    )
    caller_phone = forms.CharField(
        label=gettext_lazy("Caller's phone"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    caller_language = forms.ChoiceField(
        label=gettext_lazy("Language for their emails"),
        choices=[("en", "English"), ("es", "Español")],
        initial="en",
        widget=forms.RadioSelect,
    )
    channel = forms.ChoiceField(
        label=gettext_lazy("How are they booking?"),
        choices=[
            ("counter", gettext_lazy("At the counter")),
            ("phone", gettext_lazy("By phone")),
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("Say whether they are at the counter or on the phone.")
        },
    )
    terms = forms.BooleanField(
        label=gettext_lazy("I have told the caller the rules of use and they agree to them"),
        error_messages={"required": gettext_lazy("Tell the caller the rules of use first.")},
    )

    # One per form shown: a second click (or a resend) of the same form finds
    # the booking the first made (core.idempotency), a new caller gets a new form.
    submission = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    field_order = [
        "caller_name",
        "caller_email",
        "caller_phone",
        "caller_language",
        "channel",
        "end",
        "attendees",
        "purpose",
        "resident",
        "terms",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resident"].label = _("Does the caller live in the city?")
        self.fields["resident"].choices = [
            ("yes", _("Yes, they live in the city")),
            ("no", _("No")),
        ]
        self.fields["resident"].error_messages["required"] = _(
            "Say whether the caller lives in the city."
        )

    def clean_caller_phone(self) -> str:
        from cityhall.cases.questions_extra import clean_phone

        return clean_phone(self.cleaned_data.get("caller_phone", ""))

    def clean(self):
        data = super().clean()
        reachable = data.get("caller_email") or data.get("caller_phone")
        if not reachable and not {"caller_email", "caller_phone"} & set(self.errors):
            self.add_error(
                "caller_email", _("Give an email or a phone number, so the caller can be reached.")
            )
        return data


class SeriesForm(ServiceErrorsMixin, forms.Form):
    """Every week on the same day and time."""

    field_map = {"start": "start_time", "end": "end_time"}

    first_date = date_field(
        gettext_lazy("First date"),
        help_text=gettext_lazy("The series repeats every week on this day."),
    )
    start_time = forms.ChoiceField(label=gettext_lazy("From"))
    end_time = forms.ChoiceField(label=gettext_lazy("Until"))
    weeks = forms.IntegerField(
        label=gettext_lazy("For how many weeks?"),
        min_value=2,
        max_value=26,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "usa-input--small"}),
        error_messages={
            "required": gettext_lazy("Enter how many weeks."),
            "invalid": gettext_lazy("Enter a whole number, for example 10."),
            "min_value": gettext_lazy("A series has at least 2 weeks."),
            "max_value": gettext_lazy("A series has at most 26 weeks."),
        },
    )
    attendees = people_field()
    purpose = purpose_field()
    resident = resident_field()
    terms = forms.BooleanField(
        label=gettext_lazy("I have read the rules of use and agree to them"), required=False
    )

    def __init__(self, *args, unit: Unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.unit = unit
        choices = time_choices(
            unit.start_interval_minutes if 60 % unit.start_interval_minutes == 0 else 30
        )
        self.fields["start_time"].choices = [("", _("Choose")), *choices]
        self.fields["end_time"].choices = [("", _("Choose")), *choices]

    def clean(self):
        data = super().clean()
        first, start_at, end_at = (
            data.get("first_date"),
            parse_hhmm(data.get("start_time")),
            parse_hhmm(data.get("end_time")),
        )
        data["times"], data["impossible"] = [], []
        if not (first and start_at and end_at and data.get("weeks")):
            return data
        for week in range(data["weeks"]):
            day = first + timedelta(weeks=week)
            end_day = day if end_at > start_at else day + timedelta(days=1)
            try:
                data["times"].append((exact_wall(day, start_at), exact_wall(end_day, end_at)))
            except WallTimeError as error:
                data["impossible"].append((day, str(error)))
        return data


class ChangeForm(ServiceErrorsMixin, forms.Form):
    """A new date and time for a one-time booking."""

    field_map = {"start": "start_time", "end": "end_time"}

    date = date_field(gettext_lazy("Date"))
    start_time = forms.ChoiceField(label=gettext_lazy("From"))
    end_time = forms.ChoiceField(
        label=gettext_lazy("Until"),
        help_text=gettext_lazy("A time at or before the start means the next day."),
    )
    attendees = people_field()

    def __init__(self, *args, unit: Unit, **kwargs):
        super().__init__(*args, **kwargs)
        step = unit.start_interval_minutes if 60 % unit.start_interval_minutes == 0 else 30
        choices = [("", _("Choose")), *time_choices(step)]
        self.fields["start_time"].choices = choices
        self.fields["end_time"].choices = choices

    def clean(self):
        data = super().clean()
        day, start_at, end_at = (
            data.get("date"),
            parse_hhmm(data.get("start_time")),
            parse_hhmm(data.get("end_time")),
        )
        if not (day and start_at and end_at):
            return data
        end_day = day if end_at > start_at else day + timedelta(days=1)
        try:
            data["start"] = exact_wall(day, start_at)
        except WallTimeError as error:
            self.add_error("start_time", str(error))
        try:
            data["end"] = exact_wall(end_day, end_at)
        except WallTimeError as error:
            self.add_error("end_time", str(error))
        return data


class StaffChangeForm(ChangeForm):
    reason = forms.CharField(
        label=gettext_lazy("Reason (the resident reads it)"),
        max_length=2000,
        error_messages={"required": gettext_lazy("Give the reason: the resident reads it.")},
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason (the resident reads it)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": gettext_lazy("Give the reason: the resident reads it.")},
    )


class BlockForm(ServiceErrorsMixin, forms.Form):
    field_map = {"start": "start_time", "end": "end_time"}

    unit = forms.ModelChoiceField(
        label=gettext_lazy("Space"),
        queryset=Unit.objects.select_related("facility").order_by("facility__name", "name"),
        error_messages={"required": gettext_lazy("Choose a space.")},
    )
    start_date = date_field(gettext_lazy("From (date)"))
    start_time = forms.ChoiceField(label=gettext_lazy("From (time)"))
    end_date = date_field(gettext_lazy("Until (date)"))
    end_time = forms.ChoiceField(label=gettext_lazy("Until (time)"))
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=200,
        help_text=gettext_lazy("For example “Roof repair” or “Summer festival”."),
        error_messages={"required": gettext_lazy("Say why the space is blocked.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].label_from_instance = lambda u: f"{u.facility.name}: {u.name}"
        self.fields["start_time"].choices = time_choices()
        self.fields["end_time"].choices = time_choices()

    def clean(self):
        data = super().clean()
        for prefix in ("start", "end"):
            day, at = data.get(f"{prefix}_date"), parse_hhmm(data.get(f"{prefix}_time"))
            if day and at:
                try:
                    data[prefix] = exact_wall(day, at)
                except WallTimeError as error:
                    self.add_error(f"{prefix}_time", str(error))
        if data.get("start") and data.get("end") and data["end"] <= data["start"]:
            self.add_error("end_time", _("The end must be after the start."))
        return data


class DayForm(forms.Form):
    date = date_field(gettext_lazy("Day"), required=False)
    facility = forms.ModelChoiceField(
        label=gettext_lazy("Facility"),
        queryset=Facility.objects.order_by("name"),
        required=False,
        empty_label=gettext_lazy("All facilities"),
    )


class PeriodForm(forms.Form):
    first = date_field(gettext_lazy("From"), required=False)
    last = date_field(gettext_lazy("Until"), required=False)

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        data["first"] = data.get("first") or today - timedelta(days=today.weekday())
        data["last"] = data.get("last") or data["first"] + timedelta(days=6)
        if data["last"] < data["first"]:
            self.add_error("last", _("Choose a day on or after the first one."))
        elif (data["last"] - data["first"]).days > 366:
            self.add_error("last", _("Choose a period of a year or less."))
        return data


def first_of_week(day: date) -> date:
    return day - timedelta(days=day.weekday())
