"""Open311 GeoReport v2 at /open311/v2/ (docs/open311.md). Thin: parse, call one
selector or service, answer in the format of the path's extension."""

from __future__ import annotations

import functools
import re

from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from cityhall.accounts.services import authenticate_api_token
from cityhall.core.ratelimit import allow, client_address

from . import catalogue, selectors, services
from .render import Open311Error, error_response, respond

# Requests a key may post an hour: one key is one partner's app or server.
KEY_RATE = "300/3600"
_ATTRIBUTE = re.compile(r"^attribute\[([^\]]+)\](\[\])?$")


def endpoint(*methods: str):
    """Answers errors in the Open311 format, in the format asked for; other
    methods get 405 in that format too. No cookies are read, so no CSRF check."""

    allowed = (*methods, "HEAD") if "GET" in methods else methods

    def wrap(view):
        @csrf_exempt
        @functools.wraps(view)
        def run(request, *args, fmt="json", **kwargs):
            try:
                if request.method not in allowed:
                    raise Open311Error(
                        405, _("Use %(methods)s here.") % {"methods": "/".join(methods)}
                    )
                response = view(request, *args, fmt=fmt, **kwargs)
            except Open311Error as error:
                response = error_response(fmt, error)
                if error.status == 405:
                    response["Allow"] = ", ".join(allowed)
            if request.method in ("GET", "HEAD"):
                response["Access-Control-Allow-Origin"] = "*"  # public data, no cookies
            return response

        return run

    return wrap


@endpoint("GET")
def service_list(request, fmt):
    entries = [catalogue.service_entry(d) for d in catalogue.listed()]
    return respond(fmt, "services", entries)


@endpoint("GET")
def service_definition(request, code, fmt):
    definition = catalogue.find(code)
    if definition is None:
        raise Open311Error(404, _("There is no service with that service_code."))
    return respond(fmt, "service_definition", catalogue.service_definition(definition))


@endpoint("GET", "POST")
def requests(request, fmt):
    if request.method == "POST":
        return _post_request(request, fmt)
    found = selectors.find_requests(selectors.parse_query(request.GET))
    return respond(fmt, "service_requests", found)


def _rate(name: str, default: str) -> tuple[int, int]:
    limit, window = (int(part) for part in getattr(settings, name, default).split("/"))
    return limit, window


def _post_request(request, fmt):
    raw_key = request.POST.get("api_key", "").strip()
    user = authenticate_api_token(raw_key) if raw_key else None
    if user is None:
        # Refusals count per address: guessing keys (or posting without one)
        # slows down; a partner's server posting for many residents does not.
        limit, window = _rate("CITYHALL_PUBLIC_SUBMIT_RATE", "30/3600")
        if not allow(f"open311-ip:{client_address(request)}", limit=limit, window_seconds=window):
            raise Open311Error(429, _("Too many requests from this address. Try again later."))
        raise Open311Error(403, _("A valid api_key is required to post a request."))
    limit, window = _rate("CITYHALL_OPEN311_KEY_RATE", KEY_RATE)
    if not allow(f"open311-key:{user.pk}", limit=limit, window_seconds=window):
        raise Open311Error(429, _("Too many requests with this api_key. Try again later."))
    attributes = {}
    for name in request.POST:
        match = _ATTRIBUTE.match(name)
        if match:
            values = request.POST.getlist(name)
            attributes[match.group(1)] = values if match.group(2) else values[-1]
    sent = services.RequestIn(
        service_code=request.POST.get("service_code", "").strip(),
        attributes=attributes,
        **{
            name: request.POST.get(name, "")
            for name in (
                "address_string",
                "lat",
                "long",
                "description",
                "first_name",
                "last_name",
                "email",
                "phone",
            )
        },
    )
    if not sent.service_code:
        raise Open311Error(400, _("service_code is required."))
    case = services.submit_request(sent=sent, language=(get_language() or "en")[:2])
    definition = catalogue.find(case.service)
    answer = {
        "service_request_id": case.reference,
        "token": selectors.request_token(case),
        "service_notice": catalogue.service_notice(definition) if definition else None,
        "account_id": None,
    }
    return respond(fmt, "service_requests", [answer])


@endpoint("GET")
def request_detail(request, request_id, fmt):
    found = selectors.find_request(request_id)
    if found is None:
        raise Open311Error(404, _("There is no request with that service_request_id."))
    return respond(fmt, "service_requests", [found])


@endpoint("GET")
def token_detail(request, token, fmt):
    found = selectors.find_token(token)
    if found is None:
        raise Open311Error(404, _("There is no request with that token."))
    return respond(fmt, "service_requests", [found])


@endpoint("GET", "POST")
def not_found(request, fmt, rest=""):
    raise Open311Error(404, _("There is no such Open311 resource: use .json or .xml."))
