"""Idempotency-Key for API writes (as Stripe and GOV.UK Pay do).

The same key with the same body gets the first answer again, never a second
record; the same key with a different body is refused. The key is claimed by
inserting its row first, inside the write's transaction: a concurrent twin
waits on the unique index and then replays the answer, and a write that
fails rolls its claim back with it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

from django.db import IntegrityError, transaction

from .models import IdempotencyRecord


class KeyReused(Exception):
    """The key was used before with a different request body."""


def body_hash(body: bytes) -> str:
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
    except ValueError:
        canonical = body
    return hashlib.sha256(canonical).hexdigest()


def _replay(full_key: str, digest: str) -> tuple[int, dict]:
    record = IdempotencyRecord.objects.get(key=full_key)
    if record.request_sha256 != digest:
        raise KeyReused(full_key)
    return record.response_status, record.response_body


def run_once(
    *, scope: str, key: str, body: bytes, write: Callable[[], tuple[int, dict]]
) -> tuple[int, dict, bool]:
    """(status, response body, replayed). `write` runs at most once per key."""
    full_key, digest = f"{scope}:{key}"[:200], body_hash(body)
    # No look-up first: the INSERT is the check. A retry of a finished request
    # fails it at once; a twin still running makes it wait for the twin's
    # COMMIT (PostgreSQL's unique index; SQLite's single writer), then fail.
    claimed = False
    try:
        with transaction.atomic():
            record = IdempotencyRecord.objects.create(
                key=full_key, request_sha256=digest, response_status=0, response_body={}
            )
            claimed = True
            status, response = write()
            record.response_status, record.response_body = status, response
            record.save(update_fields=["response_status", "response_body"])
            return status, response, False
    except IntegrityError:
        if claimed:
            raise  # the write's own conflict, not a twin's
        # The key was claimed first by a request that has committed by now.
        return (*_replay(full_key, digest), True)
