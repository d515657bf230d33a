"""The append-only audit log: who signed in (or failed to), who read whose
personal data, who decided what. Each entry carries the SHA-256 of the one
before it, so an edited, deleted or reordered row breaks the chain and
`cityhall audit verify` names the first broken link (decision record 0012).

Appends take the chain head's row lock (SELECT ... FOR UPDATE on PostgreSQL;
SQLite's IMMEDIATE transactions already run one writer at a time), so several
web processes extend one chain and never fork it. `record` joins the caller's
transaction: a decision rolled back leaves no entry. Reads and sign-ins call it
outside any transaction and get their own.

Payloads are small and never hold secrets: callers pass only identifiers and
outcomes, and `record` drops any key that looks like a credential.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from .models import AuditAction, AuditChainHead, AuditEntry

HEAD_ID = 1
MIN_RETENTION_DAYS = 365
# Keys a caller must never pass; dropped if one slips through (defence in depth).
_SECRET_KEYS = ("password", "token", "code", "secret", "session", "card", "otp", "key")


def _client():
    from .observability import client_ip, request_id

    return client_ip.get(), request_id.get()


def _clean(payload: dict | None) -> dict:
    clean = {}
    for key, value in (payload or {}).items():
        if any(word in key.lower() for word in _SECRET_KEYS):
            continue
        clean[key] = value if isinstance(value, (int, bool, type(None))) else str(value)[:200]
    return clean


def canonical(fields: dict) -> bytes:
    """The bytes hashed for one entry: every field, including the previous
    hash, in sorted-key compact JSON, times in UTC to the microsecond."""
    at = fields["at"].astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    body = {**fields, "at": at}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


HASHED = (
    "seq",
    "at",
    "actor_id",
    "actor_email",
    "actor_roles",
    "action",
    "object_type",
    "object_id",
    "ip",
    "request_id",
    "payload",
    "prev_hash",
)


def entry_hash(fields: dict) -> str:
    return hashlib.sha256(canonical({k: fields[k] for k in HASHED})).hexdigest()


def _locked_head() -> AuditChainHead:
    head = AuditChainHead.objects.select_for_update().filter(pk=HEAD_ID).first()
    if head is None:
        # First entry ever (or a flushed test database): create the row, then lock it;
        # ignore_conflicts lets two first appends race without an error.
        AuditChainHead.objects.bulk_create([AuditChainHead(pk=HEAD_ID)], ignore_conflicts=True)
        head = AuditChainHead.objects.select_for_update().get(pk=HEAD_ID)
    return head


def _actor_fields(actor) -> dict:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return {"actor_id": None, "actor_email": "", "actor_roles": ""}
    roles = ",".join(sorted(actor.role_codes)) + (",superuser" if actor.is_superuser else "")
    return {"actor_id": actor.pk, "actor_email": actor.email, "actor_roles": roles.strip(",")}


def record(
    action: str,
    *,
    actor=None,
    object_type: str = "",
    object_id: str | int = "",
    payload: dict | None = None,
    actor_email: str = "",
) -> AuditEntry:
    """Appends one entry. `actor_email` names who was tried when nobody is
    signed in (a failed sign-in)."""
    if action not in AuditAction.values:
        raise ValueError(f"unknown audit action {action!r}")
    ip, rid = _client()
    with transaction.atomic():
        head = _locked_head()
        fields = {
            "seq": head.last_seq + 1,
            # Taken under the lock: times rise with seq, so the purge removes a prefix.
            "at": timezone.now(),
            **_actor_fields(actor),
            "action": action,
            "object_type": object_type[:40],
            "object_id": str(object_id)[:64],
            "ip": (ip or "")[:64],
            "request_id": (rid if rid != "-" else "")[:64],
            "payload": _clean(payload),
            "prev_hash": head.last_hash,
        }
        if actor_email and not fields["actor_email"]:
            fields["actor_email"] = actor_email.strip().lower()[:254]
        fields["hash"] = entry_hash(fields)
        entry = AuditEntry.objects.create(**fields)
        AuditChainHead.objects.filter(pk=HEAD_ID).update(last_seq=entry.seq, last_hash=entry.hash)
    return entry


# ---- verification -------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    ok: bool
    checked: int
    problem: str = ""
    seq: int | None = None


def verify(*, batch_size: int = 1000) -> Verdict:
    """Walks the chain from the purge checkpoint in seq order, a batch at a time
    (flat memory), and stops at the first broken link."""
    head = AuditChainHead.objects.filter(pk=HEAD_ID).first() or AuditChainHead()
    expected_seq, expected_prev = head.purged_seq + 1, head.purged_hash
    checked = 0
    columns = (*HASHED, "hash")
    while True:
        rows = list(
            # Up to the head read above: entries appended meanwhile are not ours to judge.
            AuditEntry.objects.filter(seq__gte=expected_seq, seq__lte=head.last_seq)
            .order_by("seq")
            .values_list(*columns)[:batch_size]
        )
        for row in rows:
            fields = dict(zip(columns, row, strict=True))
            seq = fields["seq"]
            if seq != expected_seq:
                return Verdict(
                    False, checked, f"entry #{expected_seq} is missing (deleted)", expected_seq
                )
            if fields["prev_hash"] != expected_prev:
                return Verdict(
                    False,
                    checked,
                    f"entry #{seq} does not follow #{seq - 1} (deleted, replaced or reordered)",
                    seq,
                )
            if entry_hash(fields) != fields["hash"]:
                return Verdict(
                    False, checked, f"entry #{seq} was changed after it was written", seq
                )
            expected_seq, expected_prev = seq + 1, fields["hash"]
            checked += 1
        if len(rows) < batch_size:
            break
    if expected_seq - 1 != head.last_seq or (head.last_seq and expected_prev != head.last_hash):
        return Verdict(
            False,
            checked,
            f"the chain ends at #{expected_seq - 1} but its head says #{head.last_seq} "
            "(newest entries deleted)",
            expected_seq,
        )
    return Verdict(True, checked)


# ---- retention ----------------------------------------------------------


def retention_days() -> int:
    return max(MIN_RETENTION_DAYS, int(settings.CITYHALL_AUDIT_RETENTION_DAYS))


PURGE_SETTING = "cityhall.audit_purge"


def purge(*, now=None) -> int:
    """Deletes entries older than the retention period: always a prefix of the
    chain, and the last deleted entry's hash becomes the checkpoint that
    verification starts from. Records itself in the log."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=retention_days())
    with transaction.atomic():
        head = _locked_head()
        last = (
            AuditEntry.objects.filter(at__lt=cutoff, seq__gt=head.purged_seq)
            .order_by("-seq")
            .values_list("seq", "hash")
            .first()
        )
        if last is None:
            return 0
        through_seq, through_hash = last
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # The append-only trigger lets DELETE through only in this transaction.
                cursor.execute("SELECT set_config(%s, 'on', true)", [PURGE_SETTING])
            cursor.execute(
                f"DELETE FROM {AuditEntry._meta.db_table} WHERE seq <= %s",  # noqa: S608
                [through_seq],
            )
            deleted = cursor.rowcount
        AuditChainHead.objects.filter(pk=HEAD_ID).update(
            purged_seq=through_seq, purged_hash=through_hash, purged_at=now
        )
        record(
            AuditAction.LOG_PURGED,
            object_type="audit",
            object_id=through_seq,
            payload={"deleted": deleted, "through_seq": through_seq, "cutoff": cutoff.isoformat()},
        )
    return deleted


# ---- helpers for callers ------------------------------------------------


def record_personal_data_view(*, viewer, case, what: str) -> AuditEntry:
    return record(
        AuditAction.PERSONAL_DATA_VIEWED,
        actor=viewer,
        object_type="case",
        object_id=case.reference,
        payload={"what": what[:100], "service": case.service},
    )
