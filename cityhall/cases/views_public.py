"""The resident's side: check a status by reference and email, or by a signed link."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from cityhall.core.ratelimit import allow, client_address

from . import registry, selectors
from .forms import TrackForm

LOOKUPS_PER_HOUR = 30


@require_http_methods(["GET", "POST"])
def track(request):
    form = TrackForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if not allow(
            f"track:{client_address(request)}", limit=LOOKUPS_PER_HOUR, window_seconds=3600
        ):
            form.add_error(
                None,
                _(
                    "Too many look-ups from your connection. Try again in an hour, or use the link in your email."
                ),
            )
        else:
            case = selectors.find_for_tracking(
                form.cleaned_data["reference"], form.cleaned_data["email"]
            )
            if case is None:
                form.add_error(
                    None,
                    _(
                        "We could not find a request with that reference number and email address. Check both: "
                        "the email must be the one you gave when you applied."
                    ),
                )
            else:
                return redirect("cases:track-status", token=selectors.tracking_token(case))
    return render(request, "cases/track_form.html", {"form": form}, status=200)


@require_GET
def track_status(request, token):
    case, expired = selectors.read_tracking_token(token)
    if expired:
        # Say why, and offer the way back in: the look-up sends to a fresh link.
        return render(
            request,
            "cases/track_form.html",
            {
                "form": TrackForm(),
                "link_expired": True,
                "settings_link_days": settings.CITYHALL_TRACKING_LINK_DAYS,
            },
            status=410,
        )
    if case is None or case.submitted_at is None:
        raise Http404
    service = registry.get(case.service)
    return render(
        request,
        "cases/track_status.html",
        {
            "case": case,
            "service": service,
            "state": service.workflow.state(case.status),
            "timeline": selectors.public_timeline(case),
            "labels": {
                code: state.resident_label for code, state in service.workflow.states.items()
            },
        },
    )


def tracking_url(case) -> str:
    return reverse("cases:track-status", kwargs={"token": selectors.tracking_token(case)})
