"""/data.json against the Project Open Data v1.1 schema (schema/README.md)."""

import json
from pathlib import Path

import pytest
from jsonschema import Draft4Validator
from referencing import Registry, Resource

from cityhall.formbuilder.models import FormService

pytestmark = pytest.mark.django_db

SCHEMAS = Path(__file__).parent / "schema"
BASE = "https://project-open-data.cio.gov/v1.1/schema/"
FEDERAL_ONLY = {"bureauCode", "programCode"}


def validator(folder: str, dataset_file: str) -> Draft4Validator:
    catalog = json.loads((SCHEMAS / folder / "catalog.json").read_text())
    dataset = json.loads((SCHEMAS / folder / dataset_file).read_text())
    registry = Registry().with_resources(
        [
            (BASE + "catalog.json", Resource.from_contents(catalog)),
            (BASE + dataset_file, Resource.from_contents(dataset)),
        ]
    )
    return Draft4Validator(
        catalog, registry=registry, format_checker=Draft4Validator.FORMAT_CHECKER
    )


@pytest.fixture
def catalogue(client):
    FormService.objects.create(
        code="streetlight",
        prefix="SL",
        name_en="Streetlights",
        name_es="Faroles",
        publish_open_data=True,
    )
    response = client.get("/data.json")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    return response.json()


def test_data_json_is_valid_project_open_data_v1_1(catalogue):
    errors = list(validator("non-federal-v1.1", "dataset-non-federal.json").iter_errors(catalogue))
    assert not errors, [e.message for e in errors]
    federal = list(validator("federal-v1.1", "dataset.json").iter_errors(catalogue))
    assert federal, "the federal schema must see the datasets (else nothing was checked)"
    for error in federal:
        assert error.validator == "required" and error.message.split("'")[1] in FEDERAL_ONLY, (
            error.message
        )


def test_every_dataset_is_listed_with_csv_and_json_distributions(catalogue):
    by_id = {d["identifier"]: d for d in catalogue["dataset"]}
    slugs = {i.rstrip("/").rsplit("/", 1)[1] for i in by_id}
    assert {
        "service-performance",
        "lost-and-stolen-property",
        "permits-issued",
        "facility-utilization",
        "service-requests-streetlight",
    } <= slugs
    for dataset in catalogue["dataset"]:
        media = {d["mediaType"]: d for d in dataset["distribution"]}
        assert set(media) == {"text/csv", "application/json"}
        for distribution in media.values():
            assert distribution["downloadURL"].startswith("http")
            assert distribution["describedBy"] == dataset["landingPage"]
        assert dataset["accessLevel"] == "public" and dataset["accrualPeriodicity"].startswith(
            "R/P"
        )


def test_a_service_not_marked_public_is_not_in_the_catalogue(client):
    FormService.objects.create(code="secret", prefix="SC", name_en="Secret", name_es="Secreto")
    ids = [d["identifier"] for d in client.get("/data.json").json()["dataset"]]
    assert not any("secret" in i for i in ids)


def test_the_schema_check_does_catch_a_broken_entry(catalogue):
    broken = json.loads(json.dumps(catalogue))
    del broken["dataset"][0]["publisher"]
    broken["dataset"][1]["distribution"][0]["mediaType"] = "csv"
    errors = list(validator("non-federal-v1.1", "dataset-non-federal.json").iter_errors(broken))
    assert len(errors) >= 2
