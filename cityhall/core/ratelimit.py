"""A small fixed-window rate limit on the cache (Redis when configured)."""

from __future__ import annotations

from django.core.cache import cache


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
    cache_key = f"ratelimit:{key}"
    if cache.add(cache_key, 1, timeout=window_seconds):
        return True
    try:
        hits = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, timeout=window_seconds)
        return True
    return hits <= limit
