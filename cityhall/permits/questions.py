"""A permit type's questions: the shared typed schema (`cases.questions`),
restricted to the types a permit asks and with the permit's wording."""

from __future__ import annotations

from django.utils.translation import gettext as _

from cityhall.cases import questions as shared
from cityhall.cases.questions import MAX_LONG_TEXT, MAX_TEXT, Question, display_answer

__all__ = [
    "MAX_LONG_TEXT",
    "MAX_TEXT",
    "TYPES",
    "Question",
    "clean_answer",
    "display_answer",
    "parse_definitions",
    "validate_definitions",
]

TYPES = ("text", "textarea", "integer", "money", "date", "choice", "yesno")


def parse_definitions(raw) -> list[Question]:
    return shared.parse_definitions(raw, types=TYPES)


def validate_definitions(raw) -> None:
    parse_definitions(raw)


def clean_answer(question: Question, value):
    return shared.clean_answer(
        question,
        value,
        too_high=_(
            "%(value)s is more than %(max)s, the most this permit allows. Check the amount."
        ),
    )
