"""Server-rendered forms for the builder: the service settings, one page with its
questions and routes (formsets, no JavaScript), import and the JSON editor.

Each form turns the draft (a dict) into initial values and back; the whole
definition is then checked by `definition.parse`, whose problems the builder
shows. The fields here only catch what a form can (empty, not a number)."""

from __future__ import annotations

import json
import math

from django import forms
from django.utils.translation import gettext_lazy as _

from cityhall.cases.questions import FILE_KINDS, TYPES

from .definition import REVIEW_MODES, STAFF_ROLES

TYPE_LABELS = {
    "text": _("Short text"),
    "textarea": _("Long text"),
    "integer": _("Whole number"),
    "number": _("Number"),
    "money": _("Amount of money"),
    "date": _("Date"),
    "time": _("Time"),
    "choice": _("One of a list"),
    "multichoice": _("Several of a list"),
    "yesno": _("Yes or no"),
    "email": _("Email address"),
    "phone": _("Phone number"),
    "address": _("Address"),
    "file": _("File upload"),
    "declaration": _("Declaration (a box to tick)"),
}
MODE_LABELS = {
    "auto": _("Automatic: approved when sent (and paid)"),
    "one_step": _("One step: a reviewer decides"),
    "two_steps": _("Two steps: a reviewer checks, an approver decides"),
}
_ROLES = [(code, code) for code in STAFF_ROLES]
_TEXT = {"max_length": 2000, "required": False}


def _area(rows: int = 3):
    return forms.Textarea(attrs={"rows": rows})


class CreateForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=40,
        help_text=_("Used in the web address: lower-case letters, digits and _, e.g. streetlight."),
    )
    prefix = forms.CharField(
        label=_("Reference prefix"),
        max_length=4,
        help_text=_("1 to 4 capital letters starting every case reference, e.g. SL."),
    )
    name_en = forms.CharField(label=_("Name (English)"), max_length=120)
    name_es = forms.CharField(label=_("Name (Spanish)"), max_length=120)


class SettingsForm(CreateForm):
    summary_en = forms.CharField(label=_("Description (English)"), widget=_area(), **_TEXT)
    summary_es = forms.CharField(label=_("Description (Spanish)"), widget=_area(), **_TEXT)
    review_mode = forms.ChoiceField(
        label=_("Workflow"), choices=[(m, MODE_LABELS[m]) for m in REVIEW_MODES]
    )
    reviewer_role = forms.ChoiceField(label=_("Reviewer role"), choices=_ROLES)
    approver_role = forms.ChoiceField(label=_("Approver role (two steps)"), choices=_ROLES)
    target_days = forms.IntegerField(
        label=_("Target time to a decision (days)"), min_value=1, max_value=365
    )
    approved_message_en = forms.CharField(
        label=_("Approval email (English)"), widget=_area(), **_TEXT
    )
    approved_message_es = forms.CharField(
        label=_("Approval email (Spanish)"), widget=_area(), **_TEXT
    )
    rejected_message_en = forms.CharField(
        label=_("Rejection email (English)"), widget=_area(), **_TEXT
    )
    rejected_message_es = forms.CharField(
        label=_("Rejection email (Spanish)"), widget=_area(), **_TEXT
    )
    document = forms.BooleanField(
        label=_("Send a PDF document of the answers on approval"), required=False
    )
    document_title_en = forms.CharField(
        label=_("Document title (English)"), max_length=200, required=False
    )
    document_title_es = forms.CharField(
        label=_("Document title (Spanish)"), max_length=200, required=False
    )
    fee_schedule = forms.CharField(
        label=_("Fee schedule code"),
        max_length=40,
        required=False,
        help_text=_("Leave empty for a free service. The schedule is set up in Payments."),
    )
    fee_items = forms.CharField(
        label=_("Fee items"),
        required=False,
        widget=_area(),
        help_text=_(
            "One a line: rule code | question giving the quantity | question giving the "
            "value (both optional), e.g. permit | vehicles"
        ),
    )

    publish_open_data = forms.BooleanField(
        label=_("Publish monthly counts of this service as open data"),
        required=False,
        help_text=_(
            "Cases by month and status on the city's open data pages, small counts withheld. "
            "Answers are never published."
        ),
    )

    FIELDS = [
        "code",
        "prefix",
        "name_en",
        "name_es",
        "summary_en",
        "summary_es",
        "review_mode",
        "reviewer_role",
        "approver_role",
        "target_days",
        "approved_message_en",
        "approved_message_es",
        "rejected_message_en",
        "rejected_message_es",
        "document",
        "document_title_en",
        "document_title_es",
    ]

    @classmethod
    def initial_from(cls, draft: dict) -> dict:
        initial = {name: draft.get(name) for name in cls.FIELDS if name in draft}
        fee = draft.get("fee") or {}
        initial["fee_schedule"] = fee.get("schedule", "")
        initial["fee_items"] = "\n".join(
            " | ".join(
                [
                    item.get("code", ""),
                    item.get("quantity_from") or "",
                    item.get("value_from") or "",
                ]
            ).rstrip(" |")
            for item in fee.get("items") or []
            if isinstance(item, dict)
        )
        return initial

    def clean_fee_items(self):
        items = []
        for line in self.cleaned_data["fee_items"].splitlines():
            parts = [p.strip() for p in line.split("|")]
            if not parts[0]:
                continue
            item = {"code": parts[0]}
            if len(parts) > 1 and parts[1]:
                item["quantity_from"] = parts[1]
            if len(parts) > 2 and parts[2]:
                item["value_from"] = parts[2]
            items.append(item)
        return items

    def apply(self, draft: dict) -> dict:
        data = self.cleaned_data
        new = {**draft, **{name: data[name] for name in self.FIELDS}}
        schedule = data["fee_schedule"].strip()
        new["fee"] = {"schedule": schedule, "items": data["fee_items"]} if schedule else None
        return new


