"""The applicant's and the reviewers' forms. Rules live in the services (and
questions.py); the forms only shape the input and put messages next to fields."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ApplicantRole, ContractorRule
from .questions import Question

YES_NO = [("yes", _("Yes")), ("no", _("No"))]


def question_field(question: Question, language: str) -> forms.Field:
    """A form field for a question. Every field is optional here: a draft can be
    saved half-done, and the check page lists what is still missing."""
    common = {
        "label": question.label(language),
        "help_text": question.help(language),
        "required": False,
    }
    if question.type == "textarea":
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), **common)
    if question.type == "choice":
        choices = [(value, es if language == "es" else en) for value, en, es in question.choices]
        return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)
    if question.type == "yesno":
        return forms.ChoiceField(choices=YES_NO, widget=forms.RadioSelect, **common)
    if question.type == "date":
        return forms.CharField(
            widget=forms.DateInput(attrs={"type": "date"}),
            **{**common, "help_text": common["help_text"] or _("For example 2026-07-04.")},
        )
    attrs = {"inputmode": "numeric"} if question.type == "integer" else {}
    if question.type == "money":
        attrs = {"inputmode": "decimal", "autocomplete": "off"}
    return forms.CharField(widget=forms.TextInput(attrs=attrs), max_length=4000, **common)


class DetailsForm(forms.Form):
    description = forms.CharField(
        label=_("Describe the work or the activity"),
        help_text=_(
            "In a few sentences: what, where on the property, and how. It is published with the "
            "permit, so leave out names and phone numbers."
        ),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=2000,
    )

    def __init__(self, *args, questions: list[Question], language: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            self.fields[question.key] = question_field(question, language)


class AddressForm(forms.Form):
    street = forms.CharField(
        label=_("Street address"),
        help_text=_("The house or building number and the street, like 200 N Harbor Blvd."),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "address-line1"}),
    )
    unit = forms.CharField(
        label=_("Apartment, suite or unit"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "address-line2"}),
    )
    zip_code = forms.CharField(
        label=_("ZIP code"),
        max_length=10,
        required=False,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "postal-code",
                "inputmode": "numeric",
                "class": "usa-input--medium",
            }
        ),
    )


class ContactsForm(forms.Form):
    applicant_role = forms.ChoiceField(
        label=_("You are applying as"), widget=forms.RadioSelect, required=False
    )
    owner_name = forms.CharField(label=_("Owner's name"), max_length=200, required=False)
    owner_company = forms.CharField(
        label=_("Owner's company, if any"), max_length=200, required=False
    )
    owner_email = forms.CharField(label=_("Owner's email"), max_length=254, required=False)
    owner_phone = forms.CharField(
        label=_("Owner's phone"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel"}),
    )
    contractor_name = forms.CharField(label=_("Contractor's name"), max_length=200, required=False)
    contractor_company = forms.CharField(
        label=_("Contractor's company"), max_length=200, required=False
    )
    contractor_email = forms.CharField(
        label=_("Contractor's email"), max_length=254, required=False
    )
    contractor_phone = forms.CharField(
        label=_("Contractor's phone"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel"}),
    )
    contractor_licence_number = forms.CharField(
        label=_("Contractor's state licence number"), max_length=40, required=False
    )

    CONTRACTOR_FIELDS = ("name", "company", "email", "phone", "licence_number")

    def __init__(self, *args, permit_type, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["applicant_role"].choices = [
            (role, ApplicantRole(role).label) for role in permit_type.applicant_roles
        ]
        self.with_contractor = permit_type.contractor != ContractorRule.NONE
        if not self.with_contractor:
            for name in self.CONTRACTOR_FIELDS:
                del self.fields[f"contractor_{name}"]
        else:
            self.fields["contractor_name"].help_text = (
                _("Required for this permit.")
                if permit_type.contractor == ContractorRule.REQUIRED
                else _("Leave the contractor's fields empty if you do the work yourself.")
            )

    def has_contractor(self) -> bool:
        return self.with_contractor and any(
            (self.cleaned_data.get(f"contractor_{name}") or "").strip()
            for name in self.CONTRACTOR_FIELDS
        )

    def has_owner(self) -> bool:
        return any(
            (self.cleaned_data.get(f"owner_{name}") or "").strip()
            for name in ("name", "company", "email", "phone")
        )


class DocumentForm(forms.Form):
    file = forms.FileField(label=_("Choose the file"), required=True)

    def __init__(self, *args, requirement, **kwargs):
        super().__init__(*args, **kwargs)
        kinds = []
        if requirement.allow_pdf:
            kinds.append("PDF")
        if requirement.allow_images:
            kinds.append("JPEG, PNG, WebP")
        self.fields["file"].label = requirement.name()
        self.fields["file"].help_text = " ".join(
            part
            for part in (
                requirement.help(),
                _("%(kinds)s, up to %(size)d MB.")
                % {"kinds": ", ".join(kinds), "size": requirement.max_megabytes},
            )
            if part
        )
        accept = []
        if requirement.allow_pdf:
            accept.append(".pdf,application/pdf")
        if requirement.allow_images:
            accept.append("image/jpeg,image/png,image/webp")
        self.fields["file"].widget.attrs["accept"] = ",".join(accept)
        self.fields["file"].error_messages["required"] = _("Choose a file to upload.")


class DeclarationForm(forms.Form):
    declaration = forms.BooleanField(
        label=_("What I have given is true and complete, and I may apply for this work."),
        error_messages={"required": _("Confirm the declaration to go on.")},
    )


class CorrectionAnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("A note for the reviewer"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
    )


class InspectionRequestForm(forms.Form):
    slot = forms.ChoiceField(label=_("When"), widget=forms.RadioSelect)
    access_notes = forms.CharField(
        label=_("How does the inspector get in?"),
        help_text=_("A gate code, where to park, who will be there."),
        max_length=300,
        required=False,
    )

    def __init__(self, *args, slots, **kwargs):
        from .inspections import slot_label

        super().__init__(*args, **kwargs)
        self.fields["slot"].choices = [(str(s.pk), slot_label(s)) for s in slots]
        self.fields["slot"].error_messages["required"] = _("Choose a time.")
