"""Is an address inside the city? One rule for every service that asks.

The city is described by its ZIP codes (`CITYHALL_CITY_ZIP_CODES`) and its
state (`CITYHALL_CITY_STATE`): an address counts as inside the city when its
ZIP code is one of the city's. That is a close, cheap approximation of the
city limits that needs no map service; a city whose ZIP codes cross its
limits can add a parcel or geocoder check behind `check_address` later
without changing its callers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .city import city_name

_ZIP = re.compile(r"^(\d{5})(?:-?(\d{4}))?$")
_STREET = re.compile(r"^\d+[A-Za-z]?(?:-\d+)?\s+\S.*$")


@dataclass(frozen=True)
class Address:
    street: str  # "200 N Spring St"
    unit: str  # "Apt 4", may be empty
    zip_code: str  # "90731"
    city: str
    state: str

    def one_line(self) -> str:
        first = f"{self.street}, {self.unit}" if self.unit else self.street
        return f"{first}, {self.city}, {self.state} {self.zip_code}"


def city_short_name() -> str:
    """ "Port Alder" from "City of Port Alder"."""
    name = settings.CITY_NAMES.get("en", "")
    return name.removeprefix("City of ").strip() or name


def city_zip_codes() -> frozenset[str]:
    return frozenset(settings.CITYHALL_CITY_ZIP_CODES)


def check_address(*, street: str, unit: str = "", zip_code: str, city: str = "") -> Address:
    """The address, cleaned, or ValidationError with messages per field
    (`street`, `zip_code`, `city`): a house number and a street, a five-digit
    ZIP code, and inside the city."""
    street = " ".join((street or "").split())
    unit = " ".join((unit or "").split())
    zip_code = (zip_code or "").strip()
    errors: dict[str, str] = {}
    if not street:
        errors["street"] = _("Enter the street address, like 200 N Spring St.")
    elif not _STREET.match(street) or len(street) > 200:
        errors["street"] = _(
            "Enter the house or building number and the street, like 200 N Spring St."
        )
    match = _ZIP.match(zip_code)
    if not zip_code:
        errors["zip_code"] = _("Enter the ZIP code.")
    elif not match:
        errors["zip_code"] = _("Enter a 5-digit ZIP code, like 90731.")
    elif match.group(1) not in city_zip_codes():
        errors["zip_code"] = _(
            "This address is not inside the %(city)s. Apply to the city or county where it is."
        ) % {"city": city_name()}
    given_city = " ".join((city or "").split())
    if given_city and given_city.casefold() != city_short_name().casefold():
        errors["city"] = _(
            "This address is not inside the %(city)s. Apply to the city or county where it is."
        ) % {"city": city_name()}
    if len(unit) > 40:
        errors["unit"] = _("Keep the apartment or unit to 40 characters.")
    if errors:
        raise ValidationError(errors)
    return Address(
        street=street,
        unit=unit,
        zip_code=match.group(1),
        city=city_short_name(),
        state=settings.CITYHALL_CITY_STATE,
    )
