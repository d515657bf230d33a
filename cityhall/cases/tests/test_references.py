import threading
import time

import pytest
from django.db import connection, transaction

from cityhall.cases.models import ReferenceSequence
from cityhall.cases.references import (
    CHECK_ALPHABET,
    InvalidReference,
    check_character,
    format_reference,
    next_reference,
    parse_reference,
    sequence_name,
    validate_prefix,
)
from cityhall.testing import in_parallel


def _number(reference: str) -> int:
    return parse_reference(reference).number


@pytest.fixture
def fresh_numbering():
    """Transactional tests commit, and a PostgreSQL sequence outlives the
    emptying of the tables between tests: these prefixes start from nothing."""

    def forget():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for prefix in ("CC", "CF"):
                    cursor.execute(f"DROP SEQUENCE IF EXISTS {sequence_name(prefix, 2026)}")

    forget()
    yield
    forget()


def test_format_and_parse_round_trip():
    ref = format_reference("LP", 2026, 427)
    assert ref.startswith("LP-2026-00427-")
    assert str(parse_reference(ref)) == ref
    assert str(parse_reference(ref.lower().replace("-", " "))) == ref
    assert str(parse_reference(ref.replace("-", ""))) == ref


def test_no_ambiguous_check_characters():
    assert not set("01IO") & set(CHECK_ALPHABET)


def test_every_single_character_typo_is_caught():
    ref = format_reference("LP", 2026, 427)
    payload = ref.replace("-", "")[:-1]
    for i, original in enumerate(payload):
        alternatives = "0123456789" if original.isdigit() else "ABCDEFGHJKLMNPQRSTUVWXYZ"
        for replacement in alternatives:
            if replacement == original:
                continue
            typo = payload[:i] + replacement + payload[i + 1 :]
            assert check_character(typo) != check_character(payload), typo


def test_every_swap_of_neighbours_is_caught():
    payload = "LP202600427"
    for i in range(len(payload) - 1):
        swapped = payload[:i] + payload[i + 1] + payload[i] + payload[i + 2 :]
        if swapped != payload:
            assert check_character(swapped) != check_character(payload)


@pytest.mark.parametrize("typed", ["", "hello", "LP-2026-427", "LP-2026-00427-", "LP-20X6-00427-K"])
def test_malformed_references_are_refused(typed):
    with pytest.raises(InvalidReference):
        parse_reference(typed)


def test_wrong_check_character_is_refused():
    ref = format_reference("LP", 2026, 427)
    wrong = ref[:-1] + next(c for c in CHECK_ALPHABET if c != ref[-1])
    with pytest.raises(InvalidReference, match="typo"):
        parse_reference(wrong)


def test_letter_o_typed_for_zero_is_understood():
    ref = format_reference("LP", 2026, 427)
    assert str(parse_reference(ref.replace("00427", "OO427"))) == ref


def test_prefixes_avoid_ambiguous_letters():
    validate_prefix("LP")
    for bad in ["", "LPOX1", "IO", "L1"]:
        with pytest.raises(ValueError):
            validate_prefix(bad)


def test_numbers_count_up_per_prefix_and_year(db):
    assert next_reference("TX", year=2026).startswith("TX-2026-00001-")
    assert next_reference("TX", year=2026).startswith("TX-2026-00002-")
    assert next_reference("TX", year=2027).startswith("TX-2027-00001-")
    assert next_reference("TY", year=2026).startswith("TY-2026-00001-")


