"""A small fixed-window rate limit.

Counted in the cache when the city runs Redis (or one process's memory); when
the cache is the database (the default), counted in a table of its own with one
upsert per hit. The database cache would take a read and two writes a hit, and
its `incr` rewrites the entry's expiry, so a window under steady traffic never
ended.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from django.core.cache import cache, caches
from django.core.cache.backends.db import DatabaseCache
from django.db import connection
from django.utils import timezone


def client_address(request) -> str:
    """The client's address; behind CITYHALL_PROXY_COUNT trusted proxies, the one they saw."""
    from django.conf import settings

    proxies = getattr(settings, "CITYHALL_PROXY_COUNT", 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR", "unknown")


def allow(key: str, *, limit: int, window_seconds: int) -> bool:
    """Counts one hit; False once `limit` hits fell in the current window."""
    if _cache_is_database():
        return _count_in_table(key, window_seconds) <= limit
    cache_key = f"ratelimit:{key}"
    if cache.add(cache_key, 1, timeout=window_seconds):
        return True
    try:
        hits = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, timeout=window_seconds)
        return True
    return hits <= limit


def _cache_is_database() -> bool:
    return isinstance(caches["default"], DatabaseCache)


def _count_in_table(key: str, window_seconds: int) -> int:
    """This window's hits after this one, in one statement (PostgreSQL and SQLite
    both upsert with RETURNING); concurrent hits each get their own count."""
    from .models import RateLimitWindow

    now = time.time()
    window = int(now // window_seconds)
    ends_at = datetime.fromtimestamp((window + 1) * window_seconds, tz=UTC)
    table = connection.ops.quote_name(RateLimitWindow._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (counter_key, window_number, hits, ends_at) VALUES (%s, %s, 1, %s) "  # noqa: S608 — the table name is ours
            f"ON CONFLICT (counter_key, window_number) DO UPDATE SET hits = {table}.hits + 1 RETURNING hits",
            [f"{key}|{window_seconds}"[:200], window, ends_at],
        )
        return cursor.fetchone()[0]


def purge_ended_windows() -> int:
    """Counters of windows that have ended (the worker runs this every hour)."""
    from .models import RateLimitWindow

    deleted, _ = RateLimitWindow.objects.filter(ends_at__lt=timezone.now()).delete()
    return deleted
