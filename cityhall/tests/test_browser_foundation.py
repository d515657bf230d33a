"""Home and sign-in pages, both languages, in headless Chromium with axe-core."""

import pytest

from cityhall.testing import assert_accessible, current_totp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("path", ["/", "/es/", "/accounts/sign-in/", "/es/accounts/sign-in/"])
def test_public_pages_pass_axe(page, path):
    page.goto(page.base + path)
    assert_accessible(page, path.strip("/").replace("/", "-") or "home")


def test_mobile_home_and_menu_work_with_keyboard(mobile_page):
    page = mobile_page
    page.goto(page.base + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent").strip() == "Skip to main content"
    page.get_by_role("button", name="Menu").click()
    page.get_by_role("link", name="Español").click()
    assert page.locator("html").get_attribute("lang") == "es"
    assert_accessible(page, "mobile-es")


def test_sign_in_error_is_announced_and_keeps_the_email(page, make_user):
    make_user("ana@example.org", roles=["resident"])
    page.goto(page.base + "/accounts/sign-in/")
    page.get_by_label("Email address").fill("ana@example.org")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("alert").is_visible()
    assert page.get_by_label("Email address").input_value() == "ana@example.org"
    assert_accessible(page, "sign-in-error")


def test_staff_sign_in_with_authenticator_enrolment(page, make_user):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    make_user(
        "officer@staff.example.org", roles=["police_reviewer"], password="correct horse battery"
    )
    page.goto(page.base + "/staff/")
    page.get_by_label("Email address").fill("officer@staff.example.org")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Set up your authenticator app").wait_for()
    assert_accessible(page, "two-factor-setup")
    device = TOTPDevice.objects.get(user__email="officer@staff.example.org")
    page.get_by_label("Code", exact=True).fill(current_totp(device))
    page.get_by_role("button", name="Confirm").click()
    page.get_by_role("heading", name="Your backup codes").wait_for()
    assert_accessible(page, "backup-codes")
    page.get_by_role("link", name="I have kept them, continue").click()
    page.get_by_role("heading", name="Your work queues").wait_for()
    assert page.url.endswith("/staff/")
    assert_accessible(page, "staff-home")
