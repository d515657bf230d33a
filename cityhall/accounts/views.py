from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from cityhall.core.qr import qr_svg

from . import services, signins
from .forms import AccountForm, CodeForm, SignInForm, SignUpForm
from .services import AccountError

ENROLMENT_SESSION_KEY = "totp_enrolment_device"
BACKUP_CODES_SESSION_KEY = "fresh_backup_codes"


def _safe_next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


class SignInView(LoginView):
    template_name = "accounts/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = False

    def get_success_url(self):
        url = reverse("accounts:after-login")
        nxt = self.get_redirect_url()
        return f"{url}?next={nxt}" if nxt else url


@login_required
def after_login(request):
    """Sends staff through their second factor; everyone else on their way."""
    user = request.user
    if user.is_city_staff and not user.is_verified():
        confirmed = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        target = reverse("accounts:two-factor" if confirmed else "accounts:two-factor-setup")
        nxt = request.GET.get("next")
        return redirect(f"{target}?next={nxt}" if nxt else target)
    default = reverse("core:staff-home") if user.is_city_staff else reverse("accounts:account")
    return redirect(_safe_next(request, default))


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request):
    user = request.user
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return redirect("accounts:two-factor")
    device = TOTPDevice.objects.filter(
        pk=request.session.get(ENROLMENT_SESSION_KEY), user=user, confirmed=False
    ).first()
    if device is None:
        device = services.start_totp_enrolment(user=user)
        request.session[ENROLMENT_SESSION_KEY] = device.pk
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.confirm_totp_enrolment(device=device, code=form.cleaned_data["code"])
        except AccountError as error:
            signins.second_factor(user=user, passed=False, step="enrolment")
            form.add_error("code", str(error))
        else:
            signins.second_factor(user=user, passed=True, step="enrolment")
            otp_login(request, device)
            request.session.pop(ENROLMENT_SESSION_KEY, None)
            request.session[BACKUP_CODES_SESSION_KEY] = codes
            return redirect(
                reverse("accounts:backup-codes")
                + "?next="
                + _safe_next(request, reverse("core:staff-home"))
            )
    secret = _grouped(device.bin_key)
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "qr": qr_svg(device.config_url),
            "secret": secret,
            "next": request.GET.get("next", ""),
        },
    )


def _grouped(bin_key: bytes) -> str:
    from base64 import b32encode

    text = b32encode(bin_key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


@login_required
def backup_codes(request):
    codes = request.session.pop(BACKUP_CODES_SESSION_KEY, None)
    if not codes:
        return redirect(_safe_next(request, reverse("core:staff-home")))
    return render(
        request,
        "accounts/backup_codes.html",
        {"codes": codes, "next": _safe_next(request, reverse("core:staff-home"))},
    )


@login_required
@require_http_methods(["GET", "POST"])
def two_factor(request):
    user = request.user
    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return redirect("accounts:two-factor-setup")
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        device = match_token(user, form.cleaned_data["code"])
        signins.second_factor(user=user, passed=device is not None, step="sign-in")
        if device is None:
            form.add_error("code", _("That code did not match. Try the newest code from your app."))
        else:
            otp_login(request, device)
            return redirect(_safe_next(request, reverse("core:staff-home")))
    return render(
        request, "accounts/two_factor.html", {"form": form, "next": request.GET.get("next", "")}
    )


@require_http_methods(["GET", "POST"])
def sign_up(request):
    if request.user.is_authenticated:
        return redirect("accounts:account")
    form = SignUpForm(
        request.POST if request.method == "POST" else None,
        initial={"preferred_language": request.LANGUAGE_CODE},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.register_resident(
                email=data["email"],
                password=data["password"],
                full_name=data["full_name"],
                language=data["preferred_language"],
            )
        except ValidationError as error:
            form.add_error("password", error)
        except AccountError as error:
            form.add_error("email", str(error))
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Your account is ready."))
            # Back to what needed an account (a permit application), when safe.
            return redirect(_safe_next(request, reverse("accounts:account")))
    return render(request, "accounts/sign_up.html", {"form": form, "next": _safe_next(request, "")})


@login_required
@require_http_methods(["GET", "POST"])
def account(request):
    user = request.user
    form = AccountForm(
        request.POST if request.method == "POST" else None,
        initial={"full_name": user.full_name, "preferred_language": user.preferred_language},
    )
    if request.method == "POST" and form.is_valid():
        services.update_profile(user=user, **form.cleaned_data)
        messages.success(request, _("Your details are saved."))
        return redirect("accounts:account")
    from cityhall.cases import registry
    from cityhall.cases.selectors import cases_of_resident, tracking_token

    cases = [
        {"case": c, "service": _service_name(registry, c.service), "token": tracking_token(c)}
        for c in cases_of_resident(user)[:100]
    ]
    return render(request, "accounts/account.html", {"form": form, "cases": cases})


def _service_name(registry, code):
    try:
        return registry.get(code).name
    except LookupError:
        return code
