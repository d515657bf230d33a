"""Every write to accounts: sign-up, roles, second factors, API tokens."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from cityhall.core import audit
from cityhall.core.models import AuditAction
from cityhall.core.roles import RESIDENT, ROLES, STAFF_ROLES

from .models import ApiToken, User

TOKEN_PREFIX = "ch"  # noqa: S105  (a label, not a secret)
BACKUP_CODE_COUNT = 10


class AccountError(Exception):
    """A domain error the caller turns into a message for the person."""


@transaction.atomic
def register_resident(
    *, email: str, password: str, full_name: str = "", language: str = "en"
) -> User:
    email = User.objects.normalize_email(email).lower()
    if User.objects.filter(email__iexact=email).exists():
        raise AccountError(_("An account with this email address already exists."))
    user = User(email=email, full_name=full_name.strip(), preferred_language=language)
    validate_password(password, user)
    user.set_password(password)
    user.save()
    user.groups.add(Group.objects.get(name=RESIDENT))
    return user


@transaction.atomic
def assign_role(*, user: User, role: str, actor=None) -> None:
    if role not in ROLES:
        raise AccountError(_("Unknown role %(role)s.") % {"role": role})
    user.groups.add(Group.objects.get(name=role))
    if role in STAFF_ROLES and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    user.__dict__.pop("_role_codes", None)
    audit.record(
        AuditAction.ROLE_GRANTED,
        actor=actor,
        object_type="user",
        object_id=user.pk,
        payload={"role": role, "email": user.email},
    )


@transaction.atomic
def start_totp_enrolment(*, user: User) -> TOTPDevice:
    """An unconfirmed authenticator for the person to scan; replaces an earlier unconfirmed one."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


@transaction.atomic
def confirm_totp_enrolment(*, device: TOTPDevice, code: str) -> list[str]:
    """Confirms the device if the code matches; returns fresh one-time backup codes."""
    if not device.verify_token(code.replace(" ", "")):
        raise AccountError(
            _("That code did not match. Check the time on your phone and try the newest code.")
        )
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return issue_backup_codes(user=device.user)


@transaction.atomic
def issue_backup_codes(*, user: User) -> list[str]:
    device, _created = StaticDevice.objects.get_or_create(user=user, name="Backup codes")
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _i in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


@transaction.atomic
def reset_second_factor(*, user: User, actor=None) -> None:
    """For a city admin when staff lose their phone: they enrol again at next sign-in."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    audit.record(
        AuditAction.SECOND_FACTOR_RESET,
        actor=actor,
        object_type="user",
        object_id=user.pk,
        payload={"email": user.email},
    )


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    raw: str  # shown once, never stored


@transaction.atomic
def issue_api_token(*, user: User, name: str = "") -> IssuedToken:
    prefix = secrets.token_hex(4)
    raw = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(user=user, name=name, prefix=prefix, key_hash=hash_token(raw))
    return IssuedToken(token=token, raw=raw)


@transaction.atomic
def revoke_api_token(*, token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])


def authenticate_api_token(raw: str) -> User | None:
    """The active user behind a bearer token, recording when it was last used."""
    if not raw or not raw.startswith(f"{TOKEN_PREFIX}_"):
        if raw:
            _token_refused()
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_token(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        _token_refused()
        return None
    now = timezone.now()
    # One write a minute at most, not one per request.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def _token_refused() -> None:
    # Nothing of the token itself: a mistyped token is still someone's secret.
    audit.record(AuditAction.API_TOKEN_REFUSED, object_type="api")


@transaction.atomic
def update_profile(*, user: User, full_name: str, preferred_language: str) -> None:
    user.full_name = full_name.strip()
    user.preferred_language = preferred_language
    user.save(update_fields=["full_name", "preferred_language"])
