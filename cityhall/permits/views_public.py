"""Anyone's pages: search issued permits by address or permit number, and a
permit's public record. No personal data (public.py says what is shown)."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from . import public
from .models import InspectionStatus

MAX_QUERY = 200


@require_GET
def search(request):
    address = (request.GET.get("address") or "")[:MAX_QUERY]
    number = (request.GET.get("number") or "")[:MAX_QUERY]
    searched = bool(address.strip() or number.strip())
    permits = public.search(address=address, number=number) if searched else []
    return render(
        request,
        "permits/search.html",
        {
            "address": address,
            "number": number,
            "searched": searched,
            "rows": [(permit, public.status_of(permit)[0]) for permit in permits],
            "limit": public.MAX_RESULTS,
        },
    )


@require_GET
def permit_record(request, number):
    permit = next(iter(public.search(number=number)), None)
    if permit is None:
        raise Http404
    application = permit.application
    return render(
        request,
        "permits/public_permit.html",
        {
            "permit": permit,
            "application": application,
            "permit_type": application.permit_type,
            "status": public.status_of(permit)[0],
            "conditions": list(application.conditions.all()),
            "inspections": [
                i for i in permit.inspections.all() if i.status != InspectionStatus.CANCELLED
            ],
        },
    )
