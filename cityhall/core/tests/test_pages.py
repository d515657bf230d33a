import pytest
from django.db import InterfaceError, OperationalError
from django.urls import reverse

from cityhall.core.registry import CatalogueEntry, StaffQueue, registry


@pytest.fixture
def sample_service():
    entry = CatalogueEntry(
        code="sample",
        title="Report a lost cat",
        summary="Tell the shelter.",
        you_need=("A photo",),
        time_needed="5 minutes",
        start_url_name="core:privacy",
    )
    registry.add_service(entry)
    yield entry
    registry.catalogue.pop("sample")


def test_home_lists_registered_services(client, db, sample_service):
    body = client.get("/").content.decode()
    assert "Report a lost cat" in body
    assert "5 minutes" in body
    assert f'href="{reverse("core:privacy")}"' in body


def test_home_without_services_says_so(client, db):
    saved = dict(registry.catalogue)
    registry.catalogue.clear()
    try:
        assert "No services are online yet" in client.get("/").content.decode()
    finally:
        registry.catalogue.update(saved)


def test_spanish_home_under_es(client, db):
    response = client.get("/es/")
    assert response.status_code == 200
    body = response.content.decode()
    assert '<html lang="es">' in body
    assert "Servicios de la ciudad en línea" in body
    assert 'href="/" lang="en" hreflang="en"' in body


def test_english_home_links_to_spanish(client, db):
    body = client.get("/accessibility/").content.decode()
    assert 'href="/es/accessibility/" lang="es" hreflang="es"' in body


@pytest.mark.parametrize(
    "url", ["/", "/es/", "/accessibility/", "/privacy/", "/es/privacy/", "/accounts/sign-in/"]
)
def test_public_pages_render(client, db, url):
    response = client.get(url)
    assert response.status_code == 200
    assert b'class="usa-skipnav"' in response.content


def test_unknown_page_is_a_friendly_404(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert b"Page not found" in response.content


def test_staff_home_lists_only_queues_for_the_persons_roles(staff_client):
    police = StaffQueue(
        title="Police reports",
        description="d",
        url_name="core:home",
        roles=frozenset({"police_reviewer"}),
        count=lambda: 3,
    )
    permits = StaffQueue(
        title="Permit applications",
        description="d",
        url_name="core:home",
        roles=frozenset({"permit_reviewer"}),
    )
    registry.add_queue(police)
    registry.add_queue(permits)
    try:
        client, _user = staff_client("police_reviewer")
        body = client.get("/staff/").content.decode()
        assert "Police reports" in body
        assert "3 items waiting" in body
        assert "Permit applications" not in body
        assert '<span class="usa-tag">Police reviewer</span>' in body  # its name, not its code
        assert ">police_reviewer<" not in body
    finally:
        registry.queues.remove(police)
        registry.queues.remove(permits)


@pytest.mark.parametrize(
    "error",
    [
        OperationalError("server closed the connection unexpectedly"),
        InterfaceError("connection already closed"),
        OperationalError("database is locked"),
    ],
)
def test_a_lost_database_connection_is_503_with_retry_after(db, monkeypatch, error):
    from django.test import Client

    from cityhall.core import views

    def broken(*args, **kwargs):
        raise error

    monkeypatch.setattr(views.registry, "services", broken)
    client = Client(raise_request_exception=False)
    page = client.get("/")
    assert page.status_code == 503 and page["Retry-After"] == "5"
    assert "busy for a moment" in page.content.decode()
    _its_styles_are_allowed(page)
    api = client.get("/api/v1/services")
    assert api.status_code == 503 and api["Retry-After"] == "5"
    assert api.json()["error"]["code"] == "unavailable"


def _its_styles_are_allowed(page):
    """The page's own style block, and no other inline style, passes its policy
    (without it the browser dropped the styles: seen on a screenshot)."""
    import base64
    import hashlib
    import re

    [css] = re.findall(r"<style>(.*?)</style>", page.content.decode(), flags=re.S)
    digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    [style_src] = [
        d for d in page["Content-Security-Policy"].split("; ") if d.startswith("style-src")
    ]
    assert style_src == f"style-src 'self' 'sha256-{digest}'"


def test_any_other_error_is_a_plain_500(db, monkeypatch):
    from django.test import Client

    from cityhall.core import views

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(views.registry, "services", broken)
    client = Client(raise_request_exception=False)
    page = client.get("/")
    assert page.status_code == 500 and not page.has_header("Retry-After")
    assert "went wrong on our side" in page.content.decode()
    _its_styles_are_allowed(page)
    api = client.get("/api/v1/services")
    assert api.status_code == 500 and api.json()["error"]["code"] == "server_error"


@pytest.mark.parametrize(
    "url",
    [
        "/cases/track/?reference=AB%00C",
        "/api/v1/police/property?serial=%00",
        "/data/service-performance.csv?start=2026-01-01%00",
    ],
)
def test_a_nul_character_in_the_address_is_a_400_not_a_database_error(db, client, url):
    response = client.get(url)
    assert response.status_code == 400
    if url.startswith("/api/"):
        assert response.json()["error"]["code"] == "bad_request"


def test_a_nul_character_in_a_json_body_is_a_400(db, client):
    from django.test import Client

    body = '{"items": [{"code": "per\\u0000mit", "quantity": 1}], "schedule": "x"}'
    response = Client(raise_request_exception=False).post(
        "/api/v1/payments/fee-estimate", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_request"
