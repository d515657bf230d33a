"""Which services Open311 lists, and what each lets Open311 publish or fill.

Listed: the published formbuilder services that can take a request end to end
through the API: no fee (paying needs the city's checkout in a browser) and no
required file question (GeoReport v2 cannot send a file). Police reports,
permits and reservations are not listed (docs/decisions/0011-open311.md).

A definition may carry an optional "open311" section, edited with the rest
of the definition by the digital team:

    "open311": {"public_address": "location",  # an address question about a public place
                "public": ["problem"],          # choice / multichoice / yes-no answers to publish
                "description": "details",       # the question POST's `description` fills
                "group": "Streets", "keywords": ["streetlight", "lighting"],
                "listed": true}                 # false keeps the service out of Open311

POST's address_string (or lat/long) fills the public address question, or
else the service's first address question, which is then never published.
Anything that names the wrong kind of question is ignored: nothing is
published unless it is a fixed list of options or a public place's address.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.utils.translation import gettext as _

from cityhall.core.city import city_name
from cityhall.formbuilder.definition import Definition
from cityhall.formbuilder.selectors import open311_attributes, published_services

logger = logging.getLogger(__name__)

PUBLISHABLE_TYPES = ("choice", "multichoice", "yesno")
DESCRIPTION_TYPES = ("text", "textarea")


@dataclass(frozen=True)
class Exposure:
    address: str | None  # the question POST's address_string or lat/long fills
    public_address: str | None  # the same question, when it is about a public place
    public: tuple[str, ...]  # questions whose answers (fixed options) may be published
    description: str | None  # the question a POSTed description answers
    group: str
    keywords: str


def _question_of(definition: Definition, key, types: tuple[str, ...]) -> str | None:
    question = definition.questions.get(key) if isinstance(key, str) else None
    if key and (question is None or question.type not in types):
        logger.warning("open311 of %s names %r, not a %s question", definition.code, key, types)
        return None
    return question.key if question else None


def exposure(definition: Definition) -> Exposure:
    raw = definition.raw.get("open311")
    raw = raw if isinstance(raw, dict) else {}
    public = raw.get("public") if isinstance(raw.get("public"), list) else []
    long_text = [q.key for q in definition.questions.values() if q.type == "textarea"]
    keywords = raw.get("keywords") if isinstance(raw.get("keywords"), list) else []
    public_address = _question_of(definition, raw.get("public_address"), ("address",))
    addresses = [q.key for q in definition.questions.values() if q.type == "address"]
    return Exposure(
        address=public_address or (addresses[0] if addresses else None),
        public_address=public_address,
        public=tuple(k for k in public if _question_of(definition, k, PUBLISHABLE_TYPES)),
        # Without a choice, the last long-text question ("anything else?") takes it.
        description=(
            _question_of(definition, raw.get("description"), DESCRIPTION_TYPES)
            if raw.get("description")
            else (long_text[-1] if long_text else None)
        ),
        group=str(raw.get("group") or ""),
        keywords=", ".join(str(k) for k in keywords),
    )


def takes_requests(definition: Definition) -> bool:
    section = definition.raw.get("open311")
    if isinstance(section, dict) and section.get("listed") is False:
        return False  # a service the city keeps out of Open311 altogether
    if definition.fee is not None:
        return False
    return not any(q.type == "file" and q.required for q in definition.questions.values())


def listed() -> list[Definition]:
    return [d for _service, d in published_services() if takes_requests(d)]


def listed_codes() -> list[str]:
    return [d.code for d in listed()]


def find(code: str) -> Definition | None:
    return next((d for d in listed() if d.code == code), None)


def service_entry(definition: Definition) -> dict:
    """One service of GET services, the spec's fields in the spec's order."""
    about = exposure(definition)
    return {
        "service_code": definition.code,
        "service_name": definition.name(),
        "description": definition.summary(),
        "metadata": True,  # every formbuilder service has questions: its attributes
        "type": "realtime",  # the request id comes back in the POST's answer
        "keywords": about.keywords,
        "group": about.group,
    }


def service_definition(definition: Definition) -> dict:
    """GET services/{code}: the questions as attributes, except those filled from
    the spec's own fields (address_string or lat/long, description)."""
    about = exposure(definition)
    filled = {about.address, about.description} - {None}
    attributes = [a for a in open311_attributes(definition.code) or [] if a["code"] not in filled]
    for order, attribute in enumerate(attributes, start=1):
        attribute["order"] = order
    return {"service_code": definition.code, "attributes": attributes}


def agency(definition: Definition) -> str:
    return city_name()


def service_notice(definition: Definition) -> str:
    return _("We aim to decide within %(days)d days.") % {"days": definition.target_days}
