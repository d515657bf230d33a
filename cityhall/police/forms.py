"""The resident's report, one short step per form. Every form keeps what was
typed when something needs fixing, and says what to fix next to the field."""

from __future__ import annotations

from datetime import date, datetime, time

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cityhall.core.money import dollars_input

from . import validation
from .models import Kind
from .nibrs import RESIDENT_CATEGORIES, officer_choices

YES_NO = [("yes", _("Yes")), ("no", _("No"))]


class QuestionForm(forms.Form):
    answer = forms.ChoiceField(
        widget=forms.RadioSelect, error_messages={"required": _("Choose an answer.")}
    )

    def __init__(self, *args, question, hint="", choices=YES_NO, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["answer"].label = question
        self.fields["answer"].help_text = hint
        self.fields["answer"].choices = choices


class AboutYouForm(forms.Form):
    first_name = forms.CharField(
        label=_("First name"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
        error_messages={"required": _("Enter your first name.")},
    )
    last_name = forms.CharField(
        label=_("Last name"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
        error_messages={"required": _("Enter your last name.")},
    )
    email = forms.EmailField(
        label=_("Email address"),
        help_text=_("We send the report number and the approved report here."),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={
            "required": _("Enter your email address."),
            "invalid": _("Enter an email address like name@example.com."),
        },
    )
    phone = forms.CharField(
        label=_("Phone number"),
        max_length=30,
        help_text=_("In case an officer needs to call you. For example (213) 555-0147."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel", "inputmode": "tel"}),
        error_messages={"required": _("Enter a phone number.")},
    )
    address = forms.CharField(
        label=_("Home address"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    language = forms.ChoiceField(
        label=_("Language for emails and the report"),
        choices=settings.LANGUAGES,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, email_required=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not email_required:
            # A clerk filing for someone at the counter or on the phone who has no email.
            self.fields["email"].required = False
            self.fields["email"].help_text = _(
                "If the resident has one. Without it, they get no emails or PDF."
            )

    def clean_phone(self):
        return validation.clean_phone(self.cleaned_data["phone"], required=True)


class MemorableDateWidget(forms.MultiWidget):
    """USWDS 'memorable date': month, day and year typed in three boxes; works in every browser."""

    template_name = "police/widgets/memorable_date.html"

    def __init__(self, attrs=None):
        number = {"inputmode": "numeric", "pattern": "[0-9]*", "class": "usa-input"}
        super().__init__(
            [
                forms.TextInput({**number, "maxlength": 2, "autocomplete": "off"}),
                forms.TextInput({**number, "maxlength": 2, "autocomplete": "off"}),
                forms.TextInput({**number, "maxlength": 4, "minlength": 4, "autocomplete": "off"}),
            ],
            attrs,
        )

    def decompress(self, value):
        return [value.month, value.day, value.year] if value else [None, None, None]


class MemorableDateField(forms.MultiValueField):
    widget = MemorableDateWidget

    def __init__(self, **kwargs):
        kwargs.setdefault("require_all_fields", False)
        super().__init__(
            fields=[
                forms.CharField(required=False),
                forms.CharField(required=False),
                forms.CharField(required=False),
            ],
            **kwargs,
        )

    def compress(self, data_list):
        if not data_list or not any(data_list):
            return None
        month, day, year = (str(v or "").strip() for v in data_list)
        if not (month and day and year):
            raise ValidationError(_("Enter the month, day and year."))
        if not (month.isdigit() and day.isdigit() and year.isdigit() and len(year) == 4):
            raise ValidationError(
                _("Use numbers only, with a 4-digit year, for example 11 20 2026.")
            )
        try:
            return date(int(year), int(month), int(day))
        except ValueError as error:
            raise ValidationError(
                _("This date does not exist. Check the month and day.")
            ) from error


class MarkInvalidMixin:
    """After validation, each box of a field with an error says so to assistive
    technology and shows the error style (MultiWidget boxes get it too)."""

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name not in self.fields:
                continue
            widget = self.fields[name].widget
            described = f"{self[name].auto_id}_error"
            for w in getattr(widget, "widgets", None) or [widget]:
                w.attrs["aria-invalid"] = "true"
                w.attrs["aria-describedby"] = " ".join(
                    part for part in (w.attrs.get("aria-describedby", ""), described) if part
                )
                if "usa-input" in w.attrs.get("class", ""):
                    w.attrs["class"] = w.attrs["class"] + " usa-input--error"


class IncidentForm(MarkInvalidMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("Was it lost or stolen?"),
        choices=Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose lost or stolen.")},
    )
    from_date = MemorableDateField(
        label=_("When did it happen?"),
        help_text=_(
            "If you are not sure, enter the first day it could have happened. "
            "For example: 11 20 2026."
        ),
        error_messages={"required": _("Enter the date it happened.")},
    )
    from_time = forms.CharField(
        label=_("Time it happened"),
        required=False,
        max_length=20,
        help_text=_("If you know it. For example 6:30 PM."),
    )
    to_date = MemorableDateField(
        label=_("If you do not know exactly: the last day it could have happened"),
        required=False,
        help_text=_("Leave empty if you know the day."),
    )
    to_time = forms.CharField(label=_("Latest time"), required=False, max_length=20)
    location = forms.CharField(
        label=_("Where did it happen?"),
        max_length=300,
        help_text=_(
            "A street address, an intersection or a place, for example “200 N Spring St” "
            "or “Echo Park Lake, by the boathouse”."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={"required": _("Enter where it happened.")},
    )

    # Filled by "Use my current location" (JavaScript, optional); checked like any input.
    latitude = forms.DecimalField(
        required=False,
        min_value=-90,
        max_value=90,
        max_digits=9,
        decimal_places=6,
        widget=forms.HiddenInput,
    )
    longitude = forms.DecimalField(
        required=False,
        min_value=-180,
        max_value=180,
        max_digits=9,
        decimal_places=6,
        widget=forms.HiddenInput,
    )

    def clean_from_time(self):
        raw = self.cleaned_data["from_time"]
        return validation.parse_time(raw) if raw.strip() else None

    def clean_to_time(self):
        raw = self.cleaned_data["to_time"]
        return validation.parse_time(raw) if raw.strip() else None

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        zone = timezone.get_current_timezone()
        start_time = data.get("from_time")
        start = datetime.combine(data["from_date"], start_time or time(0, 0), tzinfo=zone)
        end = None
        if data.get("to_date"):
            end = datetime.combine(
                data["to_date"], data.get("to_time") or time(23, 59), tzinfo=zone
            )
        elif start_time is None:
            end = datetime.combine(
                data["from_date"], time(23, 59), tzinfo=zone
            )  # some time that day
            end = min(end, timezone.now())
        elif data.get("to_time"):
            end = datetime.combine(data["from_date"], data["to_time"], tzinfo=zone)
        try:
            data["occurred_from"], data["occurred_to"] = validation.clean_period(start, end)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                target = {"occurred_from": "from_date", "occurred_to": "to_date"}[field]
                if field == "occurred_to" and not data.get("to_date"):
                    target = "to_time"
                for message in messages:
                    self.add_error(target, message)
        return data


class NarrativeForm(forms.Form):
    narrative = forms.CharField(
        label=_("What happened?"),
        help_text=_(
            "In your own words: what you were doing, when you noticed, anything that could help find it."
        ),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={
            "required": _("Describe what happened."),
            "max_length": _("Keep it under 5,000 characters (now %(show_value)d)."),
        },
    )


class ItemForm(forms.Form):
    category = forms.ChoiceField(
        label=_("What kind of item is it?"),
        choices=[("", _("- Select -")), *RESIDENT_CATEGORIES],
        error_messages={"required": _("Choose what kind of item it is.")},
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=300,
        help_text=_("Color, size, marks: for example “black road bike with a red bell”."),
        error_messages={"required": _("Describe the item.")},
    )
    brand = forms.CharField(label=_("Brand"), max_length=100, required=False)
    model = forms.CharField(label=_("Model"), max_length=100, required=False)
    serial_number = forms.CharField(
        label=_("Serial number"),
        max_length=100,
        required=False,
        help_text=_("Often under a bicycle's frame, or in a phone's settings (IMEI)."),
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocapitalize": "characters"}),
    )
    quantity = forms.IntegerField(
        label=_("How many"),
        min_value=1,
        max_value=validation.MAX_QUANTITY,
        initial=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "required": _("Enter how many."),
            "invalid": _("Enter a whole number."),
            "min_value": _("Enter 1 or more."),
            "max_value": _("Enter %(limit_value)s or fewer."),
        },
    )
    value = forms.CharField(
        label=_("Value of one item, in dollars"),
        max_length=20,
        help_text=_("What it would cost to replace. For example 899 or 899.99."),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        error_messages={"required": _("Enter the value, or 0 if it has none.")},
    )
    photo = forms.FileField(
        label=_("Photo"),
        required=False,
        help_text="",  # set in __init__ from the configured upload limit
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )

    remove_photo = forms.BooleanField(label=_("Remove the photo"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from django.conf import settings

        self.fields["photo"].help_text = _(
            "Optional. A JPEG, PNG or WebP photo smaller than %(size)s."
        ) % {"size": f"{settings.CITYHALL_UPLOAD_MAX_BYTES / 1_000_000:.0f} MB"}

    def clean_value(self):
        return validation.clean_value(self.cleaned_data["value"])

    def clean_photo(self):
        upload = self.cleaned_data.get("photo")
        if not upload:
            return None
        from cityhall.cases.uploads import IMAGE_TYPES, UploadRejected, clean_upload

        try:
            return clean_upload(upload, allowed=IMAGE_TYPES)
        except UploadRejected as error:
            raise ValidationError(str(error)) from error

    @staticmethod
    def initial_from(item) -> dict:
        return {
            "category": item.category,
            "description": item.description,
            "brand": item.brand,
            "model": item.model,
            "serial_number": item.serial_number,
            "quantity": item.quantity,
            "value": dollars_input(item.value_cents),
        }


class DeclarationForm(forms.Form):
    declaration = forms.BooleanField(
        label=_(
            "I confirm that the information I gave is true. I understand that making a false police report "
            "is a crime."
        ),
        error_messages={"required": _("Confirm that the information is true to send the report.")},
    )


class SaveForLaterForm(forms.Form):
    pass


# ---- officers -------------------------------------------------------------


class RejectForm(forms.Form):
    reason = forms.ModelChoiceField(
        label=_("Reason"),
        queryset=None,
        empty_label=_("- Select -"),
        error_messages={"required": _("Choose a reason.")},
    )
    note = forms.CharField(
        label=_("Private note (not sent to the resident)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        from .models import RejectionReason

        super().__init__(*args, **kwargs)
        self.fields["reason"].queryset = RejectionReason.objects.filter(active=True)


class RequestInfoForm(forms.Form):
    message = forms.CharField(
        label=_("Message to the resident"),
        max_length=4000,
        help_text="",  # set in __init__ from CITYHALL_POLICE_INFO_DAYS
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Write what you need from the resident.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from django.conf import settings

        self.fields["message"].help_text = _(
            "Say exactly what you need. They have %(days)d days to answer."
        ) % {"days": settings.CITYHALL_POLICE_INFO_DAYS}


class ReferForm(forms.Form):
    note = forms.CharField(
        label=_("Note for the supervisor"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RecodeForm(forms.Form):
    """One select per item, named item-<id>."""

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        for item in items:
            self.fields[f"item-{item.pk}"] = forms.ChoiceField(
                label=f"{item.position}. {item.description}",
                choices=officer_choices(),
                initial=item.category,
            )

    def categories(self) -> dict[int, str]:
        return {int(name.split("-", 1)[1]): value for name, value in self.cleaned_data.items()}


class SerialSearchForm(forms.Form):
    serial = forms.CharField(
        label=_("Serial number"),
        max_length=100,
        help_text=_("Spaces, dashes and upper or lower case do not matter."),
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocapitalize": "characters"}),
    )
