"""Forms for the payer's sandbox checkout and the finance pages. Every form keeps
what was typed when something needs fixing, and says what to fix next to the field."""

from __future__ import annotations

import re

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cityhall.core.money import InvalidAmount, format_cents, parse_dollars

from .providers.sandbox import TEST_CARDS
from .selectors import FIRST_DAY, LAST_DAY


def luhn_ok(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


class SandboxCardForm(forms.Form):
    """The sandbox's card form. Nothing typed here is stored (only the last four digits)."""

    card_number = forms.CharField(
        label=_("Card number"),
        max_length=30,
        widget=forms.TextInput(
            attrs={"autocomplete": "cc-number", "inputmode": "numeric", "spellcheck": "false"}
        ),
        error_messages={"required": _("Enter the card number.")},
    )
    expiry = forms.CharField(
        label=_("Expiration date"),
        help_text=_("MM/YY, for example 04/30."),
        max_length=7,
        widget=forms.TextInput(attrs={"autocomplete": "cc-exp", "inputmode": "numeric"}),
        error_messages={"required": _("Enter the expiration date.")},
    )
    cvc = forms.CharField(
        label=_("Security code"),
        help_text=_("The 3 digits on the back of the card (4 on the front for American Express)."),
        max_length=4,
        widget=forms.TextInput(
            attrs={"autocomplete": "cc-csc", "inputmode": "numeric", "class": "usa-input--small"}
        ),
        error_messages={"required": _("Enter the security code.")},
    )
    name = forms.CharField(
        label=_("Name on the card"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "cc-name", "spellcheck": "false"}),
        error_messages={"required": _("Enter the name on the card.")},
    )

    def clean_card_number(self):
        digits = re.sub(r"[\s-]", "", self.cleaned_data["card_number"])
        if not digits.isdigit() or not 12 <= len(digits) <= 19:
            raise forms.ValidationError(
                _("Enter the card number: 12 to 19 digits, like 4242 4242 4242 4242.")
            )
        if not luhn_ok(digits):
            raise forms.ValidationError(_("This card number is not valid. Check it and try again."))
        if digits not in TEST_CARDS:
            raise forms.ValidationError(
                _("This is a test page: use one of the test card numbers shown above.")
            )
        return digits

    def clean_expiry(self):
        raw = self.cleaned_data["expiry"].strip()
        match = re.fullmatch(r"(\d{1,2})\s*/\s*(\d{2}|\d{4})", raw)
        if not match:
            raise forms.ValidationError(_("Enter the expiration date as MM/YY, for example 04/30."))
        month, year = int(match.group(1)), int(match.group(2))
        year = year + 2000 if year < 100 else year
        if not 1 <= month <= 12:
            raise forms.ValidationError(_("The month must be between 01 and 12."))
        today = timezone.localdate()
        if (year, month) < (today.year, today.month):
            raise forms.ValidationError(_("This card has expired. Use another card."))
        return f"{month:02d}/{year % 100:02d}"

    def clean_cvc(self):
        cvc = self.cleaned_data["cvc"].strip()
        if not re.fullmatch(r"\d{3,4}", cvc):
            raise forms.ValidationError(_("Enter the 3 or 4 digit security code."))
        return cvc

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Enter the name on the card."))
        return name


class AmountField(forms.CharField):
    """Dollars typed by a person ('25', '$1,299.50') to cents."""

    def __init__(self, *, required=True, **kwargs):
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal"}))
        super().__init__(required=required, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value in (None, ""):
            return None
        try:
            cents = parse_dollars(value)
        except InvalidAmount:
            raise forms.ValidationError(_("Enter an amount in dollars, like 25.00.")) from None
        if cents <= 0:
            raise forms.ValidationError(_("Enter an amount more than zero."))
        return cents


class RefundForm(forms.Form):
    amount = AmountField(
        label=_("Amount to refund"), error_messages={"required": _("Enter the amount to refund.")}
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept with the refund for the records. The payer is told the amount."),
        error_messages={"required": _("Give the reason for the refund.")},
    )

    def __init__(self, *args, refundable_cents: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.refundable_cents = refundable_cents
        self.fields["amount"].help_text = _(
            "In dollars, for example 25.00. Up to %(left)s can be refunded."
        ) % {"left": format_cents(refundable_cents)}

    def clean_amount(self):
        cents = self.cleaned_data["amount"]
        if cents is not None and cents > self.refundable_cents:
            raise forms.ValidationError(
                _("That is more than is left to refund on this payment (%(left)s).")
                % {"left": format_cents(self.refundable_cents)}
            )
        return cents


class WaiverForm(forms.Form):
    amount = AmountField(
        label=_("Amount to waive"),
        required=False,
        help_text=_("In dollars. Leave it empty to waive everything still owed."),
    )
    reason = forms.CharField(
        label=_("Reason for the waiver"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give the reason for the waiver.")},
    )


class VoidForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for cancelling"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give the reason for cancelling the invoice.")},
    )


class ResolveFlagForm(forms.Form):
    note = forms.CharField(
        label=_("Note"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What you checked or did, for the record."),
    )


class ReconciliationForm(forms.Form):
    date = forms.DateField(
        label=_("Day"),
        input_formats=["%Y-%m-%d"],
        validators=[
            MinValueValidator(FIRST_DAY, _("Enter a date like 2026-03-31.")),
            MaxValueValidator(LAST_DAY, _("Enter a date like 2026-03-31.")),
        ],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter a date like 2026-03-31.")},
    )
