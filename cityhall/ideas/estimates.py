"""The estimated annual saving of an idea, and similar-idea matching.

saving (minutes a year) = times a year x (minutes each time - minutes after)
hours                   = minutes / 60
dollars (cents)         = minutes x loaded hourly rate (cents) / 60, half up
The rate is the role's StaffRate in effect today (insights cost models).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from cityhall.insights import selectors as insights


@dataclass(frozen=True)
class Estimate:
    minutes: int
    hourly_cents: int | None

    @property
    def hours(self) -> Decimal:
        return (Decimal(self.minutes) / 60).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def cents(self) -> int | None:
        if self.hourly_cents is None:
            return None
        return int(
            (Decimal(self.minutes) * self.hourly_cents / 60).quantize(
                Decimal(1), rounding=ROUND_HALF_UP
            )
        )


def role_rates() -> dict[str, int]:
    """{role: loaded hourly cents} today, from the insights cost models."""
    return insights.staff_rates_on(timezone.localdate())


def estimate(*, times_per_year: int, minutes_each: int, minutes_after: int, role: str) -> Estimate:
    minutes = max(0, times_per_year * (minutes_each - minutes_after))
    return Estimate(minutes=minutes, hourly_cents=role_rates().get(role))


# ---- similar ideas ---------------------------------------------------------------

STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "de",
        "del",
        "el",
        "en",
        "for",
        "from",
        "in",
        "is",
        "it",
        "la",
        "las",
        "los",
        "of",
        "on",
        "or",
        "para",
        "por",
        "que",
        "the",
        "to",
        "un",
        "una",
        "we",
        "with",
        "y",
    ]
)


def _normal(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in text if not unicodedata.combining(c))


def words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", _normal(text)) if w not in STOP_WORDS}


def trigrams(text: str) -> set[str]:
    grams = set()
    for word in words(text):
        padded = f"  {word} "
        grams |= {padded[i : i + 3] for i in range(len(padded) - 2)}
    return grams


def _jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def similarity(a: str, b: str) -> float:
    """0..1: the better of word overlap and trigram overlap (catches plurals, typos)."""
    return max(_jaccard(words(a), words(b)), _jaccard(trigrams(a), trigrams(b)))


SIMILAR_AT = 0.35