@pytest.mark.django_db(transaction=True)
def test_concurrent_numbering_never_repeats(fresh_numbering):
    """Parallel connections (real ones on PostgreSQL) each take numbers at once."""
    threads_count, per_thread = 8, 25
    results: list[str] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(threads_count)
    lock = threading.Lock()

    def take():
        try:
            barrier.wait()
            mine = [next_reference("CC", year=2026) for _ in range(per_thread)]
            with lock:
                results.extend(mine)
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=take) for _ in range(threads_count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert len(results) == threads_count * per_thread
    assert len(set(results)) == len(results)
    numbers = sorted(parse_reference(r).number for r in results)
    assert numbers == list(range(1, len(results) + 1))


def test_numbers_continue_from_the_counters_table(db):
    """A city numbering before sequences existed (or moving from SQLite)
    continues after its highest number, and gapless numbers keep counting there."""
    ReferenceSequence.objects.create(prefix="TZ", year=2026, last_value=41)
    ReferenceSequence.objects.create(prefix="TW", year=2026, last_value=7)
    assert _number(next_reference("TZ", year=2026)) == 42
    assert _number(next_reference("TZ", year=2026)) == 43
    assert _number(next_reference("TW", year=2026, gapless=True)) == 8
    assert ReferenceSequence.objects.get(prefix="TW").last_value == 8


def test_a_new_year_starts_at_one(db):
    for _ in range(3):
        next_reference("TN", year=2026)
    assert next_reference("TN", year=2027).startswith("TN-2027-00001-")
    assert next_reference("TN", year=2026).startswith("TN-2026-00004-")


def test_gapless_numbers_of_a_rolled_back_transaction_are_reused(db):
    with pytest.raises(RuntimeError), transaction.atomic():
        next_reference("TG", year=2026, gapless=True)
        raise RuntimeError("the submission failed")
    assert _number(next_reference("TG", year=2026, gapless=True)) == 1


def test_tracking_numbers_of_a_rolled_back_transaction(db):
    """Skipped on PostgreSQL (the sequence never goes back: the price of never
    waiting, see docs/decisions); reused on SQLite (the counters table)."""
    next_reference("TR", year=2026)
    with pytest.raises(RuntimeError), transaction.atomic():
        assert _number(next_reference("TR", year=2026)) == 2
        raise RuntimeError("the submission failed")
    expected = 3 if connection.vendor == "postgresql" else 2
    assert _number(next_reference("TR", year=2026)) == expected


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_first_numbers_of_a_year_taken_at_once_in_open_transactions(fresh_numbering):
    """Eight transactions take the year's first number together and stay open a
    moment (as a submission does): one creates the sequence, the others wait for
    it to commit and then use it (or create it themselves if that one rolls back);
    numbers continue from the counters table and are never handed out twice."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL sequences")
    ReferenceSequence.objects.create(prefix="CF", year=2026, last_value=100)

    def take(i):
        with transaction.atomic():
            first = next_reference("CF", year=2026)
            time.sleep(0.05)
            second = next_reference("CF", year=2026)
            if i == 0:
                transaction.set_rollback(True)
        return first, second

    results, errors = in_parallel(take, 8)

    assert not errors, errors
    kept = [_number(ref) for i, pair in results.items() if i != 0 for ref in pair]
    assert len(set(kept)) == len(kept) == 14
    assert min(kept) > 100 and max(kept) <= 116
    assert _number(next_reference("CF", year=2026)) > max(kept)


@pytest.mark.django_db(transaction=True)
def test_reserved_blocks_never_meet_numbers_taken_one_by_one():
    from cityhall.cases.references import next_reference, parse_reference, reserve_numbers

    first = parse_reference(next_reference("RV", year=2031)).number
    block = reserve_numbers("RV", 2031, 5)
    after = parse_reference(next_reference("RV", year=2031)).number
    taken = [first, *block, after]
    assert len(set(taken)) == 7
    assert block == sorted(block) and first < min(block) and after > max(block)
    assert reserve_numbers("RV", 2031, 0) == []
    # Gapless numbers (invoices, report numbers) come from the table on both databases.
    gapless = [parse_reference(next_reference("RG", year=2031, gapless=True)).number]
    gapless += reserve_numbers("RG", 2031, 3, gapless=True)
    gapless.append(parse_reference(next_reference("RG", year=2031, gapless=True)).number)
    assert gapless == [1, 2, 3, 4, 5]