class PageForm(forms.Form):
    key = forms.CharField(
        label=_("Page key"),
        max_length=40,
        help_text=_("Lower-case letters, digits and _; routes name pages by it."),
    )
    title_en = forms.CharField(label=_("Title (English)"), max_length=200)
    title_es = forms.CharField(label=_("Title (Spanish)"), max_length=200)
    show_if_question = forms.CharField(
        label=_("Only show this page when the question (key)"), max_length=40, required=False
    )
    show_if_equals = forms.CharField(label=_("has the answer"), max_length=200, required=False)

    @staticmethod
    def initial_from(page: dict) -> dict:
        show_if = page.get("show_if") or {}
        return {
            "key": page.get("key", ""),
            "title_en": page.get("title_en", ""),
            "title_es": page.get("title_es", ""),
            "show_if_question": show_if.get("question", ""),
            "show_if_equals": show_if.get("equals", ""),
        }

    def apply(self, page: dict) -> dict:
        data = self.cleaned_data
        new = {**page, "key": data["key"], "title_en": data["title_en"]}
        new["title_es"] = data["title_es"]
        new.pop("show_if", None)
        if data["show_if_question"]:
            new["show_if"] = {
                "question": data["show_if_question"],
                "equals": data["show_if_equals"],
            }
        return new


def _number(value: float | None):
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


