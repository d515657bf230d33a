"""run_once: the INSERT of the key is the only check (no look-up before it)."""

import pytest
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext

from cityhall.accounts.models import User
from cityhall.core.idempotency import KeyReused, run_once
from cityhall.core.models import IdempotencyRecord

BODY = b'{"a": 1, "b": [2, 3]}'


class Writes:
    def __init__(self):
        self.calls = 0

    def __call__(self):
        self.calls += 1
        return 201, {"n": self.calls}


def test_a_retry_gets_the_first_answer_and_writes_nothing(db):
    write = Writes()
    assert run_once(scope="t", key="k1", body=BODY, write=write) == (201, {"n": 1}, False)
    with CaptureQueriesContext(connection) as queries:
        replay = run_once(scope="t", key="k1", body=b'{"b": [2, 3], "a": 1}', write=write)
    assert replay == (201, {"n": 1}, True)
    assert write.calls == 1
    assert IdempotencyRecord.objects.count() == 1
    # The failed claim and the read of the first answer: no look-up before the INSERT.
    sql = [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert [s.split()[0] for s in sql] == ["INSERT", "SELECT"], sql


def test_the_same_key_with_another_body_is_refused(db):
    run_once(scope="t", key="k2", body=BODY, write=Writes())
    with pytest.raises(KeyReused):
        run_once(scope="t", key="k2", body=b'{"a": 2}', write=Writes())


def test_a_key_is_per_scope(db):
    assert run_once(scope="one", key="k", body=BODY, write=Writes())[2] is False
    assert run_once(scope="two", key="k", body=BODY, write=Writes())[2] is False


def test_a_failed_write_releases_the_key(db):
    def fails():
        raise ValueError("bad input")

    with pytest.raises(ValueError):
        run_once(scope="t", key="k3", body=BODY, write=fails)
    assert not IdempotencyRecord.objects.exists()
    assert run_once(scope="t", key="k3", body=BODY, write=Writes()) == (201, {"n": 1}, False)


def test_the_writes_own_integrity_error_is_not_taken_for_a_twin(db):
    User.objects.create_user(email="taken@example.org", password="x" * 12)

    def duplicate():
        User.objects.create_user(email="taken@example.org", password="x" * 12)
        return 201, {}

    with pytest.raises(IntegrityError):
        run_once(scope="t", key="k4", body=BODY, write=duplicate)
    assert not IdempotencyRecord.objects.exists()
