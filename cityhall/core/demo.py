"""The demo city's people: one staff user per role and a resident.

Every demo account has the same published password, so `seed-demo` refuses
to run with DEBUG off unless forced.
"""

from __future__ import annotations

from base64 import b32encode
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from .roles import RESIDENT, ROLES

DEMO_PASSWORD = "port-alder-demo-2026"  # noqa: S105  (published on purpose: demo only)
RESIDENT_EMAIL = "resident@example.org"


@dataclass
class DemoLogin:
    email: str
    role: str
    totp_secret: str | None


def staff_email(role: str) -> str:
    return f"{role}@staff.example.org"


@transaction.atomic
def seed_people() -> list[DemoLogin]:
    User = get_user_model()
    logins = []
    for code, role in ROLES.items():
        if not role.staff:
            continue
        user, created = User.objects.get_or_create(
            email=staff_email(code),
            defaults={"full_name": f"Demo {role.name}", "is_staff": True},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        user.groups.add(Group.objects.get(name=code))
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="Demo authenticator", confirmed=True)
        secret = b32encode(device.bin_key).decode().rstrip("=")
        logins.append(DemoLogin(email=user.email, role=code, totp_secret=secret))

    resident, created = User.objects.get_or_create(
        email=RESIDENT_EMAIL, defaults={"full_name": "Alex Rivera", "preferred_language": "en"}
    )
    if created:
        resident.set_password(DEMO_PASSWORD)
        resident.save()
    resident.groups.add(Group.objects.get(name=RESIDENT))
    logins.append(DemoLogin(email=resident.email, role=RESIDENT, totp_secret=None))
    return logins


def current_code(email: str) -> str | None:
    device = TOTPDevice.objects.filter(user__email__iexact=email, confirmed=True).first()
    if device is None:
        return None
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):0{device.digits}d}"


def format_logins(logins: list[DemoLogin]) -> str:
    width = max(len(login.email) for login in logins)
    lines = [
        "",
        f"Demo logins for {settings.CITY_NAME} (password for all: {DEMO_PASSWORD})",
        "Staff add the TOTP secret to an authenticator app, or run `cityhall demo-code EMAIL`.",
        "",
        f"  {'email'.ljust(width)}  {'role'.ljust(18)}  TOTP secret",
    ]
    for login in logins:
        lines.append(
            f"  {login.email.ljust(width)}  {login.role.ljust(18)}  {login.totp_secret or '-'}"
        )
    return "\n".join(lines) + "\n"
