"""A small fixed-window rate limit on the cache (Redis when configured)."""

from __future__ import annotations

from django.core.cache import cache


def client_address(request) -> str:
    return request.META.get("REMOTE_ADDR", "unknown")


def allow(key: str, *, limit: int, window_seconds: int) -> bool:
    """Counts one hit; False once `limit` hits fell in the current window."""
    cache_key = f"ratelimit:{key}"
    if cache.add(cache_key, 1, timeout=window_seconds):
        return True
    try:
        hits = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, timeout=window_seconds)
        return True
    return hits <= limit
