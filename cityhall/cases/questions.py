"""Typed questions, shared by the services that ask them (permits, formbuilder).

A small typed schema, kept as JSON by the service that owns the questions.

Each question is a dict:

    {"key": "valuation", "type": "money", "label_en": "...", "label_es": "...",
     "help_en": "", "help_es": "", "required": true, "min": 500, "max": 250000,
     "choices": [{"value": "wood", "label_en": "Wood", "label_es": "Madera"}]}

`after` (optional) names an earlier question of the same type whose answer
this one must be greater than (an end after a start). Types: `text` (one
line), `textarea`, `integer`, `number` (decimals allowed), `money` (typed in
dollars, stored in cents; `min`/`max` are in dollars), `date` (ISO, `min`/`max`
are days from today), `time` (HH:MM), `choice` (one of `choices`),
`multichoice` (a list of `choices`), `yesno`, `email`, `phone` (stored E.164),
`address` (a street address, several lines), `file` (an upload, checked by
`cases.uploads`; `file_types` lists `pdf` and/or `image`) and `declaration`
(a box the person ticks). Text answers may have a `pattern` (checked safe by
`cases.patterns`). A service chooses the types it offers with `types=`.

`validate_definitions` checks what staff type in the admin; `clean_answer`
checks what an applicant types, for the HTML form and the API alike.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from cityhall.core.money import InvalidAmount, format_cents, parse_dollars

from .patterns import UnsafePattern, check_pattern, safe_pattern

TYPES = (
    "text",
    "textarea",
    "integer",
    "number",
    "money",
    "date",
    "time",
    "choice",
    "multichoice",
    "yesno",
    "email",
    "phone",
    "address",
    "file",
    "declaration",
)
CHOICE_TYPES = ("choice", "multichoice")
TEXT_TYPES = ("text", "textarea")
NUMBER_TYPES = ("integer", "number", "money")
FILE_KINDS = ("pdf", "image")
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_TEXT = 200
# Bounds a definition may set: dates are days from today (a century either way),
# numbers and money stay where arithmetic on them cannot overflow.
MAX_DATE_OFFSET_DAYS = 36_500
MAX_BOUND = 1_000_000_000
MAX_LONG_TEXT = 4000


@dataclass(frozen=True)
class Question:
    key: str
    type: str
    label_en: str
    label_es: str
    help_en: str = ""
    help_es: str = ""
    required: bool = True
    min: float | None = None
    max: float | None = None
    choices: tuple[tuple[str, str, str], ...] = ()  # (value, label_en, label_es)
    after: str = ""  # the key of an earlier question this answer must be greater than
    pattern: str = ""  # text answers must match it in full (checked safe when parsed)
    pattern_message_en: str = ""
    pattern_message_es: str = ""
    file_types: tuple[str, ...] = ()  # for `file`: "pdf" and/or "image"

    def label(self, language: str | None = None) -> str:
        return self.label_es if spanish(language) else self.label_en

    def help(self, language: str | None = None) -> str:
        return self.help_es if spanish(language) else self.help_en

    def choice_label(self, value, language: str | None = None) -> str:
        for code, en, es in self.choices:
            if code == value:
                return es if spanish(language) else en
        return str(value)


def spanish(language: str | None) -> bool:
    return (language or get_language() or "en")[:2] == "es"


def parse_definitions(raw, *, types=TYPES, where_format=None) -> list[Question]:
    """The questions; raises ValidationError naming the faulty question.

    `types` restricts the types a service offers; `where_format` names a
    question in messages (default "Question 3")."""
    if raw in (None, ""):
        return []
    if not isinstance(raw, list):
        raise ValidationError(_("The questions must be a list."))
    questions, seen = [], set()
    for index, item in enumerate(raw, start=1):
        where = (where_format or _question_n)(index, item)
        if not isinstance(item, dict):
            raise ValidationError(_("%(where)s must be an object.") % {"where": where})
        key, kind = item.get("key", ""), item.get("type", "")
        if not isinstance(key, str) or not _KEY.match(key):
            raise ValidationError(
                _("%(where)s needs a key of lower-case letters, digits and _.") % {"where": where}
            )
        if key in seen:
            raise ValidationError(
                _("%(where)s repeats the key %(key)s.") % {"where": where, "key": key}
            )
        seen.add(key)
        if kind not in types:
            raise ValidationError(
                _("%(where)s: the type must be one of %(types)s.")
                % {"where": where, "types": ", ".join(types)}
            )
        if not item.get("label_en") or not item.get("label_es"):
            raise ValidationError(
                _("%(where)s needs a label in English and Spanish.") % {"where": where}
            )
        low, high = item.get("min"), item.get("max")
        limit = MAX_DATE_OFFSET_DAYS if kind == "date" else MAX_BOUND
        for bound in (low, high):
            if bound is not None and (
                isinstance(bound, bool) or not isinstance(bound, int | float)
            ):
                raise ValidationError(
                    _("%(where)s: min and max must be numbers.") % {"where": where}
                )
            if bound is not None and not (math.isfinite(bound) and abs(bound) <= limit):
                raise ValidationError(
                    _("%(where)s: min and max must be between -%(limit)s and %(limit)s.")
                    % {"where": where, "limit": f"{limit:,}"}
                )
        if low is not None and high is not None and low > high:
            raise ValidationError(_("%(where)s: min is above max.") % {"where": where})
        choices = item.get("choices") or []
        well_formed = all(
            isinstance(c, dict) and c.get("value") and c.get("label_en") and c.get("label_es")
            for c in choices
        )
        if kind in CHOICE_TYPES and not (choices and well_formed):
            raise ValidationError(
                _("%(where)s needs choices, each with a value and labels in both languages.")
                % {"where": where}
            )
        questions.append(
            Question(
                key=key,
                type=kind,
                label_en=str(item["label_en"]),
                label_es=str(item["label_es"]),
                help_en=str(item.get("help_en", "")),
                help_es=str(item.get("help_es", "")),
                required=bool(item.get("required", True)),
                min=low,
                max=high,
                choices=tuple(
                    (str(c["value"]), str(c["label_en"]), str(c["label_es"])) for c in choices
                ),
                after=str(item.get("after") or ""),
                pattern=_checked_pattern(item.get("pattern"), kind, where),
                pattern_message_en=str(item.get("pattern_message_en", "")),
                pattern_message_es=str(item.get("pattern_message_es", "")),
                file_types=_file_types(item.get("file_types"), kind, where),
            )
        )
        after = questions[-1].after
        earlier = {q.key: q.type for q in questions[:-1]}
        if after and earlier.get(after) != kind:
            raise ValidationError(
                _("%(where)s: “after” must name an earlier question of the same type.")
                % {"where": where}
            )
    return questions


def _question_n(index: int, item) -> str:
    return _("Question %(n)d") % {"n": index}


def _checked_pattern(raw, kind: str, where: str) -> str:
    if not raw:
        return ""
    if kind not in TEXT_TYPES:
        raise ValidationError(
            _("%(where)s: only text questions can have a pattern.") % {"where": where}
        )
    try:
        check_pattern(raw)
    except UnsafePattern as error:
        raise ValidationError(
            _("%(where)s: %(error)s") % {"where": where, "error": error}
        ) from None
    return str(raw)


def _file_types(raw, kind: str, where: str) -> tuple[str, ...]:
    if kind != "file":
        return ()
    kinds = tuple(raw or FILE_KINDS)
    if not kinds or any(k not in FILE_KINDS for k in kinds):
        raise ValidationError(
            _("%(where)s: allowed file types are %(kinds)s.")
            % {"where": where, "kinds": ", ".join(FILE_KINDS)}
        )
    return kinds


def validate_definitions(raw) -> None:
    parse_definitions(raw)


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def clean_answer(question: Question, value, *, too_high: str | None = None):
    """The stored form of an answer (None when left blank), or ValidationError.

    Blank answers are allowed here even when required: a draft may be saved
    half-done; the pre-submission check reports what is still missing.
    `too_high` words the message for a number above the maximum. A `file`
    answer is cleaned by the service (it is an upload, not a value)."""
    if _blank(value) or value == []:
        return None
    kind = question.type
    if kind in (*TEXT_TYPES, "address"):
        text = str(value).strip()
        limit = MAX_TEXT if kind == "text" else MAX_LONG_TEXT
        if len(text) > limit:
            raise ValidationError(_("Keep this to %(n)d characters.") % {"n": limit})
        if question.pattern and not safe_pattern(question.pattern).fullmatch(text):
            message = question.pattern_message_es if spanish(None) else question.pattern_message_en
            raise ValidationError(message or _("Enter it in the format asked for."))
        return text
    if kind in _EXTRA_CLEANERS:
        return _EXTRA_CLEANERS[kind](question, value, too_high)
    if kind == "integer":
        try:
            number = int(str(value).strip().replace(",", ""))
        except ValueError:
            raise ValidationError(_("Enter a whole number, like 12.")) from None
        _in_range(question, number, str(number), too_high=too_high)
        return number
    if kind == "money":
        if isinstance(value, int) and not isinstance(value, bool):
            cents = value * 100
        else:
            try:
                cents = parse_dollars(str(value))
            except InvalidAmount:
                raise ValidationError(_("Enter an amount in dollars, like 12500.")) from None
        if cents <= 0:
            raise ValidationError(_("Enter an amount more than zero."))
        _in_range(question, cents / 100, format_cents(cents), money=True, too_high=too_high)
        return cents
    if kind == "date":
        try:
            day = value if isinstance(value, date) else date.fromisoformat(str(value).strip())
        except ValueError:
            raise ValidationError(_("Enter a date like 2026-07-04.")) from None
        today = timezone.localdate()
        if question.min is not None and day < today + timedelta(days=int(question.min)):
            raise ValidationError(
                _("Choose a date on or after %(day)s.")
                % {"day": today + timedelta(days=int(question.min))}
            )
        if question.max is not None and day > today + timedelta(days=int(question.max)):
            raise ValidationError(
                _("Choose a date on or before %(day)s.")
                % {"day": today + timedelta(days=int(question.max))}
            )
        return day.isoformat()
    if kind == "choice":
        if str(value) not in {code for code, _en, _es in question.choices}:
            raise ValidationError(_("Choose one of the options."))
        return str(value)
    # yesno
    answer = {"yes": "yes", "no": "no", "true": "yes", "false": "no"}.get(str(value).lower())
    if answer is None:
        raise ValidationError(_("Choose yes or no."))
    return answer


def _in_range(
    question: Question, number, shown: str, *, money: bool = False, too_high: str | None = None
) -> None:
    def fmt(bound):
        return format_cents(round(bound * 100)) if money else f"{bound:g}"

    if question.min is not None and number < question.min:
        raise ValidationError(
            _("%(value)s is too low: enter at least %(min)s.")
            % {"value": shown, "min": fmt(question.min)}
        )
    if question.max is not None and number > question.max:
        message = too_high or _("%(value)s is more than %(max)s, the most allowed. Check it.")
        raise ValidationError(message % {"value": shown, "max": fmt(question.max)})


def display_answer(question: Question, value, language: str | None = None) -> str:
    if value is None or value == "":
        return ""
    if question.type == "money":
        return format_cents(int(value))
    if question.type == "choice":
        return question.choice_label(value, language)
    if question.type == "multichoice":
        return ", ".join(question.choice_label(v, language) for v in value)
    if question.type == "file":
        return str(value.get("name", "")) if isinstance(value, dict) else str(value)
    if question.type == "declaration":
        from django.utils import translation

        with translation.override(language or get_language()):
            return _("Confirmed")
    if question.type == "yesno":
        from django.utils import translation

        with translation.override(language or get_language()):
            return _("Yes") if value == "yes" else _("No")
    return str(value)


# The types beyond the original permit set live in questions_extra (kept small).
from .questions_extra import CLEANERS as _EXTRA_CLEANERS  # noqa: E402
