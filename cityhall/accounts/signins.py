"""Sign-ins, failures, lockouts and sign-outs into the audit log.

Django and django-axes announce these with signals from every path (the
sign-in page, the admin's login, the idle-timeout sign-out), so listening is
the one place that sees them all; the second-factor step is recorded by its
views. Only the email tried is kept: never the password (Django masks it in
the failure signal's credentials anyway) nor the session key.
"""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

from cityhall.core import audit
from cityhall.core.models import AuditAction


def _signed_in(sender, request, user, **kwargs):
    audit.record(AuditAction.SIGNED_IN, actor=user, object_type="user", object_id=user.pk)


def _failed(sender, credentials, request=None, **kwargs):
    audit.record(
        AuditAction.SIGN_IN_FAILED,
        object_type="user",
        actor_email=str(credentials.get("username") or credentials.get("email") or "")[:254],
    )


def _signed_out(sender, request, user, **kwargs):
    if user is not None:
        audit.record(AuditAction.SIGNED_OUT, actor=user, object_type="user", object_id=user.pk)


def _locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    audit.record(AuditAction.LOCKED_OUT, object_type="user", actor_email=str(username or "")[:254])


def second_factor(*, user, passed: bool, step: str) -> None:
    """The TOTP (or backup code) step: whether the code matched, never the code."""
    audit.record(
        AuditAction.SECOND_FACTOR_PASSED if passed else AuditAction.SECOND_FACTOR_FAILED,
        actor=user,
        object_type="user",
        object_id=user.pk,
        payload={"step": step},
    )


def connect() -> None:
    from axes.signals import user_locked_out

    user_logged_in.connect(_signed_in, dispatch_uid="cityhall-audit-signed-in")
    user_login_failed.connect(_failed, dispatch_uid="cityhall-audit-sign-in-failed")
    user_logged_out.connect(_signed_out, dispatch_uid="cityhall-audit-signed-out")
    user_locked_out.connect(_locked_out, dispatch_uid="cityhall-audit-locked-out")
