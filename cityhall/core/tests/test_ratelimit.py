import pytest
from django.core.cache import cache
from django.test import RequestFactory

from cityhall.core.ratelimit import allow, client_address


def test_fixed_window_limit(db):
    cache.clear()
    assert [allow("t", limit=3, window_seconds=60) for _ in range(5)] == [
        True,
        True,
        True,
        False,
        False,
    ]
    assert allow("other", limit=3, window_seconds=60)
    cache.clear()


def test_client_address_behind_trusted_proxies(settings):
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9"
    )
    settings.CITYHALL_PROXY_COUNT = 0
    assert client_address(request) == "10.0.0.5"  # headers are not trusted without proxies
    settings.CITYHALL_PROXY_COUNT = 1
    assert (
        client_address(request) == "203.0.113.9"
    )  # the address our proxy saw, not the spoofable first one


DATABASE_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "cityhall_cache",
    }
}


def test_with_the_database_cache_hits_are_counted_in_one_statement(
    db, settings, django_assert_num_queries
):
    settings.CACHES = DATABASE_CACHE
    with django_assert_num_queries(1):
        assert allow("sign-in:10.0.0.1", limit=2, window_seconds=60)
    assert allow("sign-in:10.0.0.1", limit=2, window_seconds=60)
    assert not allow("sign-in:10.0.0.1", limit=2, window_seconds=60)
    assert allow("sign-in:10.0.0.2", limit=2, window_seconds=60)
    # The same key with another window is another limit.
    assert allow("sign-in:10.0.0.1", limit=2, window_seconds=3600)


def test_with_the_database_cache_a_window_ends_on_time(db, settings, monkeypatch):
    """The window is fixed: steady hits do not keep it open (the cache's incr
    rewrote the expiry, so a limited client stayed limited while it kept trying)."""
    from cityhall.core import ratelimit

    settings.CACHES = DATABASE_CACHE
    clock = [1_000_000_000.0]
    monkeypatch.setattr(ratelimit.time, "time", lambda: clock[0])
    assert [allow("k", limit=1, window_seconds=60) for _ in range(3)] == [True, False, False]
    clock[0] = (clock[0] // 60 + 1) * 60 - 1  # the window's last second
    assert not allow("k", limit=1, window_seconds=60)
    clock[0] += 1  # the next window
    assert allow("k", limit=1, window_seconds=60)


def test_ended_windows_are_purged(db, settings, monkeypatch):
    from cityhall.core import ratelimit
    from cityhall.core.models import RateLimitWindow

    settings.CACHES = DATABASE_CACHE
    monkeypatch.setattr(ratelimit.time, "time", lambda: 1_000_000_000.0)
    allow("old", limit=5, window_seconds=60)
    monkeypatch.undo()
    allow("current", limit=5, window_seconds=60)
    assert ratelimit.purge_ended_windows() == 1
    assert list(RateLimitWindow.objects.values_list("counter_key", flat=True)) == ["current|60"]


@pytest.mark.django_db(transaction=True)
def test_parallel_hits_on_the_database_count_each_once(settings):
    from cityhall.core.models import RateLimitWindow
    from cityhall.testing import in_parallel

    settings.CACHES = DATABASE_CACHE

    def hit(_):
        return [allow("busy", limit=1_000, window_seconds=3600) for _ in range(10)]

    results, errors = in_parallel(hit, 8)
    assert errors == {} and all(all(r) for r in results.values())
    assert RateLimitWindow.objects.get(counter_key="busy|3600").hits == 80
