"""Machine endpoints (no language prefix): /data/<slug>.csv, /data/<slug>.json
and the DCAT-US catalogue /data.json. Thin: read the query, check the rate
and the validators, stream or page."""

from __future__ import annotations

from django.conf import settings
from django.http import JsonResponse, StreamingHttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from cityhall.core.ratelimit import allow, client_address

from . import catalog, exports, registry
from .exports import BadQuery

CACHE_SECONDS = 300


def _rate_limited(request) -> JsonResponse | None:
    limit, window = (int(p) for p in settings.CITYHALL_OPEN_DATA_RATE.split("/"))
    if allow(f"opendata:{client_address(request)}", limit=limit, window_seconds=window):
        return None
    response = JsonResponse(
        {
            "error": "rate_limited",
            "message": _("Too many downloads from this address. Try again in %(s)d seconds.")
            % {"s": window},
        },
        status=429,
    )
    response["Retry-After"] = str(window)
    return response


def _error(status: int, code: str, message: str, field: str = "") -> JsonResponse:
    body = {"error": code, "message": message}
    if field:
        body["field"] = field
    return JsonResponse(body, status=status)


def _stamp(response, etag: str, changed) -> None:
    response["ETag"] = etag
    if changed is not None:
        response["Last-Modified"] = http_date(changed.timestamp())
    response["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"
    response["Access-Control-Allow-Origin"] = "*"  # open data: any site may read it


def _prepare(request, slug: str, kind: str):
    """(dataset, query, limit, etag, changed) or the response to send instead."""
    limited = _rate_limited(request)
    if limited:
        return limited
    try:
        dataset = registry.get(slug)
    except LookupError:
        return _error(404, "not_found", _("There is no dataset “%(slug)s”.") % {"slug": slug})
    try:
        query, limit = exports.parse_query(dataset, request.GET, paged=kind == "json")
    except BadQuery as bad:
        return _error(400, "bad_query", bad.message, bad.field)
    etag, changed = exports.validators(dataset, kind, request.GET)
    not_modified = get_conditional_response(
        request, etag=etag, last_modified=int(changed.timestamp()) if changed else None
    )
    if not_modified is not None:
        _stamp(not_modified, etag, changed)
        return not_modified
    return dataset, query, limit, etag, changed


@require_safe
def download_csv(request, slug: str):
    prepared = _prepare(request, slug, "csv")
    if not isinstance(prepared, tuple):
        return prepared
    dataset, query, _limit, etag, changed = prepared
    response = StreamingHttpResponse(
        exports.csv_chunks(dataset, query), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{dataset.slug}.csv"'
    _stamp(response, etag, changed)
    return response


@require_safe
def download_json(request, slug: str):
    prepared = _prepare(request, slug, "json")
    if not isinstance(prepared, tuple):
        return prepared
    dataset, query, limit, etag, changed = prepared
    records, after = exports.json_page(dataset, query, limit)
    following = None
    if after is not None:
        params = request.GET.copy()
        params["cursor"] = exports.encode_cursor(after)
        following = request.build_absolute_uri(f"{request.path}?{params.urlencode()}")
    response = JsonResponse(
        {
            "dataset": dataset.slug,
            "start": query.start.isoformat(),
            "end": query.end.isoformat(),
            "columns": list(dataset.column_names),
            "count": len(records),
            "data": records,
            "next": following,
        },
        json_dumps_params={"ensure_ascii": False},
    )
    _stamp(response, etag, changed)
    return response


@require_safe
def data_json(request):
    limited = _rate_limited(request)
    if limited:
        return limited
    response = JsonResponse(catalog.catalogue(), json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"
    response["Access-Control-Allow-Origin"] = "*"
    return response
