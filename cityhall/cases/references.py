"""Reference numbers people can read aloud: `LP-2026-00427-K`.

A service prefix, the year, a sequence and a check character. The alphabet of
letters has no 0/O or 1/I, so nothing is misheard or misread; the check
character (a weighted sum modulo 31) catches every single wrong character and
every swap of two neighbours, so a mistyped number is refused instead of
finding somebody else's case.

Numbers come from one row per (prefix, year) incremented with a single
INSERT … ON CONFLICT … RETURNING statement, which PostgreSQL and SQLite both
run atomically: concurrent submissions never share a number.
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


def next_reference(prefix: str, *, year: int | None = None) -> str:
    validate_prefix(prefix)
    year = year or timezone.localdate().year
    from .models import ReferenceSequence

    table = connection.ops.quote_name(ReferenceSequence._meta.db_table)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (prefix, year, last_value) VALUES (%s, %s, 1) "  # noqa: S608
            f"ON CONFLICT (prefix, year) DO UPDATE SET last_value = {table}.last_value + 1 "
            "RETURNING last_value",
            [prefix, year],
        )
        (number,) = cursor.fetchone()
    return format_reference(prefix, year, number)
