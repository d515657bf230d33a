"""The hash-chained audit log: links, append-only, tampering found by verify,
retention that keeps verify passing, and one chain under parallel appends."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.utils import timezone

from cityhall.core import audit
from cityhall.core.models import AuditAction, AuditChainHead, AuditEntry, AuditRefused
from cityhall.testing import in_parallel

TABLE = AuditEntry._meta.db_table


def tamper(sql: str, params=()) -> None:
    """Raw SQL as an intruder with database access would write it. On PostgreSQL
    the append-only trigger is switched off for the statement (a table owner
    can do that; the chain is what still catches it)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER core_auditentry_append_only")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER core_auditentry_append_only")


@pytest.fixture
def chain(db, make_user):
    officer = make_user("officer@staff.example.org", roles=["police_reviewer"])
    entries = [
        audit.record(
            AuditAction.PERSONAL_DATA_VIEWED,
            actor=officer,
            object_type="case",
            object_id=f"POL-{i}",
            payload={"what": "police report"},
        )
        for i in range(6)
    ]
    return entries


def test_entries_link_to_the_one_before(chain):
    seqs = list(AuditEntry.objects.values_list("seq", flat=True))
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))
    entries = list(AuditEntry.objects.all())
    for before, after in itertools.pairwise(entries):
        assert after.prev_hash == before.hash
    officer_entry = chain[-1]
    assert officer_entry.actor_email == "officer@staff.example.org"
    assert officer_entry.actor_roles == "police_reviewer"
    verdict = audit.verify(batch_size=4)  # batches smaller than the chain
    assert verdict.ok and verdict.checked == len(entries)


def test_the_command_says_intact(chain, capsys):
    call_command("audit", "verify")
    assert "intact" in capsys.readouterr().out


def test_python_refuses_to_change_or_delete(chain):
    entry = AuditEntry.objects.get(seq=chain[0].seq)
    entry.payload = {"what": "nothing"}
    with pytest.raises(AuditRefused):
        entry.save()
    with pytest.raises(AuditRefused):
        entry.delete()
    with pytest.raises(AuditRefused):
        AuditEntry.objects.filter(seq=entry.seq).update(object_id="x")
    with pytest.raises(AuditRefused):
        AuditEntry.objects.all().delete()
    assert audit.verify().ok


def test_a_rolled_back_decision_leaves_no_entry(chain):
    before = AuditEntry.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        audit.record(AuditAction.CASE_DECIDED, object_type="case", object_id="X")
        raise RuntimeError("the decision failed")
    assert AuditEntry.objects.count() == before
    audit.record(AuditAction.CASE_DECIDED, object_type="case", object_id="Y")
    assert audit.verify().ok


def test_no_secrets_in_payloads(db):
    entry = audit.record(
        AuditAction.SIGN_IN_FAILED,
        payload={"password": "hunter2", "otp_code": "123456", "api_token": "ch_x", "step": "ok"},
    )
    assert entry.payload == {"step": "ok"}


def _broken(capsys=None) -> str:
    with pytest.raises(CommandError) as caught:
        call_command("audit", "verify")
    return str(caught.value)


def test_an_edited_row_is_found(chain):
    target = chain[2].seq
    tamper(
        f"UPDATE {TABLE} SET object_id = %s WHERE seq = %s",  # noqa: S608
        ["POL-999", target],
    )
    verdict = audit.verify()
    assert not verdict.ok and verdict.seq == target and "changed" in verdict.problem
    assert f"#{target}" in _broken()


def test_an_edited_row_with_a_recomputed_hash_breaks_the_next_link(chain):
    target = chain[2]
    fields = {k: getattr(target, k) for k in audit.HASHED}
    fields["object_id"] = "POL-999"
    tamper(
        f"UPDATE {TABLE} SET object_id = %s, hash = %s WHERE seq = %s",  # noqa: S608
        ["POL-999", audit.entry_hash(fields), target.seq],
    )
    verdict = audit.verify()
    assert not verdict.ok and verdict.seq == target.seq + 1


