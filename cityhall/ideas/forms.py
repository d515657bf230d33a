"""Input for the ideas pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cityhall.core.money import InvalidAmount, parse_dollars

from .estimates import role_rates
from .models import State


def _text(label, *, help_text="", rows=3, required=True, max_length=4000):
    return forms.CharField(
        label=label,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
        max_length=max_length,
        required=required,
    )


class IdeaForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        help_text=_("In a few words: what would go online?"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    process_today = _text(
        _("How is it done today?"), help_text=_("The manual steps, forms and systems.")
    )
    department = forms.CharField(label=_("Department"), max_length=120)
    times_per_year = forms.IntegerField(
        label=_("How many times a year?"), min_value=1, max_value=10_000_000
    )
    minutes_each = forms.IntegerField(
        label=_("Minutes of staff time each time, today"), min_value=1, max_value=10_000
    )
    minutes_after = forms.IntegerField(
        label=_("Minutes each time after the change"),
        help_text=_("0 if the task would disappear."),
        min_value=0,
        max_value=10_000,
        initial=0,
    )
    role = forms.ChoiceField(
        label=_("Who does it?"),
        help_text=_("The staff role whose loaded hourly rate prices the time saved."),
    )
    pain_points = _text(_("Pain points"), help_text=_("For staff and for residents."))
    proposed_change = _text(_("The digital change you propose"))
    author_name_consent = forms.BooleanField(
        label=_("My name may be shown if the city publishes this idea"), required=False
    )
    not_a_duplicate = forms.BooleanField(
        label=_("None of the similar ideas above is mine: propose it as a new idea"),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        rates = role_rates()
        self.fields["role"].choices = [("", _("Choose a role"))] + [
            (role, role.replace("_", " ").capitalize()) for role in rates
        ]

    def clean(self):
        data = super().clean()
        each, after = data.get("minutes_each"), data.get("minutes_after")
        if each is not None and after is not None and after > each:
            self.add_error(
                "minutes_after", _("The time after the change cannot be longer than today's.")
            )
        return data


class CommentForm(forms.Form):
    body = _text(_("Your comment"), rows=3)


class StateForm(forms.Form):
    to = forms.ChoiceField(label=_("New state"))
    note = _text(_("Public note"), help_text=_("Everyone who can see the idea reads it."))
    reason = _text(_("Reason for declining"), required=False)

    def __init__(self, *args, allowed=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].choices = [(s, State(s).label) for s in State.values if s in allowed]


class BuildForm(forms.Form):
    cost = forms.CharField(label=_("Estimated build cost (dollars)"), max_length=20)
    effort_days = forms.IntegerField(
        label=_("Estimated effort (person-days)"), min_value=0, max_value=100_000
    )

    def clean_cost(self):
        try:
            cents = parse_dollars(self.cleaned_data["cost"])  # refuses NaN, 1e9, 1.005…
        except InvalidAmount:
            raise forms.ValidationError(_("Enter an amount in dollars, like 12000.")) from None
        if not 0 <= cents <= 100_000_000_000:
            raise forms.ValidationError(_("Enter an amount in dollars, like 12000."))
        return cents


class LinkForm(forms.Form):
    service_code = forms.ChoiceField(label=_("Service that implements it"))
    pilot = forms.TypedChoiceField(label=_("Pilot"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, services=(), pilots=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service_code"].choices = [("", _("Choose a service")), *services]
        self.fields["pilot"].choices = [("", _("No pilot")), *pilots]


class MergeForm(forms.Form):
    kept = forms.IntegerField(
        label=_("Number of the idea to keep"),
        help_text=_("This idea is closed; its supporters move to the kept idea."),
        min_value=1,
    )
    note = _text(_("Public note"), required=False, rows=2)


class FilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    state = forms.ChoiceField(label=_("State"), required=False)
    department = forms.CharField(label=_("Department"), required=False, max_length=120)
    mine = forms.BooleanField(label=_("Only my ideas"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", _("Any state"))] + [
            (s, label) for s, label in State.choices if s != State.MERGED
        ]
