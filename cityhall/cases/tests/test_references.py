import threading

import pytest
from django.db import connection

from cityhall.cases.references import (
    CHECK_ALPHABET,
    InvalidReference,
    check_character,
    format_reference,
    next_reference,
    parse_reference,
    validate_prefix,
)


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
def test_concurrent_numbering_never_repeats():
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
