"""The local mailbox: emails written as .eml files under var/mailbox.

It is the default EMAIL_URL (mailbox:) so a demo or a developer sees every
email the city would send, at /dev/mailbox/ while DEBUG is on, through the
same Django email path that SMTP uses in production.
"""

from __future__ import annotations

import email
import email.policy
import os
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

NAME_SUFFIX = ".eml"


def mailbox_dir() -> Path:
    return Path(settings.EMAIL_MAILBOX_DIR)


class MailboxBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        folder = mailbox_dir()
        folder.mkdir(parents=True, exist_ok=True)
        sent = 0
        for message in email_messages:
            if not message.recipients():
                continue
            stamp = timezone.now().astimezone(UTC).strftime("%Y%m%dT%H%M%S%f")
            name = f"{stamp}-{uuid.uuid4().hex[:12]}{NAME_SUFFIX}"
            tmp = folder / f".{name}.tmp"
            tmp.write_bytes(message.message().as_bytes(linesep="\n"))
            os.replace(tmp, folder / name)  # readers never see half a message
            sent += 1
        return sent


@dataclass
class MailboxMessage:
    id: str
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message.get("Subject", ""))

    @property
    def to(self) -> str:
        return str(self.message.get("To", ""))

    @property
    def sender(self) -> str:
        return str(self.message.get("From", ""))

    @property
    def date(self) -> datetime:
        stamp = self.id.split("-", 1)[0]
        return datetime.strptime(stamp, "%Y%m%dT%H%M%S%f").replace(tzinfo=UTC)

    def body(self, subtype: str) -> str | None:
        part = self.message.get_body(preferencelist=(subtype,))
        return part.get_content() if part is not None else None

    def attachments(self) -> list[tuple[int, str, str]]:
        return [
            (index, part.get_filename() or f"attachment-{index}", part.get_content_type())
            for index, part in enumerate(self.message.iter_attachments())
        ]

    def attachment(self, index: int) -> tuple[str, str, bytes] | None:
        for i, part in enumerate(self.message.iter_attachments()):
            if i == index:
                return (
                    part.get_filename() or "attachment",
                    part.get_content_type(),
                    part.get_content(),
                )
        return None


def _read(path: Path) -> MailboxMessage:
    with path.open("rb") as handle:
        parsed = email.message_from_binary_file(handle, policy=email.policy.default)
    return MailboxMessage(id=path.name.removesuffix(NAME_SUFFIX), message=parsed)


def list_messages(*, to: str = "", limit: int = 200) -> list[MailboxMessage]:
    folder = mailbox_dir()
    if not folder.exists():
        return []
    paths = sorted(folder.glob(f"*{NAME_SUFFIX}"), reverse=True)
    found = []
    for path in paths:
        item = _read(path)
        if to and to.lower() not in item.to.lower():
            continue
        found.append(item)
        if len(found) >= limit:
            break
    return found


def get_message(message_id: str) -> MailboxMessage | None:
    if not message_id or "/" in message_id or message_id.startswith("."):
        return None
    path = mailbox_dir() / f"{message_id}{NAME_SUFFIX}"
    return _read(path) if path.is_file() else None
