"""iCalendar (RFC 5545) files: a booking's times for the resident's calendar,
and each unit's public feed of busy times (no names, no purposes).

Times are written in UTC ("…Z"), which every calendar shows in its own zone;
a change keeps each event's UID and raises its SEQUENCE, so calendars update
the event instead of adding another.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

PRODID = "-//CityHall//Facility reservations//EN"


@dataclass(frozen=True)
class Event:
    uid: str
    start: datetime
    end: datetime
    summary: str
    location: str = ""
    description: str = ""
    url: str = ""
    sequence: int = 0
    status: str = "CONFIRMED"  # TENTATIVE, CONFIRMED, CANCELLED


def host() -> str:
    return urlsplit(settings.CITY_SITE_URL).hostname or "cityhall.invalid"


def _text(value: str) -> str:
    return (
        str(value)
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def _stamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _fold(line: str) -> bytes:
    """Lines of at most 75 octets, continued with a space, never splitting a character."""
    data = line.encode()
    if len(data) <= 75:
        return data + b"\r\n"
    out, current = [], b""
    limit = 75
    for char in line:
        encoded = char.encode()
        if len(current) + len(encoded) > limit:
            out.append(current)
            current, limit = b"", 74
        current += encoded
    out.append(current)
    return b"\r\n ".join(out) + b"\r\n"


def calendar(events: list[Event], *, name: str = "", method: str = "PUBLISH") -> bytes:
    stamp = _stamp(timezone.now())
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN"]
    if method:
        lines.append(f"METHOD:{method}")
    if name:
        lines.append(f"X-WR-CALNAME:{_text(name)}")
    for event in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{event.uid}",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{_stamp(event.start)}",
            f"DTEND:{_stamp(event.end)}",
            f"SUMMARY:{_text(event.summary)}",
            f"SEQUENCE:{event.sequence}",
            f"STATUS:{event.status}",
        ]
        if event.location:
            lines.append(f"LOCATION:{_text(event.location)}")
        if event.description:
            lines.append(f"DESCRIPTION:{_text(event.description)}")
        if event.url:
            lines.append(f"URL:{event.url}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return b"".join(_fold(line) for line in lines)


def store(content: bytes, *, name: str) -> str:
    """Writes a calendar file to the default storage; returns its storage name."""
    return default_storage.save(f"reservations/calendars/{name}", ContentFile(content))
