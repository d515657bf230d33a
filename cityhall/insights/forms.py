"""Input for the survey and the dashboards' filters."""

from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from cityhall.cases.models import Channel

SATISFACTION = [
    ("5", _("Very satisfied")),
    ("4", _("Satisfied")),
    ("3", _("Neither satisfied nor dissatisfied")),
    ("2", _("Dissatisfied")),
    ("1", _("Very dissatisfied")),
]
AGREEMENT = [
    ("5", _("Strongly agree")),
    ("4", _("Agree")),
    ("3", _("Neither agree nor disagree")),
    ("2", _("Disagree")),
    ("1", _("Strongly disagree")),
]


class SurveyForm(forms.Form):
    satisfaction = forms.TypedChoiceField(
        label=_("Overall, how satisfied are you with the service you received?"),
        choices=SATISFACTION,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how satisfied you are.")},
    )
    trust = forms.TypedChoiceField(
        label=_("This interaction increased my trust in the city."),
        choices=AGREEMENT,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how much you agree.")},
    )
    comment = forms.CharField(
        label=_("Anything you would like to tell us?"),
        help_text=_("Please do not include personal details. Up to 1,000 characters."),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": _("Keep it to 1,000 characters or fewer.")},
    )


def default_period(today: date | None = None) -> tuple[date, date]:
    """The last twelve whole months and this month so far."""
    today = today or timezone.localdate()
    start = (today.replace(day=1) - timedelta(days=365)).replace(day=1)
    return start, today


MAX_PERIOD_DAYS = 366 * 5


def resolve_period(start: date | None, end: date | None) -> tuple[date, date, str | None]:
    """The period asked for, a missing side taken from the default one, and what
    is wrong with it (None when fine). Pages and the API share it, so neither
    computes more than five years, nor an empty period without saying why."""
    default_start, default_end = default_period()
    start = start or (default_start if end is None or default_start <= end else end)
    end = end or max(default_end, start)
    if start > end:
        return start, end, _("The end date must be on or after the start date.")
    if (end - start).days > MAX_PERIOD_DAYS:
        return start, end, _("Choose a period of five years or less.")
    return start, end, None


def _date_field(label, example: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        help_text=format_lazy(_("For example {date}"), date=example),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": format_lazy(_("Enter a date like {date}."), date=example)},
    )


class PeriodForm(forms.Form):
    """Filters on the dashboards; bad input is shown next to the field and the
    default period is used meanwhile."""

    start = _date_field(_("From"), "2026-01-01")
    end = _date_field(_("To"), "2026-12-31")
    channel = forms.ChoiceField(
        label=_("Channel"),
        required=False,
        choices=[("", _("All channels")), *Channel.choices],
        error_messages={"invalid_choice": _("Choose a channel from the list.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The period shown when nothing is chosen, so people see what they are looking at.
        self.initial.setdefault("start", default_period()[0])
        self.initial.setdefault("end", default_period()[1])

    def clean(self):
        data = super().clean()
        if "start" in data and "end" in data:  # both parsed (or left empty)
            _start, _end, problem = resolve_period(data["start"], data["end"])
            if problem:
                self.add_error("end", problem)
        return data

    def period(self) -> tuple[date, date, str | None]:
        if not self.is_bound or not self.is_valid():
            return (*default_period(), None)
        start, end, _problem = resolve_period(
            self.cleaned_data.get("start"), self.cleaned_data.get("end")
        )
        return start, end, self.cleaned_data.get("channel") or None