class QuestionForm(forms.Form):
    key = forms.CharField(label=_("Question key"), max_length=40)
    type = forms.ChoiceField(
        label=_("Answer type"),
        choices=[("", _("Choose a type")), *[(t, TYPE_LABELS[t]) for t in TYPES]],
    )
    label_en = forms.CharField(label=_("Question (English)"), max_length=500)
    label_es = forms.CharField(label=_("Question (Spanish)"), max_length=500)
    help_en = forms.CharField(label=_("Hint (English)"), max_length=500, required=False)
    help_es = forms.CharField(label=_("Hint (Spanish)"), max_length=500, required=False)
    required = forms.BooleanField(label=_("An answer is required"), required=False)
    min = forms.FloatField(label=_("Lowest number allowed"), required=False)
    max = forms.FloatField(label=_("Highest number allowed"), required=False)
    pattern = forms.CharField(
        label=_("Pattern the text must match (regular expression)"), max_length=200, required=False
    )
    choices = forms.CharField(
        label=_("Options"),
        required=False,
        widget=_area(4),
        help_text=_("For lists: one a line, value | English | Spanish"),
    )
    file_types = forms.MultipleChoiceField(
        label=_("Files accepted"),
        required=False,
        choices=[(k, k.upper()) for k in FILE_KINDS],
        widget=forms.CheckboxSelectMultiple,
    )

    SIMPLE = ("key", "type", "label_en", "label_es", "help_en", "help_es", "pattern")

    @classmethod
    def initial_from(cls, question: dict) -> dict:
        initial = {name: question.get(name, "") for name in cls.SIMPLE}
        initial["required"] = bool(question.get("required", True))
        initial["min"], initial["max"] = question.get("min"), question.get("max")
        initial["file_types"] = list(question.get("file_types") or [])
        initial["choices"] = "\n".join(
            f"{c.get('value', '')} | {c.get('label_en', '')} | {c.get('label_es', '')}"
            for c in question.get("choices") or []
            if isinstance(c, dict)
        )
        return initial

    def clean_choices(self):
        choices = []
        for n, line in enumerate(self.cleaned_data["choices"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split("|")]
            if len(parts) != 3 or not all(parts):
                raise forms.ValidationError(
                    _("Line %(n)d: write value | English | Spanish.") % {"n": n}
                )
            choices.append({"value": parts[0], "label_en": parts[1], "label_es": parts[2]})
        return choices

    def as_question(self, old: dict | None = None) -> dict:
        data = self.cleaned_data
        question = {**(old or {}), **{name: data[name] for name in self.SIMPLE}}
        question["required"] = data["required"]
        for name in ("min", "max", "choices", "file_types", "pattern", "help_en", "help_es"):
            value = _number(data[name]) if name in ("min", "max") else data[name]
            if value in (None, "", []):
                question.pop(name, None)
            else:
                question[name] = value
        return question


class RouteForm(forms.Form):
    question = forms.CharField(label=_("When the question (key)"), max_length=40)
    equals = forms.CharField(label=_("has the answer"), max_length=200)
    goto = forms.CharField(
        label=_("go to the page (key, or “end” for the contact details)"), max_length=40
    )


QuestionFormSet = forms.formset_factory(QuestionForm, extra=1, can_delete=True)
RouteFormSet = forms.formset_factory(RouteForm, extra=1, can_delete=True)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Definition file (.json)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 512 * 1024:
            raise forms.ValidationError(_("The file is larger than 512 KB."))
        return read_json(upload.read())


class JsonForm(forms.Form):
    definition = forms.CharField(
        label=_("Definition (JSON)"),
        widget=forms.Textarea(attrs={"rows": 30, "spellcheck": "false"}),
    )

    def clean_definition(self):
        return read_json(self.cleaned_data["definition"])


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(text)
    return number


def _no_constants(text: str):
    raise ValueError(text)  # NaN and Infinity are not JSON, and PostgreSQL refuses them


def read_json(text: bytes | str):
    try:
        return json.loads(text, parse_float=_finite, parse_constant=_no_constants)
    except UnicodeDecodeError:
        raise forms.ValidationError(_("The file is not text (UTF-8).")) from None
    except json.JSONDecodeError as error:
        raise forms.ValidationError(
            _("This is not valid JSON: %(problem)s at line %(line)d, column %(column)d.")
            % {"problem": error.msg, "line": error.lineno, "column": error.colno}
        ) from None
    except RecursionError:
        raise forms.ValidationError(_("This JSON is nested too deeply.")) from None
    except ValueError:  # a number too big, NaN or Infinity
        raise forms.ValidationError(
            _("This JSON has a number that is too big, or NaN or Infinity.")
        ) from None
