"""A real SMTP server on loopback (aiosmtpd) that can go down and refuse."""

from __future__ import annotations

import asyncio
import email
import email.policy
import threading

import pytest
from aiosmtpd.controller import Controller

from cityhall.testing import free_port


class Recorder:
    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.peers: list[tuple] = []  # the client end of the session each message came on
        self.refuse: set[str] = set()
        self.busy = False  # answer 451 (try later) to everything
        self.lock = threading.Lock()
        # When set, each message is held until this many are being received at
        # once (or 30 s pass), so a test can prove several senders overlapped.
        self.hold_until_concurrent = 0
        self._in_data = 0
        self._gate: asyncio.Event | None = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such mailbox"
        if self.busy:
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.hold_until_concurrent:
            await self._wait_for_company()
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(message)
            self.peers.append(tuple(session.peer))
        return "250 Message accepted"

    async def _wait_for_company(self):
        if self._gate is None:
            self._gate = asyncio.Event()
        self._in_data += 1
        if self._in_data >= self.hold_until_concurrent:
            self._gate.set()
        try:
            await asyncio.wait_for(self._gate.wait(), timeout=30)
        except TimeoutError:
            pass  # let it through; the test's own assertions report the missing overlap
        finally:
            self._in_data -= 1

    def message_ids(self) -> list[str]:
        with self.lock:
            return [str(m["Message-ID"]) for m in self.messages]


class SmtpServer:
    def __init__(self):
        self.port = free_port()
        self.recorder = Recorder()
        self.controller = None

    def start(self):
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp_server(settings):
    server = SmtpServer()
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    settings.CITYHALL_EMAIL_RETRY_SECONDS = 0
    yield server
    server.stop()
