"""One mail-server connection per worker thread, kept open between emails.

Opening an SMTP session (TCP, EHLO, STARTTLS, AUTH) and closing it (QUIT)
costs more than sending a small message; a worker sending a burst of
approvals would spend most of its time on the handshakes. So a worker keeps
its session open while it keeps sending, and starts a new one when it has been
idle for CITYHALL_SMTP_IDLE_SECONDS (servers drop idle sessions, typically
after a few minutes) or after CITYHALL_SMTP_MESSAGES_PER_CONNECTION messages
(servers cap a session's messages). The key includes the settings that name
the server, so changed settings (tests, reloads) never reuse another server's
session.
"""

from __future__ import annotations

import contextlib
import smtplib
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.core.mail import get_connection

_local = threading.local()

# A reused session the server had already closed fails like this, before the
# server accepted anything: sending again on a fresh session cannot double the email.
STALE_SESSION = (smtplib.SMTPServerDisconnected, ConnectionResetError, BrokenPipeError)


def _key() -> tuple:
    return (
        settings.EMAIL_BACKEND,
        getattr(settings, "EMAIL_HOST", ""),
        getattr(settings, "EMAIL_PORT", 0),
        getattr(settings, "EMAIL_HOST_USER", ""),
        getattr(settings, "EMAIL_USE_TLS", False),
        getattr(settings, "EMAIL_USE_SSL", False),
    )


class _Session:
    def __init__(self, key: tuple):
        self.key = key
        self.connection = get_connection(fail_silently=False)
        self.connection.open()  # opened here, the backend leaves it open after each send
        self.sent = 0
        self.last_used = time.monotonic()

    def fresh_enough(self, key: tuple) -> bool:
        idle = time.monotonic() - self.last_used
        return (
            key == self.key
            and idle < settings.CITYHALL_SMTP_IDLE_SECONDS
            and self.sent < settings.CITYHALL_SMTP_MESSAGES_PER_CONNECTION
        )

    def close(self) -> None:
        # Closing a session the server already dropped must never fail a send.
        with contextlib.suppress(Exception):
            self.connection.close()


def close_session() -> None:
    """Ends this thread's session (tests, and a worker shutting down)."""
    session = getattr(_local, "session", None)
    _local.session = None
    if session is not None:
        session.close()


def _session() -> tuple[_Session, bool]:
    key = _key()
    session = getattr(_local, "session", None)
    if session is not None and session.fresh_enough(key):
        return session, True
    close_session()
    _local.session = _Session(key)
    return _local.session, False


def send_with_shared_session(send: Callable[[object], int]) -> int:
    """Calls `send(connection)` on this thread's open session; on a reused session
    the server had closed, once more on a new one. Any other error ends the session
    (the next email starts a clean one) and is raised for the caller to record."""
    session, reused = _session()
    try:
        sent = send(session.connection)
    except STALE_SESSION:
        close_session()
        if not reused:
            raise
        session, _ = _session()
        try:
            sent = send(session.connection)
        except Exception:
            close_session()
            raise
    except Exception:
        close_session()
        raise
    session.sent += 1
    session.last_used = time.monotonic()
    return sent
