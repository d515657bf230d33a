"""Every bad definition of issue 9's "Bad input" is refused with a clear message."""

import copy

import pytest

from cityhall.formbuilder.definition import DefinitionError, parse
from cityhall.formbuilder.routing import next_page, path
from cityhall.formbuilder.testing import BASE, choices, definition, q


def problems(raw) -> str:
    with pytest.raises(DefinitionError) as caught:
        parse(raw)
    return " | ".join(caught.value.problems)


def test_the_base_definition_is_valid():
    parsed = parse(definition())
    assert [p.key for p in parsed.pages] == ["where", "flicker", "more"]
    assert set(parsed.questions) == {"pole", "kind", "how_often", "count", "ok"}


def test_no_questions_at_all():
    assert "has no questions" in problems(definition(pages=[]))


def test_a_page_without_questions():
    raw = definition()
    raw["pages"][2]["questions"] = []
    assert "Page 3 has no questions" in problems(raw)


def test_route_to_a_missing_page():
    raw = definition()
    raw["pages"][0]["routes"] = [{"question": "kind", "equals": "out", "goto": "nowhere"}]
    assert "routes to “nowhere”, a page that does not exist" in problems(raw)


def test_a_loop_of_routes():
    raw = definition()
    raw["pages"][2]["routes"] = [{"question": "ok", "equals": "yes", "goto": "where"}]
    message = problems(raw)
    assert "The routes make a loop" in message and "where" in message


def test_a_condition_on_a_later_question_is_refused():
    raw = definition()
    raw["pages"][1]["show_if"] = {"question": "count", "equals": "2"}
    assert "not an earlier question" in problems(raw)


def test_a_choice_question_with_no_options():
    raw = definition()
    raw["pages"][0]["questions"][1]["choices"] = []
    assert "needs choices" in problems(raw)


def test_a_regex_that_does_not_compile():
    raw = definition()
    raw["pages"][0]["questions"][0]["pattern"] = "([A-Z"
    assert "not a valid regular expression" in problems(raw)


@pytest.mark.parametrize("pattern", [r"^(a+)+$", r"^(\w+\s?)*$", r"(a|aa)*b"])
def test_a_catastrophically_slow_regex(pattern):
    raw = definition()
    raw["pages"][0]["questions"][0]["pattern"] = pattern
    assert "can take minutes" in problems(raw)


def test_a_fee_formula_naming_a_missing_question():
    raw = definition(
        fee={"schedule": "parking", "items": [{"code": "permit", "quantity_from": "cars"}]}
    )
    assert "Fee item 1 uses “cars”, which is not a number or money question" in problems(raw)


def test_duplicate_question_keys_on_one_page_and_across_pages():
    raw = definition()
    raw["pages"][0]["questions"].append(q("pole"))
    assert "repeats the key pole" in problems(raw)
    raw = definition()
    raw["pages"][2]["questions"].append(q("kind", "choice", choices=choices("a")))
    assert "the question key kind is already used on an earlier page" in problems(raw)


def test_a_definition_from_a_newer_schema_version():
    assert "newer version of CityHall" in problems(definition(schema_version=2))


def test_missing_spanish_and_bad_settings_are_all_listed_at_once():
    message = problems(definition(name_es="", review_mode="three", target_days=0, prefix="IO"))
    for expected in ("English and Spanish", "automatic, one step or two", "1 to 365", "prefix"):
        assert expected in message


def test_routing_skips_a_page_whose_condition_is_not_met():
    parsed = parse(definition())
    assert next_page(parsed, "where", {"kind": "out"}) == "more"
    assert next_page(parsed, "where", {"kind": "flicker"}) == "flicker"
    assert [p.key for p in path(parsed, {"kind": "out"})] == ["where", "more"]


def test_a_route_jumps_to_the_end():
    raw = copy.deepcopy(BASE)
    raw["pages"][0]["routes"] = [{"question": "kind", "equals": "out", "goto": "end"}]
    parsed = parse(raw)
    assert [p.key for p in path(parsed, {"kind": "out"})] == ["where"]


@pytest.mark.parametrize(
    ("pattern", "answer"),
    [
        (r"(a{1,10})+", "a" * 3000 + "!"),  # shapes the static check lets through
        (r"(.*,){10}x", "," * 3000),
        (r"\w*\w*\w*\w*\w*\w*\w*\w*\w*\w*x", "a" * 3000),
    ],
)
def test_answers_are_checked_in_linear_time_whatever_the_pattern(pattern, answer):
    """Answers are matched on RE2: a pattern Python's engine takes minutes on is
    answered at once (a backtracking engine would not finish this test)."""
    from django.core.exceptions import ValidationError

    from cityhall.cases.questions import Question, clean_answer

    question = Question(
        key="code", type="textarea", label_en="Code", label_es="Código", pattern=pattern
    )
    with pytest.raises(ValidationError, match="format asked for"):
        clean_answer(question, answer)


@pytest.mark.parametrize(
    ("kind", "bound"), [("date", 3_000_000), ("money", 1e307), ("number", float("inf"))]
)
def test_bounds_that_answers_could_not_be_compared_with_are_refused(kind, bound):
    raw = definition()
    question = raw["pages"][0]["questions"][0]
    question.update(type=kind, min=bound)
    question.pop("pattern", None)
    assert "min and max must be between" in problems(raw)


@pytest.mark.parametrize(
    "change",
    [
        {"routes": 5},
        {"choices": "abc"},
        {"choices": [{"x": 1}]},
        {"type": "file", "file_types": 5, "pattern": ""},
    ],
)
def test_parts_of_the_wrong_kind_are_refused_not_a_server_error(change):
    raw = definition()
    target = raw["pages"][0] if "routes" in change else raw["pages"][0]["questions"][0]
    target.update(change)
    with pytest.raises(DefinitionError):
        parse(raw)


def test_a_very_long_chain_of_pages_is_refused_cleanly():
    raw = definition()
    page = raw["pages"][0]
    raw["pages"] = [
        {**copy.deepcopy(page), "key": f"p{i}", "routes": [{"goto": f"p{i + 1}"}]}
        for i in range(1500)
    ]
    with pytest.raises(DefinitionError):
        parse(raw)
