from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class SignInForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("Email address"),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    error_messages = {
        "invalid_login": _(
            "That email address and password do not match an account. Check both and try again."
        ),
        "inactive": _("This account is turned off. Contact the city to turn it back on."),
    }


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        help_text=_("The 6-digit code from your authenticator app, or one of your backup codes."),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        ),
    )

    def clean_code(self):
        return self.cleaned_data["code"].replace(" ", "").replace("-", "")


class SignUpForm(forms.Form):
    full_name = forms.CharField(
        label=_("Full name"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    email = forms.EmailField(
        label=_("Email address"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    preferred_language = forms.ChoiceField(
        label=_("Language for emails"), choices=settings.LANGUAGES, widget=forms.RadioSelect
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        help_text=_(
            "At least 15 characters. A few unrelated words in a row are easy to remember and hard to guess."
        ),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class AccountForm(forms.Form):
    full_name = forms.CharField(
        label=_("Full name"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    preferred_language = forms.ChoiceField(
        label=_("Language for emails"), choices=settings.LANGUAGES, widget=forms.RadioSelect
    )
