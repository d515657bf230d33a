"""Who may reach staff pages: a person with a staff role who has passed a
second factor in this session. Applied by StaffAreaMiddleware to every
staff URL, so a new staff page cannot forget it."""

from __future__ import annotations

import re
from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect

STAFF_PATH = re.compile(r"^/(?:[a-z]{2}/)?(?:staff|admin)(?:/|$)")


def staff_access(request) -> str:
    """'ok', 'login', 'second_factor' or 'forbidden' for the current request."""
    user = request.user
    if not user.is_authenticated:
        return "login"
    if not user.is_city_staff:
        return "forbidden"
    if not user.is_verified():
        return "second_factor"
    return "ok"


def enforce_staff_access(request):
    """None when allowed, else the response that stops the request."""
    access = staff_access(request)
    if access == "ok":
        return None
    if access == "login":
        return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
    if access == "second_factor":
        target = "accounts:two-factor-setup"
        if request.user.totpdevice_set.filter(confirmed=True).exists():
            target = "accounts:two-factor"
        response = redirect(target)
        response["Location"] += "?next=" + request.get_full_path()
        return response
    raise PermissionDenied("Staff only.")


def staff_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        return enforce_staff_access(request) or view(request, *args, **kwargs)

    return wrapper


def role_required(*roles: str):
    """Staff holding one of these roles. City administrators get no implicit
    access: police data is need-to-know (CJIS), so give the role explicitly."""

    def decorate(view):
        @wraps(view)
        @staff_required
        def wrapper(request, *args, **kwargs):
            user = request.user
            if not (user.is_superuser or user.has_role(*roles)):
                raise PermissionDenied("Not one of your roles.")
            return view(request, *args, **kwargs)

        return wrapper

    return decorate
