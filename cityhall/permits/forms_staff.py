"""Reviewers' and inspectors' forms."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ApproveForm(forms.Form):
    note = forms.CharField(
        label=_("Note for the file"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        required=False,
    )


class CorrectionForm(forms.Form):
    message = forms.CharField(
        label=_("What must be corrected"),
        help_text=_("The applicant reads this in an email. Say what to change and why."),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        error_messages={"required": _("Say what needs to be corrected.")},
    )
    documents = forms.MultipleChoiceField(
        label=_("Documents to upload again"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, requirements, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["documents"].choices = [(r.code, r.name()) for r in requirements]


class DenyForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the denial"),
        help_text=_("The applicant reads this. Say what rule is not met and what they can do."),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        error_messages={"required": _("Give the reason for the denial: the applicant reads it.")},
    )


class ConditionForm(forms.Form):
    text = forms.CharField(
        label=_("Condition"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        error_messages={"required": _("Write the condition.")},
    )
    before_issue = forms.BooleanField(
        label=_("Must be met before the permit is issued (a hold)"), required=False
    )


RESULT_CHOICES = [
    ("pass", _("Pass")),
    ("fail", _("Fail")),
    ("na", _("Not applicable")),
]


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files at once; each is checked by the service (clean_upload)."""

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data]
        return [f for f in (super(MultipleFileField, self).clean(f, initial) for f in files) if f]


class InspectionResultForm(forms.Form):
    notes = forms.CharField(
        label=_("Notes"),
        help_text=_("Required when anything fails: what to fix. The permit holder reads them."),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        required=False,
    )
    photos = MultipleFileField(
        label=_("Photos"),
        help_text=_("JPEG, PNG or WebP. Up to 6."),
        required=False,
        widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        fields = {}
        for code, label in items:
            fields[f"item_{code}"] = forms.ChoiceField(
                label=label,
                choices=RESULT_CHOICES,
                widget=forms.RadioSelect,
                error_messages={"required": _("Choose pass, fail or not applicable.")},
            )
        self.fields = {**fields, **self.fields}
        self.items = items

    def results(self) -> dict[str, str]:
        return {code: self.cleaned_data.get(f"item_{code}") for code, _label in self.items}
