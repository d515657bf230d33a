"""Permit types as staff configure them: the typed question schema, fee items
and the demo city's four types."""

import pytest
from django.core.exceptions import ValidationError

from cityhall.permits.demo import create_types
from cityhall.permits.models import InspectionType, PermitType
from cityhall.permits.questions import clean_answer, parse_definitions

pytestmark = pytest.mark.django_db


def test_the_demo_city_has_four_realistic_types(types):
    assert set(types) == {"residential-fence", "block-party", "small-construction", "food-truck"}
    fence, construction = types["residential-fence"], types["small-construction"]
    assert fence.instant_issue and not fence.review_steps.exists()
    steps = list(construction.review_steps.values_list("department__code", "stage"))
    assert sorted(steps) == [("building", 1), ("zoning", 1)]  # in parallel
    assert [t.code for t in construction.inspection_types.all()] == [
        "foundation",
        "framing",
        "final",
    ]
    assert construction.inspection_types.get(code="final").final
    assert types["food-truck"].renewable
    food_steps = dict(types["food-truck"].review_steps.values_list("department__code", "stage"))
    assert food_steps == {"health": 1, "fire": 2}  # in sequence
    for permit_type in types.values():
        permit_type.full_clean()  # every one passes the admin's checks
    # Seeding again changes nothing.
    create_types()
    assert PermitType.objects.count() == 4


@pytest.mark.parametrize(
    "questions, message",
    [
        ("not a list", "must be a list"),
        ([{"key": "Bad Key", "type": "text", "label_en": "a", "label_es": "b"}], "key"),
        ([{"key": "a", "type": "colour", "label_en": "a", "label_es": "b"}], "type must be"),
        ([{"key": "a", "type": "text", "label_en": "a"}], "English and Spanish"),
        ([{"key": "a", "type": "choice", "label_en": "a", "label_es": "b"}], "needs choices"),
        (
            [{"key": "a", "type": "integer", "label_en": "a", "label_es": "b", "min": 5, "max": 1}],
            "min is above max",
        ),
        (
            [
                {"key": "a", "type": "text", "label_en": "a", "label_es": "b"},
                {"key": "a", "type": "text", "label_en": "c", "label_es": "d"},
            ],
            "repeats",
        ),
        (
            [{"key": "b", "type": "integer", "label_en": "a", "label_es": "b", "after": "zz"}],
            "after",
        ),
    ],
)
def test_bad_question_definitions_are_refused_in_the_admin(types, questions, message):
    permit_type = types["residential-fence"]
    permit_type.questions = questions
    with pytest.raises(ValidationError) as error:
        permit_type.full_clean()
    assert message in " ".join(error.value.message_dict["questions"])


def test_fee_items_must_point_at_number_questions(types):
    permit_type = types["small-construction"]
    permit_type.fee_items = [{"code": "valuation", "value_from": "work_kind"}]
    with pytest.raises(ValidationError) as error:
        permit_type.full_clean()
    assert "fee_items" in error.value.message_dict
    permit_type.fee_items = [{"code": "valuation", "value_from": "valuation"}]
    permit_type.renewable, permit_type.renewal_fee_items = True, []
    with pytest.raises(ValidationError) as error:
        permit_type.full_clean()
    assert "renewal_fee_items" in error.value.message_dict


def test_who_may_apply_is_a_known_list(types):
    permit_type = types["block-party"]
    permit_type.applicant_roles = ["mayor"]
    with pytest.raises(ValidationError) as error:
        permit_type.full_clean()
    assert "applicant_roles" in error.value.message_dict


def test_inspection_checklists_need_items(types):
    inspection = InspectionType(
        permit_type=types["block-party"], code="x", name_en="X", name_es="X"
    )
    inspection.checklist = [{"code": "a", "label_en": "A"}]
    with pytest.raises(ValidationError):
        inspection.full_clean()


@pytest.mark.parametrize(
    "kind, value, expected",
    [
        ("money", "$25,000", 2_500_000),
        ("money", "25000.50", 2_500_050),
        ("integer", "1,200", 1200),
        ("yesno", "Yes", "yes"),
        ("text", "  hi  ", "hi"),
        ("text", "   ", None),
    ],
)
def test_answers_are_cleaned_to_their_stored_form(kind, value, expected):
    [question] = parse_definitions([{"key": "k", "type": kind, "label_en": "K", "label_es": "K"}])
    assert clean_answer(question, value) == expected


@pytest.mark.parametrize(
    "value, message",
    [
        ("0", "more than zero"),
        ("-5", "more than zero"),
        ("abc", "in dollars"),
        ("400", "too low"),
        ("9000000", "the most this permit allows"),
    ],
)
def test_a_valuation_of_zero_or_absurd_is_refused(value, message):
    [question] = parse_definitions(
        [
            {
                "key": "valuation",
                "type": "money",
                "label_en": "V",
                "label_es": "V",
                "min": 500,
                "max": 500000,
            }
        ]
    )
    with pytest.raises(ValidationError) as error:
        clean_answer(question, value)
    assert message in error.value.messages[0]


def test_the_demo_puts_an_application_in_the_reviewers_queue(db, settings):
    from cityhall.core.demo import seed_people
    from cityhall.permits.demo import seed
    from cityhall.permits.models import PermitApplication

    settings.CITYHALL_CITY_ZIP_CODES = ["90731"]
    seed_people()
    seed()
    seed()  # again: nothing new
    [application] = PermitApplication.objects.all()
    assert application.case.status == "in_review"
    assert application.review_steps.filter(status="pending").count() == 2


def test_city_administrators_configure_types_in_the_admin(staff_client, types):
    client, _user = staff_client("city_admin")
    fence = types["residential-fence"]
    assert client.get("/admin/permits/permittype/").status_code == 200
    page = client.get(f"/admin/permits/permittype/{fence.pk}/change/")
    assert page.status_code == 200 and "height_ft" in page.content.decode()
    assert client.get("/admin/permits/department/").status_code == 200
    reviewer, _user = staff_client("permit_reviewer", email="r@staff.example.org")
    assert reviewer.get("/admin/permits/permittype/").status_code == 200  # may view
    assert reviewer.get("/admin/permits/permittype/add/").status_code == 403
