"""The JSON API at /api/v1/: one NinjaAPI that each app adds its router to.

Errors always have the same shape, so a client can act on them:
    {"error": {"code": "validation_error", "message": "...", "fields": {"items.0.quantity": ["..."]}}}
401 means no valid token; 404 is returned both for records that do not exist
and for records the caller may not see, so existence never leaks.
"""

from __future__ import annotations

import logging

from django.db import Error as DatabaseError
from django.db import InterfaceError, OperationalError
from django.http import Http404
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser
from ninja.security import HttpBearer

from cityhall.accounts.services import authenticate_api_token
from cityhall.core.registry import registry

logger = logging.getLogger(__name__)


class TokenAuth(HttpBearer):
    """`Authorization: Bearer ch_…` with a token from `cityhall api-token EMAIL`."""

    def authenticate(self, request, token):
        user = authenticate_api_token(token)
        if user is None:
            return None
        request.user = user
        return user


token_auth = TokenAuth()


class ApiDomainError(Exception):
    """Raised by API handlers for a 4xx with a machine-readable code."""

    def __init__(self, status: int, code: str, message: str, fields: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.fields = status, code, message, fields or {}


def idempotent(request, scope: str, write):
    """Runs `write() -> (status, body)` at most once per `Idempotency-Key` header
    (none: every time). A replay answers 200 with the first body; the same key
    with another body is 422. Services may use it instead of their own copy."""
    from ninja import Status

    from cityhall.core.idempotency import KeyReused, run_once

    key = request.headers.get("Idempotency-Key", "").strip()
    if not key:
        return Status(*write())
    if len(key) > 150:
        raise ApiDomainError(
            422, "validation_error", "Idempotency-Key is too long (150 characters at most)."
        )
    try:
        status, body, replayed = run_once(scope=scope, key=key, body=request.body, write=write)
    except KeyReused as error:
        raise ApiDomainError(
            422,
            "idempotency_key_reused",
            "This Idempotency-Key was used with a different request body.",
        ) from error
    return Status(200 if replayed else status, body)


def _holds_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_nul(v) for v in value)
    return False


class StrictJsonParser(Parser):
    """JSON bodies without the NUL character anywhere (keys or values): PostgreSQL
    cannot hold one in text (a DataError, a 500, wherever it reached a query) and
    no person types one. ninja answers 400 "Cannot parse request body"."""

    def parse_body(self, request):
        data = super().parse_body(request)
        if _holds_nul(data):
            raise ValueError("text may not contain the NUL character")
        return data


api = NinjaAPI(
    parser=StrictJsonParser(),
    title="CityHall API",
    version="1",
    description=(
        "The city's services as JSON. Staff endpoints need `Authorization: Bearer <token>` "
        "(issued with `cityhall api-token EMAIL`). Errors: "
        '`{"error": {"code", "message", "fields"}}`.'
    ),
    urls_namespace="api",
)


class ErrorDetail(Schema):
    code: str
    message: str
    fields: dict[str, list[str]]


class ErrorOut(Schema):
    """The body of every 4xx (and 5xx) answer."""

    error: ErrorDetail


# The client errors the handlers and the shared exception handlers below give, all in
# the one shape (405 is answered by ninja's routing before any operation, as plain text).
CLIENT_ERRORS = frozenset({400, 401, 403, 404, 409, 422, 429})


def with_errors(success=None) -> dict:
    """`response=` for an operation: its success model(s) and the error body, so the
    OpenAPI document declares what clients (and the schemathesis fuzz test) will get.
    `None`: a success answered with a plain HttpResponse (CSV, iCalendar)."""
    responses = dict(success) if isinstance(success, dict) else {200: success}
    responses[CLIENT_ERRORS] = ErrorOut
    return responses


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def _field_path(loc) -> str:
    # ninja's loc starts with where the value came from ("body", "query", ...)
    # and the parameter name; keep the path inside the payload a client sent.
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "query", "path", "header", "form"}:
        parts = parts[1:]
        if len(parts) > 1:
            parts = parts[1:]
    return ".".join(parts) or "__all__"


@api.exception_handler(ValidationError)
def on_validation_error(request, exc: ValidationError):
    fields: dict[str, list[str]] = {}
    for error in exc.errors:
        message = str(error.get("msg", "Invalid value.")).removeprefix("Value error, ")
        fields.setdefault(_field_path(error.get("loc", ())), []).append(message)
    return api.create_response(
        request,
        error_body("validation_error", "Some fields are missing or invalid.", fields),
        status=422,
    )


@api.exception_handler(AuthenticationError)
def on_authentication_error(request, exc):
    response = api.create_response(
        request,
        error_body("not_authenticated", "A valid API token is required."),
        status=401,
    )
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return api.create_response(request, error_body("not_found", "Not found."), status=404)


@api.exception_handler(ApiDomainError)
def on_domain_error(request, exc: ApiDomainError):
    return api.create_response(
        request, error_body(exc.code, exc.message, exc.fields), status=exc.status
    )


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    codes = {400: "bad_request", 403: "forbidden", 405: "method_not_allowed", 429: "rate_limited"}
    return api.create_response(
        request, error_body(codes.get(exc.status_code, "error"), str(exc)), status=exc.status_code
    )


@api.exception_handler(DatabaseError)
def on_database_error(request, exc):
    """A lost connection (restart, failover, killed backend; SQLite's lock timing
    out) is 503 with Retry-After: the write was one transaction, so nothing was
    half-done, and a retry with the same Idempotency-Key is safe. Other database
    errors are bugs (500)."""
    if not isinstance(exc, OperationalError | InterfaceError):
        return on_unexpected(request, exc)
    logger.warning("API %s: database unavailable: %s", request.path, exc)
    response = api.create_response(
        request,
        error_body(
            "unavailable", "The service is briefly unavailable. Try again in a few seconds."
        ),
        status=503,
    )
    response["Retry-After"] = "5"
    return response


@api.exception_handler(Exception)
def on_unexpected(request, exc):
    logger.exception("API error on %s", request.path)
    return api.create_response(
        request, error_body("server_error", "Something went wrong on our side."), status=500
    )


class ServiceOut(Schema):
    code: str
    title: str
    summary: str
    you_need: list[str]
    time_needed: str


class MeOut(Schema):
    email: str
    full_name: str
    roles: list[str]


@api.get(
    "/services",
    response=with_errors(list[ServiceOut]),
    tags=["catalogue"],
    summary="The service catalogue",
)
def list_services(request):
    return [
        {
            "code": e.code,
            "title": str(e.title),
            "summary": str(e.summary),
            "you_need": [str(x) for x in e.you_need],
            "time_needed": str(e.time_needed),
        }
        for e in registry.services()
    ]


@api.get(
    "/me",
    response=with_errors(MeOut),
    auth=token_auth,
    tags=["accounts"],
    summary="Who this token is",
)
def me(request):
    user = request.auth
    return {"email": user.email, "full_name": user.full_name, "roles": sorted(user.role_codes)}


def _add_routers() -> None:
    # Service apps' routers; imported here (the project level), never by a foundation.
    from cityhall.insights.api import router as insights_router
    from cityhall.payments.api import invoices_router, payments_router
    from cityhall.permits.api import router as permits_router
    from cityhall.police.api import router as police_router
    from cityhall.reservations.api import router as reservations_router

    api.add_router("/payments", payments_router)
    api.add_router("/invoices", invoices_router)
    api.add_router("/police", police_router)
    api.add_router("/", reservations_router)  # /facilities, /units, /bookings
    api.add_router("/permits", permits_router)
    api.add_router("/insights", insights_router)


_add_routers()
