"""Reference numbers people can read aloud: `LP-2026-00427-K`.

A service prefix, the year, a sequence and a check character. The alphabet of
letters has no 0/O or 1/I, so nothing is misheard or misread; the check
character (a weighted sum modulo 31) catches every single wrong character and
every swap of two neighbours, so a mistyped number is refused instead of
finding somebody else's case.

Tracking numbers on PostgreSQL come from a SEQUENCE per (prefix, year),
created on first use: `nextval` never waits for another transaction, so
submissions do not queue behind each other, and the number of a submission
that rolls back is skipped (docs/decisions/0007-reference-numbers-from-sequences.md).
Numbers that must have no gaps (invoices, permanent report numbers) and
every number on SQLite (one writer at a time anyway) come from one row per
(prefix, year) incremented with a single INSERT … ON CONFLICT … RETURNING
statement, whose row lock is held until the caller commits. Either way,
concurrent transactions never share a number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

CHECK_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ2345678"  # 31 symbols, none ambiguous
PREFIX_LETTERS = set("ABCDEFGHJKLMNPQRSTUVWXYZ")
MODULUS = 31
SEQUENCE_DIGITS = 5
_VALUES = {c: i for i, c in enumerate("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")}
_PATTERN = re.compile(r"^([A-Z]{1,4})-?(\d{4})-?(\d{5,9})-?([A-Z2-8])$")
# What people type for digits when reading a number aloud or from paper.
_DIGIT_LOOKALIKES = str.maketrans(
    {"O": "0", "Q": "0", "I": "1", "L": "1", "Z": "2", "S": "5", "B": "8"}
)


class InvalidReference(ValueError):
    pass


def check_character(payload: str) -> str:
    total = sum((position + 1) * _VALUES[c] for position, c in enumerate(payload))
    return CHECK_ALPHABET[total % MODULUS]


def validate_prefix(prefix: str) -> str:
    if not (1 <= len(prefix) <= 4) or not set(prefix) <= PREFIX_LETTERS:
        raise ValueError(f"Reference prefix {prefix!r}: 1 to 4 letters, no I or O.")
    return prefix


def format_reference(prefix: str, year: int, number: int) -> str:
    sequence = f"{number:0{SEQUENCE_DIGITS}d}"
    return f"{prefix}-{year}-{sequence}-{check_character(f'{prefix}{year}{sequence}')}"


@dataclass(frozen=True)
class ParsedReference:
    prefix: str
    year: int
    number: int

    def __str__(self) -> str:
        return format_reference(self.prefix, self.year, self.number)


def parse_reference(text: str) -> ParsedReference:
    """A reference as typed (any case, spaces, missing dashes) or InvalidReference."""
    cleaned = re.sub(r"[\s._/]+", "-", (text or "").strip().upper()).strip("-")
    cleaned = re.sub(r"-+", "-", cleaned)
    parts = cleaned.split("-")
    if len(parts) == 4:
        # Digits misread as letters in the numeric parts only.
        parts[1] = parts[1].translate(_DIGIT_LOOKALIKES)
        parts[2] = parts[2].translate(_DIGIT_LOOKALIKES)
        cleaned = "-".join(parts)
    match = _PATTERN.match(cleaned)
    if not match:
        raise InvalidReference(
            _("This does not look like a reference number, for example LP-2026-00427-K.")
        )
    prefix, year, sequence, check = match.groups()
    if check_character(f"{prefix}{year}{sequence}") != check:
        raise InvalidReference(_("This reference number has a typo: check each character."))
    return ParsedReference(prefix=prefix, year=int(year), number=int(sequence))


def next_reference(prefix: str, *, year: int | None = None, gapless: bool = False) -> str:
    """The next number of `prefix` for `year` (this year by default), formatted.

    gapless=True for numbers that must not skip (accounting, official
    numbers): they are taken from the counters table, whose row stays locked
    until the caller commits, so take them as late in the transaction as you can.
    """
    validate_prefix(prefix)
    year = year or timezone.localdate().year
    if connection.vendor == "postgresql" and not gapless:
        number = _from_sequence(prefix, year)
    else:
        number = _from_table(prefix, year)
    return format_reference(prefix, year, number)


def reserve_numbers(prefix: str, year: int, count: int, *, gapless: bool = False) -> list[int]:
    """`count` fresh numbers of `prefix` and `year` at once (bulk imports and
    demo history), from where next_reference(..., gapless=gapless) takes them,
    so the two never hand out the same number."""
    validate_prefix(prefix)
    if count <= 0:
        return []
    if connection.vendor != "postgresql" or gapless:
        last = _from_table(prefix, year, count=count)
        return list(range(last - count + 1, last + 1))
    first = _from_sequence(prefix, year)  # creates the sequence when it is the year's first
    name = sequence_name(prefix, year)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(%s::text::regclass) FROM generate_series(1, %s)", [name, count - 1]
        )
        return [first, *(number for (number,) in cursor.fetchall())]


def _counters_table() -> str:
    from .models import ReferenceSequence

    return connection.ops.quote_name(ReferenceSequence._meta.db_table)


def _from_table(prefix: str, year: int, *, count: int = 1) -> int:
    """The last of `count` numbers taken from the counters table."""
    table = _counters_table()
    # No savepoint: one statement, and a failure here fails the caller's transaction anyway.
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (prefix, year, last_value) VALUES (%s, %s, %s) "  # noqa: S608
            f"ON CONFLICT (prefix, year) DO UPDATE SET last_value = {table}.last_value + %s "
            "RETURNING last_value",
            [prefix, year, count, count],
        )
        (number,) = cursor.fetchone()
    return number


def sequence_name(prefix: str, year: int) -> str:
    """The PostgreSQL sequence of a prefix and year (a prefix is 1-4 letters: a safe name)."""
    return f"cases_reference_{validate_prefix(prefix).lower()}_{int(year)}"


def _from_sequence(prefix: str, year: int) -> int:
    name = sequence_name(prefix, year)
    with connection.cursor() as cursor:
        # One statement once the sequence exists (every number but the year's first).
        # `::text::regclass` resolves the name when the branch runs, not when it is parsed.
        cursor.execute(
            "SELECT CASE WHEN to_regclass(%s) IS NOT NULL THEN nextval(%s::text::regclass) END",
            [name, name],
        )
        (number,) = cursor.fetchone()
        if number is None:
            number = _create_sequence_and_take(cursor, prefix, year, name)
    return number


def _create_sequence_and_take(cursor, prefix: str, year: int, name: str) -> int:
    """The year's first number: creates the sequence, one creator at a time.

    A transaction lock keyed on the name makes a second creator wait until the
    first commits or rolls back; it then looks in pg_class with a fresh
    snapshot (not the name cache, which may not have seen the other commit
    yet) and uses the sequence found there, or creates it itself. A new
    sequence continues from the counters table, where numbers were kept before
    sequences (and where SQLite keeps them), so a live city's numbers never repeat.
    """
    with transaction.atomic(savepoint=False):
        cursor.execute("SELECT pg_advisory_xact_lock(%s::int4, hashtext(%s))", [_LOCK_CLASS, name])
        cursor.execute(
            "SELECT c.oid FROM pg_class c WHERE c.relname = %s AND c.relkind = 'S' "
            "AND c.relnamespace = current_schema()::regnamespace",
            [name],
        )
        found = cursor.fetchone()
        if found is None:
            cursor.execute(f"CREATE SEQUENCE {connection.ops.quote_name(name)}")
            cursor.execute(
                f"SELECT last_value FROM {_counters_table()} WHERE prefix = %s AND year = %s",  # noqa: S608
                [prefix, year],
            )
            counted = cursor.fetchone()
            if counted is not None and counted[0] > 0:
                cursor.execute("SELECT setval(%s::text::regclass, %s)", [name, counted[0]])
            cursor.execute("SELECT nextval(%s::text::regclass)", [name])
        else:
            cursor.execute("SELECT nextval(%s::oid::regclass)", [found[0]])
        (number,) = cursor.fetchone()
    return number


# The first key of the advisory lock taken while creating a sequence ("CHRF").
_LOCK_CLASS = 0x43485246
