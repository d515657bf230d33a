"""Published services and an api_key for the Open311 tests."""

import copy

import pytest
from defusedxml import ElementTree

from cityhall.accounts.services import issue_api_token
from cityhall.formbuilder import services_builder
from cityhall.formbuilder.demo import STREETLIGHT

# The spec's field lists (wiki.open311.org/GeoReport_v2), kept here on their own
# so that the tests check the code against the spec, not against itself.
SERVICE_FIELDS = [
    "service_code",
    "service_name",
    "description",
    "metadata",
    "type",
    "keywords",
    "group",
]
DEFINITION_FIELDS = ["service_code", "attributes"]
ATTRIBUTE_FIELDS = [
    "variable",
    "code",
    "datatype",
    "required",
    "datatype_description",
    "order",
    "description",
    "values",
]
VALUE_FIELDS = ["key", "name"]
REQUEST_FIELDS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
]
POSTED_FIELDS = ["service_request_id", "token", "service_notice", "account_id"]
TOKEN_FIELDS = ["service_request_id", "token"]
ERROR_FIELDS = ["code", "description"]
DATATYPES = {"string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"}

# A service about a resident's home: published, listed, but nothing of it is public.
HOME_VISIT = {
    **copy.deepcopy(STREETLIGHT),
    "code": "home_visit",
    "prefix": "HV",
    "name_en": "Ask for a home safety visit",
    "name_es": "Pedir una visita de seguridad en casa",
    "pages": [
        {
            "key": "home",
            "title_en": "Your home",
            "title_es": "Su casa",
            "questions": [
                {
                    "key": "home_address",
                    "type": "address",
                    "label_en": "Your home address",
                    "label_es": "Su domicilio",
                    "required": True,
                },
                {
                    "key": "reason",
                    "type": "choice",
                    "label_en": "Why",
                    "label_es": "Por qué",
                    "required": True,
                    "choices": [
                        {"value": "fall", "label_en": "A fall", "label_es": "Una caída"},
                        {"value": "smoke", "label_en": "Smoke alarm", "label_es": "Alarma"},
                    ],
                },
                {
                    "key": "rooms",
                    "type": "multichoice",
                    "label_en": "Rooms",
                    "label_es": "Cuartos",
                    "required": False,
                    "choices": [
                        {"value": "kitchen", "label_en": "Kitchen", "label_es": "Cocina"},
                        {"value": "hall", "label_en": "Hall", "label_es": "Pasillo"},
                    ],
                },
            ],
        }
    ],
}
HOME_VISIT.pop("open311")


def publish(raw, actor=None):
    service = services_builder.create_service(raw=copy.deepcopy(raw), actor=actor)
    services_builder.publish(service=service, actor=actor)
    return service


@pytest.fixture
def streetlight(db):
    return publish(STREETLIGHT)


@pytest.fixture
def home_visit(db):
    return publish(HOME_VISIT)


@pytest.fixture
def api_key(make_user):
    partner = make_user("app-maker@partner.example.org", full_name="Partner App Owner")
    return issue_api_token(user=partner, name="311 app").raw


GOOD = {
    "service_code": "streetlight",
    "address_string": "Corner of Main St and 3rd Ave",
    "attribute[problem]": "out",
    "attribute[pole]": "PA1234",
    "description": "Dark for three nights",
    "first_name": "Zelda",
    "last_name": "Quixote",
    "email": "Zelda.Quixote@example.org",
    "phone": "(213) 555-0147",
}


@pytest.fixture
def post_request(client, api_key):
    def post(fmt="json", **changes):
        data = {**GOOD, "api_key": api_key, **changes}
        return client.post(
            f"/open311/v2/requests.{fmt}", {k: v for k, v in data.items() if v is not None}
        )

    return post


def xml_of(response):
    assert response["Content-Type"].startswith("text/xml")
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    return ElementTree.fromstring(response.content)


def children(element) -> list[str]:
    return [child.tag for child in element]
