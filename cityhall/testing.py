"""Helpers for tests: TOTP codes, axe-core checks, a few assertions."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def _axe_source() -> str:
    global _AXE_SOURCE
    if _AXE_SOURCE is None:
        _AXE_SOURCE = AXE_JS.read_text(encoding="utf-8")
    return _AXE_SOURCE


_AXE_SOURCE: str | None = None


def current_totp(device) -> str:
    from django_otp.oath import totp

    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def assert_accessible(page, name: str = "") -> None:
    """Runs axe-core (WCAG 2.2 AA rules) on the page; fails listing each violation."""
    page.wait_for_load_state()
    # Evaluated through the DevTools protocol, not added as a <script>: the
    # page's Content Security Policy (rightly) refuses inline scripts.
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source())
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        AXE_TAGS,
    )
    violations = result["violations"]
    if violations:
        ARTIFACTS.mkdir(exist_ok=True)
        shot = ARTIFACTS / f"axe-{name or 'page'}.png"
        page.screenshot(path=str(shot), full_page=True)
        lines = [f"{page.url}: {len(violations)} axe violation(s) (screenshot {shot})"]
        for v in violations:
            targets = ", ".join(str(n["target"]) for n in v["nodes"][:5])
            lines.append(f"  {v['id']}: {v['help']} -> {targets}")
        pytest.fail("\n".join(lines))


def in_parallel(work, count: int):
    """Runs work(i) in `count` threads released at once, each on its own database
    connection (closed at the end); returns (results, errors) by index."""
    import threading

    from django.db import connection

    barrier = threading.Barrier(count)
    results: dict[int, object] = {}
    errors: dict[int, BaseException] = {}
    lock = threading.Lock()

    def run(i):
        try:
            barrier.wait(timeout=30)
            value = work(i)
            with lock:
                results[i] = value
        except BaseException as error:  # reported by the caller
            with lock:
                errors[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return results, errors


def database_url() -> str:
    """The test database as a DATABASE_URL, for processes a test starts (a server,
    workers) that must see what the test wrote."""
    from django.db import connection

    s = connection.settings_dict
    if s["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{s['NAME']}"
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    host = s["HOST"] or "127.0.0.1"
    return f"postgres://{s['USER']}{password}@{host}:{s['PORT'] or 5432}/{s['NAME']}"


# Ports for the servers tests start (gunicorn, the SMTP server) are taken below
# the kernel's ephemeral range, from a slice of their own per pytest-xdist worker.
# A port from bind(("127.0.0.1", 0)) is in the ephemeral range: until the server
# binds it (seconds, for gunicorn), or while a test has stopped its SMTP server
# to start it again on the same port, an outgoing connection of another process
# (the other worker's browser, its database connections) can be given that very
# port as its local end, and the server then fails with "Address already in use".
# No outgoing connection gets a port below the range, and two workers never pick
# the same one; the bind check skips ports something else on the machine holds.
_PORTS_PER_WORKER = 500
_PORT_SLICES = 16
_next_port: int | None = None


def _test_port_range() -> tuple[int, int] | None:
    """(first, count) of this worker's slice, or None if there is no room below
    the ephemeral range."""
    import os

    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            ephemeral_low = int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        ephemeral_low = 32768  # Linux's default; other systems' start higher
    bottom = ephemeral_low - _PORT_SLICES * _PORTS_PER_WORKER
    if bottom < 10000:
        return None
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
    index = int(worker) % _PORT_SLICES if worker.isdigit() else 0
    return bottom + index * _PORTS_PER_WORKER, _PORTS_PER_WORKER


def free_port() -> int:
    """A loopback TCP port nobody listens on, for a server the test starts."""
    import random
    import socket

    global _next_port
    span = _test_port_range()
    if span is None:  # a machine with an unusual ephemeral range: the kernel's choice
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            return s.getsockname()[1]
    first, count = span
    if _next_port is None:
        # Random start: another run of the suite on the machine starts elsewhere.
        _next_port = random.randrange(count)
    for _ in range(count):
        port = first + _next_port
        _next_port = (_next_port + 1) % count  # never the same port twice in a row
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"No free port in {first}-{first + count - 1}.")


def pay_in_sandbox(page, name: str = "Ana García") -> None:
    """From the sandbox hosted checkout: pays with the test card and waits for
    the city's return page to say it is paid (browser tests)."""
    import re

    page.wait_for_url(re.compile("/pay/sandbox/"))
    page.fill("[name=card_number]", "4242 4242 4242 4242")
    page.fill("[name=expiry]", "12/39")
    page.fill("[name=cvc]", "123")
    page.fill("[name=name]", name)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile("/return/"))
    assert page.get_by_test_id("payment-state").get_attribute("data-state") == "paid"


# Variables of the test process that a deployment never has: processes a test
# starts (servers, workers, commands) must read the real settings.
_NOT_INHERITED = {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}


def process_env(**extra: str) -> dict[str, str]:
    """The environment for a `cityhall …` process started by a test, on the test
    database, with production settings (DEBUG off) unless `extra` says otherwise."""
    import os

    return {
        **{k: v for k, v in os.environ.items() if k not in _NOT_INHERITED},
        "DATABASE_URL": database_url(),
        "DEBUG": "false",
        "SECRET_KEY": "test-" + "k" * 50,
        "EMAIL_URL": "memory:",
        **extra,
    }


def run_cityhall(*args: str, env: dict[str, str], timeout: float = 180, check: bool = True):
    """Runs `cityhall ARGS` to the end; its CompletedProcess (text)."""
    import subprocess
    import sys

    result = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "cityhall.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if check:
        assert result.returncode == 0, f"cityhall {' '.join(args)}:\n{result.stdout}{result.stderr}"
    return result


def redis_url() -> str | None:
    """The local Redis for tests (CITYHALL_TEST_REDIS_URL, default database 15 on
    127.0.0.1:6379), or None when none answers; CI always has one (it fails there)."""
    import os
    import socket
    from urllib.parse import urlsplit

    url = os.environ.get("CITYHALL_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    parts = urlsplit(url)
    try:
        socket.create_connection((parts.hostname, parts.port or 6379), timeout=2).close()
    except OSError:
        if os.environ.get("CI"):
            raise
        return None
    return url
