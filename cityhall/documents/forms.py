from django import forms
from django.utils.translation import gettext_lazy as _

from .codes import InvalidCode, normalize_code


class VerifyCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Verification code"),
        help_text=_(
            "It is printed beside the QR code and at the foot of every page, for example ABCDE-23456."
        ),
        max_length=40,
        error_messages={"required": _("Enter the code printed on the document.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}
        ),
    )

    def clean_code(self):
        try:
            return normalize_code(self.cleaned_data["code"])
        except InvalidCode as error:
            raise forms.ValidationError(
                _(
                    "A code has 10 letters and numbers, like ABCDE-23456. It never has the "
                    "letters I or O, or the numbers 0 or 1."
                )
            ) from error


class CheckFileForm(forms.Form):
    file = forms.FileField(
        label=_("Your copy of the PDF"),
        help_text=_(
            "We compare it byte for byte with the file the city issued. We do not keep it."
        ),
        error_messages={
            "required": _("Choose the PDF file to check."),
            "empty": _("The file you chose is empty."),
        },
        widget=forms.FileInput(attrs={"accept": ".pdf,application/pdf"}),
    )
