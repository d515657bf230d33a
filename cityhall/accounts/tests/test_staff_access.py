"""No staff page without a staff role and a second factor."""

import re

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from cityhall.testing import current_totp

STAFF_URLS = ["/staff/", "/es/staff/", "/admin/", "/admin/accounts/user/"]


@pytest.mark.parametrize("url", STAFF_URLS)
def test_anonymous_is_sent_to_sign_in(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("url", STAFF_URLS)
def test_resident_is_refused(client, resident, url):
    client.force_login(resident)
    response = client.get(url)
    assert response.status_code == 403
    expected = (
        "No puede abrir esta página" if url.startswith("/es/") else "You cannot open this page"
    )
    assert expected in response.content.decode()


@pytest.mark.parametrize("url", STAFF_URLS)
def test_staff_without_second_factor_must_enrol(client, make_user, url):
    officer = make_user("officer@staff.example.org", roles=["police_reviewer"])
    client.force_login(officer)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:two-factor-setup"))


def test_staff_with_unverified_device_must_verify(client, make_user):
    officer = make_user("officer@staff.example.org", roles=["police_reviewer"])
    TOTPDevice.objects.create(user=officer, name="phone", confirmed=True)
    client.force_login(officer)
    response = client.get("/staff/")
    assert response["Location"].startswith(reverse("accounts:two-factor"))


def test_verified_staff_reach_staff_home(staff_client):
    client, _user = staff_client("police_reviewer")
    response = client.get("/staff/")
    assert response.status_code == 200
    assert b"police_reviewer" in response.content


def test_admin_pages_follow_permissions_not_just_a_staff_role(staff_client):
    admin, _user = staff_client("city_admin")
    assert admin.get("/admin/accounts/user/").status_code == 200
    officer, _user = staff_client("police_reviewer", email="o@staff.example.org")
    assert officer.get("/admin/accounts/user/").status_code == 403  # no user-management permission


def test_full_sign_in_with_enrolment(client, make_user):
    """Password, then enrolment with a real TOTP code, then backup codes, then staff home."""
    make_user("clerk@staff.example.org", roles=["finance_clerk"], password="correct horse battery")
    response = client.post(
        reverse("accounts:login"),
        {"username": "Clerk@Staff.Example.org", "password": "correct horse battery"},
        follow=True,
    )
    assert response.redirect_chain[-1][0].startswith(reverse("accounts:two-factor-setup"))
    device = TOTPDevice.objects.get(user__email="clerk@staff.example.org", confirmed=False)

    wrong = client.post(reverse("accounts:two-factor-setup"), {"code": "000000"})
    assert wrong.status_code == 200
    assert b"did not match" in wrong.content
    assert client.get("/staff/").status_code == 302

    response = client.post(
        reverse("accounts:two-factor-setup"), {"code": current_totp(device)}, follow=True
    )
    assert b"Your backup codes" in response.content
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/staff/").status_code == 200


def _sign_in(client, user):
    client.post(
        reverse("accounts:login"), {"username": user.email, "password": "correct horse battery"}
    )


def _let_throttle_pass(user):
    """django-otp pauses a device after a wrong code (1 s, then doubling)."""
    from datetime import timedelta

    from django.utils import timezone

    for device in [*user.totpdevice_set.all(), *user.staticdevice_set.all()]:
        device.throttling_failure_timestamp = timezone.now() - timedelta(hours=1)
        device.save()


def test_backup_code_works_once(client, make_user):
    from cityhall.accounts.services import issue_backup_codes

    user = make_user(
        "planner@staff.example.org", roles=["permit_reviewer"], password="correct horse battery"
    )
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    codes = issue_backup_codes(user=user)
    _sign_in(client, user)
    assert client.post(reverse("accounts:two-factor"), {"code": codes[0]}).status_code == 302
    assert client.get("/staff/").status_code == 200

    client.post(reverse("accounts:logout"))
    _sign_in(client, user)
    assert (
        b"did not match" in client.post(reverse("accounts:two-factor"), {"code": codes[0]}).content
    )
    assert client.get("/staff/").status_code == 302
    _let_throttle_pass(user)
    assert (
        client.post(reverse("accounts:two-factor"), {"code": current_totp(device)}).status_code
        == 302
    )
    assert client.get("/staff/").status_code == 200


def test_wrong_codes_are_throttled(client, make_user):
    user = make_user(
        "planner@staff.example.org", roles=["permit_reviewer"], password="correct horse battery"
    )
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    _sign_in(client, user)
    wrong = "000000" if current_totp(device) != "000000" else "111111"
    assert b"did not match" in client.post(reverse("accounts:two-factor"), {"code": wrong}).content
    # Right code straight after a wrong one: refused while the device is paused.
    assert (
        client.post(reverse("accounts:two-factor"), {"code": current_totp(device)}).status_code
        == 200
    )
    _let_throttle_pass(user)
    assert (
        client.post(reverse("accounts:two-factor"), {"code": current_totp(device)}).status_code
        == 302
    )


def test_residents_sign_in_without_second_factor(client, make_user):
    make_user("me@example.org", roles=["resident"], password="a long enough passphrase")
    response = client.post(
        reverse("accounts:login"),
        {"username": "me@example.org", "password": "a long enough passphrase"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("accounts:account")


def test_next_parameter_cannot_redirect_off_site(staff_client):
    client, _user = staff_client("analyst")
    response = client.get(reverse("accounts:after-login") + "?next=https://evil.example/")
    assert response["Location"] == reverse("core:staff-home")


def _staff_urls():
    """Every URL pattern under /staff/ and /admin/, with dummy arguments."""
    from django.urls import URLPattern, URLResolver, get_resolver

    found = []

    def walk(patterns, prefix):
        for entry in patterns:
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, route)
            elif isinstance(entry, URLPattern) and route.lstrip("^").startswith(
                ("staff/", "admin/")
            ):
                path = re.sub(
                    r"<(?:\w+:)?(\w+)>", lambda m: "1" if "id" in m.group(1) else "X", route
                )
                path = path.replace("^", "").replace("$", "").replace("\\", "")
                if "(?P" not in path and "(" not in path:
                    found.append("/" + path)
        return found

    return sorted(set(walk(get_resolver().url_patterns, "")))


def test_a_resident_reaches_no_staff_url_at_all(client, resident):
    """Enumerates the URL patterns, so a staff page added later is covered too."""
    urls = _staff_urls()
    assert any(u.startswith("/staff/police/") for u in urls) and "/admin/" in urls
    client.force_login(resident)
    for url in urls:
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 403, (url, response.status_code)


def test_staff_without_a_second_factor_reach_no_staff_url(client, make_user):
    officer = make_user(
        "officer@staff.example.org",
        roles=["police_reviewer", "police_supervisor", "finance_clerk", "city_admin"],
    )
    client.force_login(officer)
    for url in _staff_urls():
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/two-factor/" in response["Location"], url
