"""Reads that may go to a read-only replica (DATABASE_REPLICA_URLS).

Only code that asks goes there: the insights figures and the open data
exports, which tolerate a replica a few seconds behind and are the heaviest
reads the city serves. Everything else, and every read inside a transaction
(a write's own reads, `select_for_update`), stays on the primary, so nobody
reads their own write from a replica that has not caught up yet.

    with replica_reads():
        figures = kpis.compute(...)

or `@on_replica` on a selector that returns evaluated data (a dict, a list):
a lazy queryset evaluated after the block ends reads the primary.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import connections

PRIMARY = "default"
_on_replica: ContextVar[bool] = ContextVar("cityhall_replica_reads", default=False)


def replica_aliases() -> list[str]:
    return [alias for alias in settings.DATABASES if alias.startswith("replica")]


@contextmanager
def replica_reads() -> Iterator[None]:
    token = _on_replica.set(True)
    try:
        yield
    finally:
        _on_replica.reset(token)


def on_replica(func):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with replica_reads():
            return func(*args, **kwargs)

    return wrapper


def read_alias() -> str:
    """The alias a read made here would use (for tests and the operator's checks)."""
    if not _on_replica.get() or connections[PRIMARY].in_atomic_block:
        return PRIMARY
    aliases = replica_aliases()
    # Several replicas share the load; any one will do for a whole query.
    return random.choice(aliases) if aliases else PRIMARY


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        return read_alias()

    def db_for_write(self, model, **hints):
        # Explicit: a row read from a replica and saved goes to the primary.
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        return True  # one database and its copies

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # Replicas copy the primary's schema; `migrate` runs on the primary only.
        return None if db == PRIMARY else False
