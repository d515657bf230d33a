"""Every page works under the Content Security Policy: no inline script or
style is refused in the browser, for residents, staff and the admin."""

import pytest
from django.urls import reverse

from cityhall.core.security import build_policy


def test_every_response_carries_the_policy(client, db):
    policy = client.get("/")["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert client.get("/healthz")["Content-Security-Policy"] == policy


def test_stripe_checkout_is_allowed_as_a_form_target_only_when_used(settings):
    settings.CITYHALL_PAYMENT_PROVIDER = "sandbox"
    assert "stripe" not in build_policy()
    settings.CITYHALL_PAYMENT_PROVIDER = "stripe"
    assert "form-action 'self' https://checkout.stripe.com" in build_policy()


def _refused(page) -> list[str]:
    found: list[str] = []
    page.on(
        "console",
        lambda message: (
            found.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text
            else None
        ),
    )
    return found


@pytest.mark.parametrize("language", ["", "/es"])
def test_resident_pages_run_without_refusals(mobile_page, language, db):
    refused = _refused(mobile_page)
    for name in [
        "core:home",
        "police:start",
        "cases:track",
        "accounts:login",
        "reservations:start",
    ]:
        mobile_page.goto(mobile_page.base + language + reverse(name))
        mobile_page.wait_for_load_state("networkidle")
    mobile_page.goto(mobile_page.base + language + reverse("core:home"))
    mobile_page.get_by_role("button", name="Menu" if not language else "Menú").click()
    assert mobile_page.locator("nav.usa-nav").is_visible()  # USWDS's script ran
    assert refused == []


def test_staff_and_admin_pages_run_without_refusals(page, staff_client, live_server):
    client, user = staff_client("city_admin")
    user.is_staff = user.is_superuser = True
    user.save()
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    refused = _refused(page)
    for path in [
        "/staff/",
        "/admin/",
        "/admin/accounts/user/",
        f"/admin/accounts/user/{user.pk}/change/",
    ]:
        response = page.goto(page.base + path)
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")
    assert refused == []
