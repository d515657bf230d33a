from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from cityhall.core.guards import staff_required

from . import mailbox
from .health import health_report
from .registry import registry
from .security import build_policy


@require_GET
def home(request):
    return render(request, "core/home.html", {"services": registry.services()})


@require_GET
def accessibility(request):
    return render(request, "core/accessibility.html")


@require_GET
def privacy(request):
    return render(request, "core/privacy.html")


@staff_required
def staff_home(request):
    user = request.user
    queues = [
        {"queue": queue, "count": queue.count() if queue.count else None}
        for queue in registry.queues_for(user)
    ]
    from .roles import ROLES

    # The roles' names, in the page's language ("Permit inspector"), not their codes.
    roles = sorted(str(ROLES[code].name) if code in ROLES else code for code in user.role_codes)
    return render(request, "core/staff_home.html", {"queues": queues, "roles": roles})


@never_cache
@require_GET
def livez(request):
    """Liveness: this process answers. Touches nothing (no database), so a load
    balancer can tell a stuck process from a database outage, and the load
    benchmark measures the bare cost of a request through the middleware."""
    return HttpResponse("ok", content_type="text/plain")


@never_cache
@require_GET
def healthz(request):
    report, status = health_report()
    return JsonResponse(report, status=status)


def _debug_only():
    if not settings.DEBUG:
        raise Http404


@staff_required
@require_GET
def mailbox_list(request):
    _debug_only()
    to = request.GET.get("to", "").strip()
    return render(
        request, "core/mailbox_list.html", {"messages_list": mailbox.list_messages(to=to), "to": to}
    )


@staff_required
@require_GET
def mailbox_detail(request, message_id):
    _debug_only()
    item = mailbox.get_message(message_id)
    if item is None:
        raise Http404
    response = render(
        request,
        "core/mailbox_detail.html",
        {"item": item, "html": item.body("html"), "text": item.body("plain")},
    )
    # The email sits in a sandboxed srcdoc frame, which inherits this page's
    # policy; emails need inline styles (mail programs ignore style sheets).
    response["Content-Security-Policy"] = build_policy(inline_styles=True)
    return response


@staff_required
@require_GET
def mailbox_attachment(request, message_id, index):
    _debug_only()
    item = mailbox.get_message(message_id)
    found = item.attachment(index) if item else None
    if found is None:
        raise Http404
    filename, content_type, content = found
    if isinstance(content, str):
        content = content.encode()
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def error_400(request, exception=None):
    return render(request, "400.html", status=400)


def error_403(request, exception=None):
    # A refused request by someone signed in (a resident on a staff page, staff
    # outside their role) goes to the audit log (ASVS 16.3.2): the URL pattern
    # only, never the path (paths can carry link tokens).
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        from django.urls import Resolver404, resolve

        from .audit import record
        from .models import AuditAction

        try:  # refused by a middleware, before the URL was resolved
            route = resolve(request.path_info).route
        except Resolver404:
            route = "unmatched"
        record(
            AuditAction.ACCESS_DENIED,
            actor=user,
            object_type="url",
            object_id=route[:64],
            payload={"method": request.method},
        )
    return render(request, "403.html", status=403)


def error_404(request, exception=None):
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"error": {"code": "not_found", "message": "Not found.", "fields": {}}}, status=404
        )
    return render(request, "404.html", status=404)


def _policy_with_style_of(body: str) -> str:
    import base64
    import hashlib
    import re

    from .security import build_policy

    hashes = tuple(
        "'sha256-" + base64.b64encode(hashlib.sha256(css.encode()).digest()).decode() + "'"
        for css in re.findall(r"<style>(.*?)</style>", body, flags=re.S)
    )
    return build_policy(style_hashes=hashes)


def error_500(request):
    """An unexpected error: 500. A lost database connection (a restart, a failover,
    a killed backend; SQLite's lock timing out) is 503 with Retry-After instead:
    nothing was half-written (each write is one transaction), the next request
    reconnects, and clients with a retry policy retry."""
    # No request context: the database or the session may be what failed.
    import sys

    from django.db import InterfaceError, OperationalError
    from django.template import loader

    unavailable = isinstance(sys.exc_info()[1], OperationalError | InterfaceError)
    status = 503 if unavailable else 500
    if request.path.startswith("/api/"):
        # The API's error shape (cityhall/api.py error_body), for the plain machine routes too.
        message = (
            "The service is briefly unavailable. Try again in a few seconds."
            if unavailable
            else "Something went wrong on our side."
        )
        code = "unavailable" if unavailable else "server_error"
        response = JsonResponse(
            {"error": {"code": code, "message": message, "fields": {}}}, status=status
        )
    else:
        body = loader.get_template("500.html").render(
            {"CITY_NAME": settings.CITY_NAME, "unavailable": unavailable}
        )
        response = HttpResponse(body, status=status)
        # The page carries its few styles inline (it must not depend on anything
        # that may be what failed); it shows nothing a person sent, so the
        # policy allows exactly that style block, by its hash.
        response["Content-Security-Policy"] = _policy_with_style_of(body)
    if unavailable:
        response["Retry-After"] = "5"
    return response


def csrf_failure(request, reason=""):
    return render(request, "403_csrf.html", status=403)
