"""A service definition: the JSON document the builder edits, exports and imports.

    {"schema_version": 1, "code": "streetlight", "prefix": "SL",
     "name_en": "...", "name_es": "...", "summary_en": "...", "summary_es": "...",
     "pages": [{"key": "where", "title_en": "...", "title_es": "...",
                "show_if": {"question": "kind", "equals": "yes"},      # optional
                "routes": [{"question": "kind", "equals": "no", "goto": "end"}],
                "questions": [<cases.questions question>, ...]}],
     "review_mode": "auto" | "one_step" | "two_steps",
     "reviewer_role": "city_admin", "approver_role": "city_admin",
     "target_days": 10,
     "approved_message_en": "...", "approved_message_es": "...",
     "rejected_message_en": "...", "rejected_message_es": "...",
     "document": true, "document_title_en": "...", "document_title_es": "...",
     "fee": {"schedule": "parking", "items": [{"code": "permit", "quantity_from": "cars"}]},
     "open311": {...}}    # optional, read by opendata's Open311 only (docs/open311.md)

`parse` checks everything and returns a `Definition`, or raises
DefinitionError with every problem found, each naming where it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from cityhall.cases.questions import (
    CHOICE_TYPES,
    NUMBER_TYPES,
    Question,
    parse_definitions,
    spanish,
)
from cityhall.cases.references import validate_prefix
from cityhall.core.roles import ROLES

SCHEMA_VERSION = 1
REVIEW_MODES = ("auto", "one_step", "two_steps")
END = "end"  # a route's goto: straight to the contact details and the check page
_CODE = re.compile(r"^[a-z][a-z0-9_]{2,39}$")
_PAGE_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
STAFF_ROLES = tuple(code for code, role in ROLES.items() if role.staff)


class DefinitionError(ValueError):
    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Condition:
    question: str
    equals: str

    def met(self, answers: dict) -> bool:
        value = answers.get(self.question)
        if isinstance(value, list):
            return self.equals in value
        return value is not None and str(value) == self.equals


@dataclass(frozen=True)
class Route:
    when: Condition
    goto: str


@dataclass(frozen=True)
class Page:
    key: str
    title_en: str
    title_es: str
    questions: tuple[Question, ...]
    show_if: Condition | None = None
    routes: tuple[Route, ...] = ()

    def title(self, language: str | None = None) -> str:
        return self.title_es if spanish(language) else self.title_en


@dataclass(frozen=True)
class FeeSpec:
    schedule: str
    items: tuple[dict, ...]


@dataclass(frozen=True)
class Definition:
    raw: dict
    code: str
    prefix: str
    name_en: str
    name_es: str
    summary_en: str
    summary_es: str
    pages: tuple[Page, ...]
    review_mode: str
    reviewer_role: str
    approver_role: str
    target_days: int
    fee: FeeSpec | None
    document: bool
    questions: dict[str, Question] = field(default_factory=dict)

    def text(self, name: str, language: str | None = None) -> str:
        return str(self.raw.get(f"{name}_{'es' if spanish(language) else 'en'}") or "")

    def name(self, language: str | None = None) -> str:
        return self.name_es if spanish(language) else self.name_en

    def summary(self, language: str | None = None) -> str:
        return self.summary_es if spanish(language) else self.summary_en

    def page(self, key: str) -> Page | None:
        return next((p for p in self.pages if p.key == key), None)

    def page_of(self, question_key: str) -> int:
        return next(
            i for i, p in enumerate(self.pages) if question_key in {q.key for q in p.questions}
        )


def _both(raw: dict, name: str, label: str, problems: list[str]) -> tuple[str, str]:
    en, es = str(raw.get(f"{name}_en") or "").strip(), str(raw.get(f"{name}_es") or "").strip()
    if not en or not es:
        problems.append(_("%(what)s is needed in English and Spanish.") % {"what": label})
    return en, es


def _condition(raw, where: str, earlier: dict[str, Question], problems: list[str]):
    if not isinstance(raw, dict) or not raw.get("question") or "equals" not in raw:
        problems.append(
            _("%(where)s: a condition needs a question and an answer.") % {"where": where}
        )
        return None
    key, equals = str(raw["question"]), str(raw["equals"])
    question = earlier.get(key)
    if question is None:
        problems.append(
            _("%(where)s: the condition names “%(key)s”, which is not an earlier question.")
            % {"where": where, "key": key}
        )
        return None
    if question.type in CHOICE_TYPES and equals not in {c[0] for c in question.choices}:
        problems.append(
            _("%(where)s: “%(value)s” is not one of the options of “%(key)s”.")
            % {"where": where, "value": equals, "key": key}
        )
    if question.type == "yesno" and equals not in ("yes", "no"):
        problems.append(_("%(where)s: a yes/no answer is “yes” or “no”.") % {"where": where})
    return Condition(key, equals)


def _pages(raw_pages, problems: list[str]) -> tuple[list[Page], dict[str, Question]]:
    pages: list[Page] = []
    questions: dict[str, Question] = {}
    keys: set[str] = set()
    for n, raw in enumerate(raw_pages, start=1):
        where = _("Page %(n)d") % {"n": n}
        if not isinstance(raw, dict):
            problems.append(_("%(where)s must be an object.") % {"where": where})
            continue
        key = str(raw.get("key") or "")
        if not _PAGE_KEY.match(key) or key == END:
            problems.append(
                _("%(where)s needs a key of lower-case letters, digits and _ (not “end”).")
                % {"where": where}
            )
        elif key in keys:
            problems.append(
                _("%(where)s repeats the page key %(key)s.") % {"where": where, "key": key}
            )
        keys.add(key)
        title_en, title_es = _both(raw, "title", where, problems)
        earlier = dict(questions)
        try:
            own = parse_definitions(
                raw.get("questions") or [],
                where_format=lambda i, item, w=where: (
                    _("%(page)s, question %(n)d (%(key)s)")
                    % {
                        "page": w,
                        "n": i,
                        "key": item.get("key", "?") if isinstance(item, dict) else "?",
                    }
                ),
            )
            if not own:
                problems.append(_("%(where)s has no questions.") % {"where": where})
        except ValidationError as error:
            problems.extend(error.messages)
            own = []
        for q in own:
            if q.key in questions:
                problems.append(
                    _("%(where)s: the question key %(key)s is already used on an earlier page.")
                    % {"where": where, "key": q.key}
                )
            questions[q.key] = q
        show_if = None
        if raw.get("show_if"):
            show_if = _condition(raw["show_if"], where, earlier, problems)
        routes = []
        for route in raw.get("routes") or []:
            condition = _condition(route, where, {**earlier, **{q.key: q for q in own}}, problems)
            goto = str(route.get("goto") or "") if isinstance(route, dict) else ""
            if condition:
                routes.append(Route(condition, goto))
        pages.append(Page(key, title_en, title_es, tuple(own), show_if, tuple(routes)))
    return pages, questions


def _check_routes(pages: list[Page], problems: list[str]) -> None:
    from .routing import find_loop

    keys = {p.key for p in pages}
    for page in pages:
        for route in page.routes:
            if route.goto != END and route.goto not in keys:
                problems.append(
                    _("Page %(page)s routes to “%(goto)s”, a page that does not exist.")
                    % {"page": page.key, "goto": route.goto or "?"}
                )
    if not any(p for p in problems if "does not exist" in p):
        loop = find_loop(pages)
        if loop:
            problems.append(
                _("The routes make a loop: %(pages)s. A resident would never finish.")
                % {"pages": " → ".join(loop)}
            )


def _check_fee(raw, questions: dict[str, Question], problems: list[str]) -> FeeSpec | None:
    if not raw:
        return None
    if not isinstance(raw, dict) or not raw.get("schedule") or not raw.get("items"):
        problems.append(_("The fee needs a fee schedule and at least one fee item."))
        return None
    for n, item in enumerate(raw["items"], start=1):
        if not isinstance(item, dict) or not item.get("code"):
            problems.append(_("Fee item %(n)d needs the code of a fee rule.") % {"n": n})
            continue
        for source in ("quantity_from", "value_from"):
            key = item.get(source)
            if key and (key not in questions or questions[key].type not in NUMBER_TYPES):
                problems.append(
                    _("Fee item %(n)d uses “%(key)s”, which is not a number or money question.")
                    % {"n": n, "key": key}
                )
    return FeeSpec(str(raw["schedule"]), tuple(raw["items"]))


def parse(raw) -> Definition:
    """The checked definition, or DefinitionError listing every problem."""
    try:
        return _parse(raw)
    except (TypeError, AttributeError, KeyError, ValueError, RecursionError) as error:
        if isinstance(error, DefinitionError):
            raise
        # A part of the wrong kind (a number where a list of pages goes, a
        # thousand chained pages…): the file is refused, never a server error.
        raise DefinitionError(
            [
                _(
                    "Part of this definition is not in the form CityHall expects "
                    "(%(detail)s). Export a working service to see the expected form."
                )
                % {"detail": error.__class__.__name__}
            ]
        ) from None


def _parse(raw) -> Definition:
    if not isinstance(raw, dict):
        raise DefinitionError([_("A service definition must be a JSON object.")])
    version = raw.get("schema_version", SCHEMA_VERSION)
    if not isinstance(version, int) or version > SCHEMA_VERSION:
        raise DefinitionError(
            [
                _(
                    "This file was made by a newer version of CityHall (schema %(got)s; this "
                    "installation reads up to %(max)d). Update CityHall before importing it."
                )
                % {"got": version, "max": SCHEMA_VERSION}
            ]
        )
    problems: list[str] = []
    code = str(raw.get("code") or "")
    if not _CODE.match(code):
        problems.append(
            _("The code must be 3 to 40 lower-case letters, digits or _, starting with a letter.")
        )
    prefix = str(raw.get("prefix") or "")
    try:
        validate_prefix(prefix)
    except ValueError:
        problems.append(_("The reference prefix must be 1 to 4 capital letters, without I or O."))
    name_en, name_es = _both(raw, "name", _("The name"), problems)
    summary_en, summary_es = _both(raw, "summary", _("The description"), problems)
    raw_pages = raw.get("pages") or []
    if not isinstance(raw_pages, list):
        raw_pages, problems = [], [*problems, _("The pages must be a list.")]
    pages, questions = _pages(raw_pages, problems)
    if not questions:
        problems.append(_("The service has no questions: add a page with at least one question."))
    _check_routes(pages, problems)
    mode = raw.get("review_mode", "one_step")
    if mode not in REVIEW_MODES:
        problems.append(_("The review must be automatic, one step or two steps."))
    roles = {}
    for name in ("reviewer_role", "approver_role"):
        roles[name] = str(raw.get(name) or "city_admin")
        if roles[name] not in STAFF_ROLES:
            problems.append(_("“%(role)s” is not a staff role.") % {"role": roles[name]})
    target = raw.get("target_days", 10)
    if isinstance(target, bool) or not isinstance(target, int) or not 1 <= target <= 365:
        problems.append(_("The target time to decision must be 1 to 365 days."))
        target = 10
    if mode != "auto":
        _both(raw, "rejected_message", _("The rejection email"), problems)
    _both(raw, "approved_message", _("The approval email"), problems)
    document = bool(raw.get("document"))
    if document:
        _both(raw, "document_title", _("The document title"), problems)
    fee = _check_fee(raw.get("fee"), questions, problems)
    if problems:
        raise DefinitionError(problems)
    return Definition(
        raw=raw,
        code=code,
        prefix=prefix,
        name_en=name_en,
        name_es=name_es,
        summary_en=summary_en,
        summary_es=summary_es,
        pages=tuple(pages),
        review_mode=mode,
        reviewer_role=roles["reviewer_role"],
        approver_role=roles["approver_role"],
        target_days=target,
        fee=fee,
        document=document,
        questions=questions,
    )
