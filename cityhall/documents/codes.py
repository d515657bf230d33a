"""Verification codes: ten characters people can read aloud and type, shown as XXXXX-XXXXX.

The alphabet has no 0/O or 1/I. 32**10 (about 10**15) codes, drawn with
`secrets`, so a code cannot be guessed: it is the only secret that opens a
document's verification page.
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
LENGTH = 10
_SEPARATORS = re.compile(r"[\s\-_.\u2010-\u2015\u2212]+")  # spaces, dots, any dash
_VALID = re.compile(f"[{ALPHABET}]{{{LENGTH}}}")


class InvalidCode(ValueError):
    pass


def generate_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def normalize_code(typed: str) -> str:
    """The code in its printed form, from what a person typed: any case, spaces or dashes."""
    raw = _SEPARATORS.sub("", typed or "").upper()
    if not _VALID.fullmatch(raw):
        raise InvalidCode(typed)
    return f"{raw[:5]}-{raw[5:]}"
