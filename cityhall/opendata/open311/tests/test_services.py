"""GET services and GET services/{code}, in JSON and XML, against the spec's field lists."""

import pytest

from cityhall.formbuilder.definition import parse
from cityhall.formbuilder.demo import PARKING, STREETLIGHT
from cityhall.opendata.open311 import catalogue

from .conftest import (
    ATTRIBUTE_FIELDS,
    DATATYPES,
    DEFINITION_FIELDS,
    ERROR_FIELDS,
    SERVICE_FIELDS,
    VALUE_FIELDS,
    children,
    xml_of,
)

pytestmark = pytest.mark.django_db


def test_service_list_json_has_the_spec_fields(client, streetlight, home_visit):
    response = client.get("/open311/v2/services.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Access-Control-Allow-Origin"] == "*"
    services = response.json()
    assert [s["service_code"] for s in services] == ["home_visit", "streetlight"]
    for service in services:
        assert list(service) == SERVICE_FIELDS
        assert service["metadata"] is True and service["type"] == "realtime"
    light = services[1]
    assert light["service_name"] == "Report a broken streetlight"
    assert light["keywords"] == "streetlight, lighting" and light["group"] == "Streets and lighting"


def test_service_list_xml_has_the_spec_fields(client, streetlight):
    root = xml_of(client.get("/open311/v2/services.xml"))
    assert root.tag == "services" and children(root) == ["service"]
    service = root.find("service")
    assert children(service) == SERVICE_FIELDS
    assert service.findtext("service_code") == "streetlight"
    assert service.findtext("metadata") == "true"
    assert service.findtext("type") == "realtime"


def test_only_services_that_can_take_a_request_are_listed(client, streetlight):
    # Police, permits and reservations have their own API; a fee needs the
    # checkout, a required file cannot be sent through GeoReport v2.
    codes = [s["service_code"] for s in client.get("/open311/v2/services.json").json()]
    assert codes == ["streetlight"]
    assert catalogue.takes_requests(parse(STREETLIGHT))
    assert not catalogue.takes_requests(parse(PARKING))
    with_file = parse(
        {
            **STREETLIGHT,
            "pages": [
                *STREETLIGHT["pages"],
                {
                    "key": "photo",
                    "title_en": "Photo",
                    "title_es": "Foto",
                    "questions": [
                        {"key": "photo", "type": "file", "label_en": "P", "label_es": "F"}
                    ],
                },
            ],
        }
    )
    assert not catalogue.takes_requests(with_file)
    assert not catalogue.takes_requests(parse({**STREETLIGHT, "open311": {"listed": False}}))
    assert client.get("/open311/v2/services/parking_permit.json").status_code == 404


def test_service_definition_json(client, streetlight):
    response = client.get("/open311/v2/services/streetlight.json")
    assert response.status_code == 200
    body = response.json()
    assert list(body) == DEFINITION_FIELDS and body["service_code"] == "streetlight"
    attributes = body["attributes"]
    # The location comes from address_string (or lat/long), the free text from description.
    assert [a["code"] for a in attributes] == ["pole", "problem"]
    for n, attribute in enumerate(attributes, start=1):
        assert list(attribute) == ATTRIBUTE_FIELDS
        assert attribute["datatype"] in DATATYPES and attribute["order"] == n
        assert attribute["variable"] is True
    pole, problem = attributes
    assert pole["required"] is False and pole["datatype"] == "string" and pole["values"] == []
    assert problem["required"] is True and problem["datatype"] == "singlevaluelist"
    assert problem["values"][0] == {"key": "out", "name": "The light is out"}
    assert all(list(v) == VALUE_FIELDS for v in problem["values"])


