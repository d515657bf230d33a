"""A client for ClamAV's daemon (clamd): the INSTREAM command, nothing else.

The protocol is a few lines (clamd(8), "INSTREAM"): send `zINSTREAM\\0`, then
the file in chunks, each prefixed by its length as a 4-byte big-endian
number, then a zero length; clamd answers one NUL-terminated line,
`stream: OK`, `stream: <signature> FOUND` or `... ERROR`. Writing it here
keeps a dependency off the upload path (docs/decisions/0013).

`CLAMAV_URL` is `tcp://host:port` or `unix:///path/to/clamd.ctl`.
"""

from __future__ import annotations

import socket
import struct
from dataclasses import dataclass
from urllib.parse import urlsplit

CHUNK = 64 * 1024


class ScannerUnavailable(Exception):
    """clamd could not be reached or did not give a verdict: try again later."""


@dataclass(frozen=True)
class Verdict:
    infected: bool
    signature: str = ""


def _connect(url: str, timeout: float) -> socket.socket:
    parts = urlsplit(url)
    try:
        if parts.scheme == "unix":
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(timeout)
            sock.connect(parts.path)
        elif parts.scheme == "tcp":
            sock = socket.create_connection(
                (parts.hostname or "127.0.0.1", parts.port or 3310), timeout=timeout
            )
        else:
            raise ScannerUnavailable(f"CLAMAV_URL must be tcp:// or unix://, not {url!r}")
    except OSError as error:
        raise ScannerUnavailable(f"clamd at {url} is unreachable: {error}") from error
    return sock


def _reply(sock: socket.socket) -> str:
    received = b""
    while not received.endswith(b"\0"):
        chunk = sock.recv(4096)
        if not chunk:
            break
        received += chunk
    return received.rstrip(b"\0").decode("utf-8", "replace").strip()


def scan_bytes(url: str, data: bytes, *, timeout: float = 30.0) -> Verdict:
    """clamd's verdict on `data`; ScannerUnavailable when there is none."""
    sock = _connect(url, timeout)
    try:
        with sock:
            sock.sendall(b"zINSTREAM\0")
            for start in range(0, len(data), CHUNK):
                chunk = data[start : start + CHUNK]
                sock.sendall(struct.pack("!L", len(chunk)) + chunk)
            sock.sendall(struct.pack("!L", 0))
            reply = _reply(sock)
    except OSError as error:
        raise ScannerUnavailable(f"clamd at {url} failed: {error}") from error
    # "stream: OK" / "stream: Eicar-Test-Signature FOUND" / "... ERROR"
    verdict = reply.partition(": ")[2] if reply.startswith("stream") else reply
    if verdict == "OK":
        return Verdict(infected=False)
    if verdict.endswith(" FOUND"):
        return Verdict(infected=True, signature=verdict.removesuffix(" FOUND").strip())
    raise ScannerUnavailable(f"clamd at {url} gave no verdict: {reply!r}")


def ping(url: str, *, timeout: float = 5.0) -> bool:
    try:
        with _connect(url, timeout) as sock:
            sock.sendall(b"zPING\0")
            return _reply(sock) == "PONG"
    except (OSError, ScannerUnavailable):
        return False