def test_a_deleted_row_is_found(chain):
    target = chain[3].seq
    tamper(f"DELETE FROM {TABLE} WHERE seq = %s", [target])  # noqa: S608
    verdict = audit.verify()
    assert not verdict.ok and verdict.seq == target and "missing" in verdict.problem
    assert "missing" in _broken()


def test_deleting_the_newest_rows_is_found(chain):
    tamper(f"DELETE FROM {TABLE} WHERE seq >= %s", [chain[-2].seq])  # noqa: S608
    verdict = audit.verify()
    assert not verdict.ok and "head" in verdict.problem


def test_reordered_rows_are_found(chain):
    a, b = chain[1].seq, chain[4].seq
    tamper(f"UPDATE {TABLE} SET seq = -1 WHERE seq = %s", [a])  # noqa: S608
    tamper(f"UPDATE {TABLE} SET seq = %s WHERE seq = %s", [a, b])  # noqa: S608
    tamper(f"UPDATE {TABLE} SET seq = %s WHERE seq = -1", [b])  # noqa: S608
    verdict = audit.verify()
    assert not verdict.ok and verdict.seq == a


def test_retention_is_at_least_a_year(settings):
    settings.CITYHALL_AUDIT_RETENTION_DAYS = 10
    assert audit.retention_days() == 365
    settings.CITYHALL_AUDIT_RETENTION_DAYS = 800
    assert audit.retention_days() == 800


def test_the_purge_removes_a_prefix_and_verify_still_passes(chain, settings):
    settings.CITYHALL_AUDIT_RETENTION_DAYS = 365
    cutoff = chain[3].at  # the first three are older than this
    deleted = audit.purge(now=cutoff + timedelta(days=365))
    assert deleted == 3
    head = AuditChainHead.objects.get()
    assert head.purged_seq == chain[2].seq and head.purged_hash == chain[2].hash
    remaining = list(AuditEntry.objects.values_list("seq", flat=True))
    assert remaining[0] == chain[3].seq
    assert AuditEntry.objects.last().action == AuditAction.LOG_PURGED
    assert audit.verify().ok
    # Nothing old enough the second time; nothing within a year ever goes.
    assert audit.purge(now=cutoff + timedelta(days=365)) == 0
    assert audit.purge(now=timezone.now()) == 0
    assert audit.verify().ok


def test_the_purge_is_a_periodic_job():
    from cityhall.core.registry import registry

    assert "core.purge-audit-log" in registry.periodic


@pytest.mark.postgres_only
def test_postgresql_refuses_update_and_delete_but_lets_the_purge_through(chain):
    if connection.vendor != "postgresql":
        pytest.skip("the append-only trigger is PostgreSQL's")
    from django.db import DatabaseError

    for sql in (
        f"UPDATE {TABLE} SET object_id = 'x' WHERE seq = %s",  # noqa: S608
        f"DELETE FROM {TABLE} WHERE seq = %s",  # noqa: S608
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [chain[0].seq])
    # The purge's setting opens DELETE only, and only for its own transaction.
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("SELECT set_config('cityhall.audit_purge', 'on', true)")
        cursor.execute(f"UPDATE {TABLE} SET object_id = 'x'")  # noqa: S608
    assert audit.purge(now=chain[2].at + timedelta(days=365, microseconds=1)) == 3
    assert audit.verify().ok


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_parallel_appends_make_one_unbroken_chain():
    if connection.vendor != "postgresql":
        pytest.skip("real parallel connections need PostgreSQL")
    threads, each = 8, 10

    def append(i):
        for n in range(each):
            audit.record(AuditAction.SIGN_IN_FAILED, actor_email=f"t{i}-{n}@example.org")
        return True

    _results, errors = in_parallel(append, threads)
    assert not errors, errors
    seqs = list(AuditEntry.objects.values_list("seq", flat=True))
    assert seqs == list(range(1, threads * each + 1))
    verdict = audit.verify()
    assert verdict.ok and verdict.checked == threads * each, verdict
