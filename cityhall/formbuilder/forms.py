"""Django forms built from a page's questions (resident pages and the builder preview).

Fields only render and carry what was typed: the answers are checked by
`services.save_page` (the same rules as the API), and its messages are put
next to the fields."""

from __future__ import annotations

from django import forms
from django.forms.utils import ErrorDict, ErrorList
from django.utils.translation import gettext_lazy as _

from cityhall.cases.questions import Question


def _field(question: Question, language: str) -> forms.Field:
    common = {
        "label": question.label(language),
        "help_text": question.help(language),
        "required": question.required,
    }
    options = [(v, es if language == "es" else en) for v, en, es in question.choices]
    kind = question.type
    if kind == "choice":
        return forms.ChoiceField(choices=options, widget=forms.RadioSelect, **common)
    if kind == "multichoice":
        return forms.MultipleChoiceField(
            choices=options, widget=forms.CheckboxSelectMultiple, **common
        )
    if kind == "yesno":
        return forms.ChoiceField(
            choices=[("yes", _("Yes")), ("no", _("No"))], widget=forms.RadioSelect, **common
        )
    if kind == "declaration":
        return forms.BooleanField(**common)
    if kind == "file":
        return forms.FileField(**common)
    widgets = {
        "textarea": forms.Textarea(attrs={"rows": 5}),
        "address": forms.Textarea(attrs={"rows": 3, "autocomplete": "street-address"}),
        "date": forms.DateInput(attrs={"type": "date"}),
        "time": forms.TimeInput(attrs={"type": "time"}),
        "email": forms.EmailInput(attrs={"autocomplete": "email"}),
        "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
        "integer": forms.TextInput(attrs={"inputmode": "numeric"}),
        "number": forms.TextInput(attrs={"inputmode": "decimal"}),
        "money": forms.TextInput(attrs={"inputmode": "decimal"}),
    }
    return forms.CharField(widget=widgets.get(kind, forms.TextInput()), **common)


def page_form(page, *, language: str, values: dict, errors: dict | None = None) -> forms.Form:
    """A form showing `values` (answers saved or just typed) and `errors`."""
    form = forms.Form(initial=values)
    for question in page.questions:
        form.fields[question.key] = _field(question, language)
    form._errors = ErrorDict({k: ErrorList([v]) for k, v in (errors or {}).items()})
    return form


def typed_values(page, post) -> dict:
    values = {}
    for question in page.questions:
        if question.type == "multichoice":
            values[question.key] = post.getlist(question.key)
        elif question.type == "declaration":
            values[question.key] = "yes" if post.get(question.key) else ""
        else:
            values[question.key] = post.get(question.key, "")
    return values


class ContactForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(
        label=_("Your email address"),
        help_text=_("We send the decision here."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class DecisionForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (the resident reads it)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
