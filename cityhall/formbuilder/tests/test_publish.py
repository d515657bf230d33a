"""Publishing makes a registered service type; versions are frozen; other processes see it."""

import pytest

from cityhall.cases import registry as cases_registry
from cityhall.core.registry import registry
from cityhall.formbuilder import dynamic, services, services_builder
from cityhall.formbuilder.definition import DefinitionError
from cityhall.formbuilder.models import CatalogueState, ServiceStatus
from cityhall.formbuilder.selectors import answer_rows, definition_of_case, open311_attributes
from cityhall.formbuilder.testing import definition

pytestmark = pytest.mark.django_db


@pytest.fixture
def builder(make_user):
    return make_user("builder@staff.example.org", roles=["digital_team"])


def test_publish_registers_the_service_and_unpublish_removes_the_card(builder):
    service = services_builder.create_service(raw=definition(), actor=builder)
    with pytest.raises(LookupError):
        cases_registry.get("streetlight")
    services_builder.publish(service=service, actor=builder)
    assert cases_registry.get("streetlight").prefix == "SL"
    assert "streetlight" in {e.code for e in registry.services()}
    services_builder.unpublish(service=service, actor=builder)
    assert "streetlight" not in {e.code for e in registry.services()}
    assert cases_registry.get("streetlight")  # its cases are still worked


def test_another_process_sees_a_publish_through_the_token(builder):
    service = services_builder.create_service(raw=definition(), actor=builder)
    services_builder.publish(service=service, actor=builder)
    dynamic._cache["token"] = CatalogueState.objects.get().token  # this process is up to date
    dynamic._cache["entries"] = []  # ... but pretend it was built before the publish
    assert "streetlight" not in {e.code for e in registry.services()}
    CatalogueState.objects.update(token="00000000-0000-0000-0000-000000000001")  # another process
    assert "streetlight" in {e.code for e in registry.services()}


def test_a_submission_keeps_its_version_after_the_draft_changes(builder):
    service = services_builder.create_service(raw=definition(), actor=builder)
    version = services_builder.publish(service=service, actor=builder)
    submission = services.start_submission(version=version)
    assert submission.case.reference.startswith("SL-")
    errors = services.save_page(
        submission=submission, page_key="where", data={"pole": "AB123", "kind": "out"}
    )
    assert errors == {}
    changed = definition()
    changed["pages"][0]["questions"][0]["label_en"] = "Pole number (new wording)"
    services_builder.save_draft(service=service, raw=changed, actor=builder)
    services_builder.publish(service=service, actor=builder)
    rows = answer_rows(definition_of_case(submission.case), submission.answers, "en")
    assert rows[0]["label"] == "Pole"


def test_bad_answers_are_refused_and_kept_out(builder):
    service = services_builder.create_service(raw=definition(), actor=builder)
    version = services_builder.publish(service=service, actor=builder)
    submission = services.start_submission(version=version)
    errors = services.save_page(
        submission=submission, page_key="where", data={"pole": "x1", "kind": "?"}
    )
    assert set(errors) == {"pole", "kind"}
    assert submission.answers.get("pole") is None


def test_publishing_a_bad_draft_explains_and_changes_nothing(builder):
    service = services_builder.create_service(raw=definition(pages=[]), actor=builder)
    with pytest.raises(DefinitionError) as caught:
        services_builder.publish(service=service, actor=builder)
    assert "no questions" in " ".join(caught.value.problems)
    service.refresh_from_db()
    assert service.status == ServiceStatus.DRAFT and service.current_version is None


def test_a_code_or_prefix_used_by_a_service_in_code_is_refused(builder):
    with pytest.raises(DefinitionError):
        services_builder.create_service(raw=definition(code="permit"), actor=builder)
    with pytest.raises(DefinitionError):
        services_builder.create_service(raw=definition(prefix="PM"), actor=builder)


def test_open311_hook_lists_the_questions(builder):
    service = services_builder.create_service(raw=definition(), actor=builder)
    services_builder.publish(service=service, actor=builder)
    codes = [a["code"] for a in open311_attributes("streetlight")]
    assert codes == ["pole", "kind", "how_often", "count", "ok"]
    assert open311_attributes("nope") is None


def test_import_refuses_a_newer_schema(builder):
    with pytest.raises(DefinitionError):
        services_builder.import_definition(raw=definition(schema_version=9), actor=builder)


def test_a_version_that_no_longer_parses_hides_one_service_not_every_page(builder, client):
    service = services_builder.create_service(raw=definition(), actor=builder)
    version = services_builder.publish(service=service, actor=builder)
    broken = {**version.definition, "pages": "not a list"}  # e.g. rules tightened since
    type(version).objects.filter(pk=version.pk).update(definition=broken)
    CatalogueState.objects.update(token="00000000-0000-0000-0000-000000000002")
    assert client.get("/").status_code == 200
    assert "streetlight" not in {e.code for e in registry.services()}
    assert cases_registry.get("police_report")  # the others are all there


@pytest.mark.parametrize(
    "identity",
    [
        {"code": ""},
        {"code": "a b"},
        {"code": None},
        {"code": "new"},
        {"prefix": None},
        {"prefix": "zz"},
    ],
)
def test_a_code_or_prefix_that_would_break_the_pages_is_refused_at_every_save(builder, identity):
    with pytest.raises(DefinitionError):
        services_builder.create_service(raw={**definition(), **identity}, actor=builder)
    service = services_builder.create_service(raw=definition(), actor=builder)
    with pytest.raises(DefinitionError):
        services_builder.save_draft(
            service=service, raw={**definition(), **identity}, actor=builder
        )
    service.refresh_from_db()
    assert (service.code, service.prefix) == ("streetlight", "SL")


@pytest.mark.parametrize(
    "shape", [{"pages": 5}, {"pages": ["x"]}, {"pages": [{"questions": ["x"]}]}, {"fee": "x"}]
)
def test_a_draft_with_parts_of_the_wrong_kind_is_not_saved(builder, shape):
    service = services_builder.create_service(raw=definition(), actor=builder)
    with pytest.raises(DefinitionError, match="lists of objects"):
        services_builder.save_draft(service=service, raw={**definition(), **shape}, actor=builder)
