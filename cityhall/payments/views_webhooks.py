"""Provider webhooks at /payments/webhooks/<provider>/ (outside the language prefix).

The signature is verified before anything else is read or written; a missing,
forged or stale one is answered 400 and logged. A verified event is stored
once by its id and applied once, so a provider's retries are harmless.
"""

from __future__ import annotations

import logging

from django.http import Http404, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from cityhall.core.ratelimit import client_address

from . import services_payments
from .providers import PROVIDER_NAMES, WebhookRejected, get_provider

logger = logging.getLogger(__name__)


@csrf_exempt
@require_POST
def webhook(request, provider):
    if provider not in PROVIDER_NAMES:
        raise Http404
    try:
        outcome = services_payments.receive_webhook(
            provider=get_provider(provider), body=request.body, headers=request.headers
        )
    except WebhookRejected as error:
        logger.warning("%s webhook rejected from %s: %s", provider, client_address(request), error)
        return JsonResponse(
            {"error": {"code": "bad_signature", "message": "Signature verification failed."}},
            status=400,
        )
    return JsonResponse({"received": True, "outcome": outcome})
