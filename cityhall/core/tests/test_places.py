import pytest
from django.core.exceptions import ValidationError

from cityhall.core.places import check_address


@pytest.fixture(autouse=True)
def _city(settings):
    settings.CITYHALL_CITY_ZIP_CODES = ["90731", "90732"]
    settings.CITYHALL_CITY_STATE = "CA"


def test_an_address_inside_the_city_is_cleaned():
    address = check_address(street=" 200  N Harbor Blvd ", unit="Apt 4", zip_code="90731-1234")
    assert address.street == "200 N Harbor Blvd"
    assert address.zip_code == "90731"
    assert address.one_line() == "200 N Harbor Blvd, Apt 4, Port Alder, CA 90731"


@pytest.mark.parametrize(
    "street, zip_code, city, field, message",
    [
        ("200 N Harbor Blvd", "10001", "", "zip_code", "not inside the City of Port Alder"),
        ("200 N Harbor Blvd", "90731", "Los Angeles", "city", "not inside"),
        ("200 N Harbor Blvd", "9073", "", "zip_code", "5-digit"),
        ("200 N Harbor Blvd", "", "", "zip_code", "Enter the ZIP code"),
        ("Harbor Blvd", "90731", "", "street", "house or building number"),
        ("", "90731", "", "street", "Enter the street address"),
    ],
)
def test_addresses_outside_the_city_or_malformed_are_refused(
    street, zip_code, city, field, message
):
    with pytest.raises(ValidationError) as error:
        check_address(street=street, zip_code=zip_code, city=city)
    assert message in " ".join(error.value.message_dict[field])
