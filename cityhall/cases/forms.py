from django import forms
from django.utils.translation import gettext_lazy as _

from .references import InvalidReference, parse_reference


class TrackForm(forms.Form):
    reference = forms.CharField(
        label=_("Reference number"),
        help_text=_("It is in the confirmation email, for example LP-2026-00427-K."),
        max_length=40,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}
        ),
    )
    email = forms.EmailField(
        label=_("Email address"),
        help_text=_("The one you gave when you applied."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def clean_reference(self):
        try:
            return str(parse_reference(self.cleaned_data["reference"]))
        except InvalidReference as error:
            raise forms.ValidationError(str(error)) from error


class QueueFilterForm(forms.Form):
    service = forms.ChoiceField(label=_("Service"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    assignee = forms.ChoiceField(
        label=_("Assigned to"),
        required=False,
        choices=[("", _("Anyone")), ("me", _("Me")), ("none", _("Nobody"))],
    )
    older_than_days = forms.IntegerField(
        label=_("Waiting at least (days)"), required=False, min_value=0, max_value=3650
    )
    sort = forms.ChoiceField(
        label=_("Order"),
        required=False,
        choices=[("oldest", _("Oldest first")), ("newest", _("Newest first"))],
    )

    def __init__(self, *args, services=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = [("", _("All my services"))] + [
            (s.code, s.name) for s in services
        ]
        statuses = {}
        for s in services:
            for state in s.workflow.states.values():
                statuses.setdefault(state.code, state.label)
        self.fields["status"].choices = [("", _("Waiting for staff")), *list(statuses.items())]


class TransitionForm(forms.Form):
    """The reason for one workflow step; prefixed with the step's name so each
    step's form on a page has its own field ids. The step itself is posted as
    `transition`."""

    reason = forms.CharField(
        label=_("Reason or message"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