def test_service_definition_xml(client, streetlight):
    root = xml_of(client.get("/open311/v2/services/streetlight.xml"))
    assert root.tag == "service_definition" and children(root) == DEFINITION_FIELDS
    attributes = root.find("attributes")
    assert children(attributes) == ["attribute", "attribute"]
    problem = attributes.findall("attribute")[1]
    assert children(problem) == ATTRIBUTE_FIELDS
    assert problem.findtext("required") == "true"
    values = problem.find("values")
    assert set(children(values)) == {"value"}
    assert children(values[0]) == VALUE_FIELDS and values[0].findtext("key") == "out"


def test_yes_no_and_declaration_questions_are_lists(client, home_visit):
    from cityhall.formbuilder.selectors import open311_attributes

    assert open311_attributes("home_visit")[1]["datatype"] == "singlevaluelist"
    # the demo parking permit's yes/no and declaration, published without its fee check
    attributes = {a["code"]: a for a in catalogue_attributes_of_parking()}
    assert attributes["visitors"]["values"] == [
        {"key": "yes", "name": "Yes"},
        {"key": "no", "name": "No"},
    ]
    assert attributes["lives_here"]["values"] == [{"key": "yes", "name": "Yes"}]


def catalogue_attributes_of_parking():
    from cityhall.formbuilder.models import FormService, FormVersion, ServiceStatus
    from cityhall.formbuilder.selectors import open311_attributes

    service = FormService.objects.create(
        code="parking_permit", prefix="RP", name_en="P", name_es="P", draft=PARKING
    )
    version = FormVersion.objects.create(service=service, number=1, definition=PARKING)
    service.current_version, service.status = version, ServiceStatus.PUBLISHED
    service.save()
    return open311_attributes("parking_permit")


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_service_is_a_404_in_the_error_format(client, streetlight, fmt):
    response = client.get(f"/open311/v2/services/nope.{fmt}")
    assert response.status_code == 404
    if fmt == "json":
        errors = response.json()
        assert len(errors) == 1 and list(errors[0]) == ERROR_FIELDS and errors[0]["code"] == 404
    else:
        root = xml_of(response)
        assert root.tag == "errors" and children(root) == ["error"]
        assert children(root[0]) == ERROR_FIELDS and root[0].findtext("code") == "404"


@pytest.mark.parametrize(
    "path",
    [
        "/open311/v2/services.csv",
        "/open311/v2/services",
        "/open311/v2/services/streetlight.html",
        "/open311/v2/requests.yaml",
        "/open311/v2/requests/SL-1.txt",
        "/open311/v2/",
        "/open311/v2/discovery.json",
    ],
)
def test_unknown_formats_and_paths_are_404s_not_500s(client, streetlight, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.json()[0]["code"] == 404


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_other_methods_are_405_in_the_error_format(client, streetlight, method):
    response = getattr(client, method)("/open311/v2/services.json")
    assert response.status_code == 405 and response["Allow"] == "GET, HEAD"
    assert response.json()[0]["code"] == 405
    assert getattr(client, method)("/open311/v2/requests.xml").status_code == 405


def test_a_badly_configured_open311_section_publishes_nothing():
    raw = {
        **STREETLIGHT,
        "open311": {"public_address": "pole", "public": ["details", "pole", "problem"]},
    }
    about = catalogue.exposure(parse(raw))
    assert about.public_address is None  # pole is not an address question
    assert about.address == "location"  # POST's address_string still has its place
    assert about.public == ("problem",)  # free text is never publishable
    assert catalogue.exposure(parse({**STREETLIGHT, "open311": "yes"})).public_address is None


def test_xml_stays_well_formed_whatever_the_text():
    from defusedxml import ElementTree

    from cityhall.opendata.open311.render import to_xml

    text = 'a\x00b\x01<c> & "d" \ufffe é 😀'
    root = ElementTree.fromstring(to_xml("errors", [{"code": 400, "description": text}]))
    assert root[0].findtext("description") == 'ab<c> & "d"  é 😀'


def test_head_is_answered_like_get(client, streetlight):
    assert client.head("/open311/v2/services.json").status_code == 200
    assert client.head("/open311/v2/services/nope.xml").status_code == 404
