"""The Content Security Policy every page is served with.

No inline scripts or styles anywhere in the portal (USWDS and our own
JavaScript are files under /static/), so the policy can refuse them: an
injected `<script>` does not run even if escaping were ever missed. A view
that needs something else sets its own header (the development mailbox shows
emails, which carry inline styles, in a sandboxed frame).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponseBadRequest, JsonResponse


def build_policy(*, inline_styles: bool = False, style_hashes: tuple[str, ...] = ()) -> str:
    """The Content-Security-Policy header. `inline_styles`: any inline style
    (emails shown in the dev mailbox); `style_hashes`: exactly these inline
    style blocks, as 'sha256-…' sources (the error page)."""
    form_action = ["'self'"]
    if settings.CITYHALL_PAYMENT_PROVIDER == "stripe":
        # The pay button's POST is answered with a redirect to Stripe Checkout,
        # and browsers apply form-action to where the form ends up.
        form_action.append("https://checkout.stripe.com")
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", *(["'unsafe-inline'"] if inline_styles else []), *style_hashes],
        "img-src": ["'self'", "data:"],  # USWDS draws some icons as data: URIs
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],  # no page needs <base>; ASVS 5.0 3.4.3
        "form-action": form_action,
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = build_policy()

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = self.policy
        return response


class RejectNulCharactersMiddleware:
    """A NUL character in the address or the query string is refused with 400.

    No person types one; PostgreSQL cannot store or compare text holding one
    (it raised DataError, a 500, wherever such a value reached a query), and
    SQLite would store it silently. Forms already refuse NUL in their fields
    (Django's ProhibitNullCharactersValidator) and the API's JSON parser refuses
    it in bodies (cityhall.api.StrictJsonParser)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path or "%00" in query or "\x00" in query:
            message = "Addresses and query parameters may not contain the NUL character."
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"error": {"code": "bad_request", "message": message, "fields": {}}},
                    status=400,
                )
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
