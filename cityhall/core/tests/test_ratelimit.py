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
