"""Money in integer cents; dollars only at the edges (forms, pages, PDFs)."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation


class InvalidAmount(ValueError):
    pass


def parse_dollars(text: str) -> int:
    """'$1,299.50', '1299.5', ' 899 ' → cents. Raises InvalidAmount."""
    cleaned = re.sub(r"[\s$,]|USD", "", (text or "").strip(), flags=re.IGNORECASE)
    if not re.fullmatch(r"-?\d+(\.\d{0,2})?|-?\.\d{1,2}", cleaned or "x"):
        raise InvalidAmount(text)
    try:
        value = Decimal(cleaned)
    except InvalidOperation as error:
        raise InvalidAmount(text) from error
    return int((value * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def format_cents(cents: int | None, *, currency: str = "USD") -> str:
    """$1,299.50: US dollars are written the US way in English and Spanish alike."""
    if cents is None:
        return ""
    sign = "-" if cents < 0 else ""
    dollars = Decimal(abs(cents)) / 100
    return f"{sign}${dollars:,.2f}"


def dollars_input(cents: int | None) -> str:
    """What goes back into a form field: '1299.50'."""
    return "" if cents is None else f"{Decimal(cents) / 100:.2f}"
