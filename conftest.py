"""Fixtures shared by every app's tests.

- The network is blocked: a test that reaches past loopback fails loudly.
- `browser` is one headless Chromium (Debian's) per session; browser tests
  are skipped, with the reason, where /usr/bin/chromium is missing.
"""

from __future__ import annotations

import ipaddress
import os
import shutil
import socket
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent
CHROMIUM = Path(os.environ.get("CITYHALL_CHROMIUM", "/usr/bin/chromium"))

_real_connect = socket.socket.connect


def _guarded_connect(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6):
        host = address[0]
        try:
            loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = False
        if not loopback:
            raise RuntimeError(f"Tests may not reach the network ({host}).")
    return _real_connect(self, address)


@pytest.fixture(autouse=True, scope="session")
def _block_network():
    socket.socket.connect = _guarded_connect
    yield
    socket.socket.connect = _real_connect


@pytest.fixture(autouse=True)
def _empty_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _no_mail_session_across_tests():
    """Each test's mail server is its own: a session kept open by one test
    (notifications/connections.py) never reaches into the next."""
    from cityhall.notifications.connections import close_session

    yield
    close_session()


@pytest.fixture(autouse=True)
def _english(settings):
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


# ---- people ---------------------------------------------------------------


@pytest.fixture
def make_user(db):
    from django.contrib.auth.models import Group

    from cityhall.accounts.models import User

    def make(email="person@example.org", *, roles=(), password="a long enough passphrase", **extra):  # noqa: S107
        user = User.objects.create_user(email=email, password=password, **extra)
        if roles:
            # get_or_create: transactional (browser) tests flush the groups
            # that the data migration made.
            user.groups.add(*(Group.objects.get_or_create(name=r)[0] for r in roles))
            if set(roles) - {"resident"}:
                user.is_staff = True
                user.save(update_fields=["is_staff"])
        return user

    return make


@pytest.fixture
def resident(make_user):
    return make_user("resident@example.org", roles=["resident"], full_name="Ana García")


@pytest.fixture
def staff_client(client, make_user):
    """A client signed in as staff with the given roles, second factor passed."""

    def sign_in(*roles, email=None):
        from django_otp.plugins.otp_totp.models import TOTPDevice

        user = make_user(email or f"{roles[0]}@staff.example.org", roles=roles)
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
        client.force_login(user)
        session = client.session
        session["otp_device_id"] = device.persistent_id
        session.save()
        return client, user

    return sign_in


@pytest.fixture
def sample_service():
    """A small registered service type with a typical review workflow (cases/testing.py)."""
    from cityhall.cases import registry
    from cityhall.cases.testing import register_sample_service

    service = register_sample_service()
    yield service
    registry.unregister(service.code)


# ---- browser --------------------------------------------------------------

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: apt-get install chromium (CI installs it)")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs a loop
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.base = live_server.url
    yield page
    context.close()


@pytest.fixture
def mobile_page(browser, live_server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    page.base = live_server.url
    yield page
    context.close()


def pytest_unconfigure(config):
    """The run's var/ folder (media, mailbox, collected static files: ~90 MB)
    goes when the run ends, once, by the process that made it (not by an
    xdist worker, which shares it). CITYHALL_KEEP_TEST_VAR=1 keeps it."""
    made = os.environ.get("CITYHALL_TEST_VAR_MADE")
    keep = os.environ.get("CITYHALL_KEEP_TEST_VAR") == "1"
    if made and not keep and not os.environ.get("PYTEST_XDIST_WORKER"):
        shutil.rmtree(made, ignore_errors=True)
