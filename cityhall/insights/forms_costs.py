"""The cost inputs of one service, as the digital team types them: minutes and
dollars (stored as cents), each row dated from the day it takes effect."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cityhall.cases.models import Channel
from cityhall.core.money import InvalidAmount, dollars_input, parse_dollars

MONEY_HELP = _("In dollars, e.g. 1.25.")


class DollarsField(forms.CharField):
    """Dollars typed as a person writes them ($1,299.50); cleaned to cents."""

    def __init__(self, *, max_cents: int = 2**31 - 1, **kwargs):
        # The largest amount its column holds (positive integer columns by default).
        self.max_cents = max_cents
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", MONEY_HELP)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return dollars_input(value) if isinstance(value, int) else value

    def to_python(self, value):
        text = super().to_python(value)
        if not text:
            return 0
        if len(text) > 30:
            raise forms.ValidationError(_("That amount is too large."), code="too_large")
        try:
            cents = parse_dollars(text)
        except InvalidAmount:
            raise forms.ValidationError(
                _("Enter an amount in dollars, like 12.50."), code="invalid"
            ) from None
        if cents < 0:
            raise forms.ValidationError(_("The amount cannot be negative."), code="negative")
        if cents > self.max_cents:
            raise forms.ValidationError(_("That amount is too large."), code="too_large")
        return cents


def _minutes(label):
    return forms.DecimalField(
        label=label, min_value=0, max_value=99_999, max_digits=7, decimal_places=2, initial=0
    )


class CostModelForm(forms.Form):
    """What one completed transaction costs on one channel."""

    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    effective_from = forms.DateField(
        label=_("Takes effect on"),
        help_text=_("Earlier days keep the figures in effect then. Format: YYYY-MM-DD."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    intake_minutes = _minutes(_("Intake: staff minutes"))
    intake_role = forms.ChoiceField(label=_("Intake: who does it"), required=False)
    review_minutes = _minutes(_("Review: staff minutes"))
    review_role = forms.ChoiceField(label=_("Review: who does it"), required=False)
    issue_minutes = _minutes(_("Issue: staff minutes"))
    issue_role = forms.ChoiceField(label=_("Issue: who does it"), required=False)
    paper_cents = DollarsField(label=_("Paper"))
    postage_cents = DollarsField(label=_("Postage"))
    printing_cents = DollarsField(label=_("Printing"))
    payment_fee_cents = DollarsField(label=_("Payment processing fee"))
    resident_minutes = _minutes(_("Resident's time (minutes)"))
    resident_travel_cents = DollarsField(label=_("Resident's travel"))
    notes = forms.CharField(
        label=_("Notes and sources"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, roles: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("Nobody (no staff time)")), *((r, r) for r in roles)]
        for step in ("intake", "review", "issue"):
            self.fields[f"{step}_role"].choices = choices
        self.fields["effective_from"].initial = timezone.localdate()

    def clean(self):
        data = super().clean()
        for step in ("intake", "review", "issue"):
            if data.get(f"{step}_minutes") and not data.get(f"{step}_role"):
                self.add_error(
                    f"{step}_role",
                    _("Say who spends these minutes: their hourly rate prices them."),
                )
        return data


class DigitalCostForm(forms.Form):
    """The service's digital investment and running costs."""

    effective_from = forms.DateField(
        label=_("Takes effect on"),
        help_text=_("Format: YYYY-MM-DD."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    launched_on = forms.DateField(
        label=_("Digital service launched on"),
        help_text=_("Format: YYYY-MM-DD."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    build_cost_cents = DollarsField(label=_("One-off build cost"), max_cents=10**12)
    hosting_monthly_cents = DollarsField(label=_("Hosting per month"))
    support_monthly_cents = DollarsField(label=_("Support and licences per month"))
    staff_time_redeployed = forms.BooleanField(
        label=_("Staff time saved is redeployed (count it as a cash saving)"), required=False
    )
    resident_hour_value_cents = DollarsField(label=_("Value of an hour of a resident's time"))
    notes = forms.CharField(
        label=_("Notes and sources"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["effective_from"].initial = timezone.localdate()
