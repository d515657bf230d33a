"""POST requests: a real case, made through the formbuilder's own write path
(start, answer page by page as the resident's pages do, contact, submit), in
one transaction: a request refused for any answer leaves nothing behind."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cityhall.cases.questions_extra import clean_phone
from cityhall.formbuilder import services as forms_services
from cityhall.formbuilder.forms import ContactForm
from cityhall.formbuilder.routing import END, first_page, next_page
from cityhall.formbuilder.selectors import published_service

from . import catalogue
from .render import Open311Error


@dataclass(frozen=True)
class RequestIn:
    """What a client POSTed, as typed (the formbuilder's rules check it)."""

    service_code: str
    attributes: dict = field(default_factory=dict)  # code -> str, or list for multivaluelist
    address_string: str = ""
    lat: str = ""
    long: str = ""
    description: str = ""
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    phone: str = ""


def _location(sent: RequestIn) -> str:
    if sent.address_string.strip():
        return sent.address_string.strip()
    if not (sent.lat.strip() or sent.long.strip()):
        return ""
    try:
        lat, long = float(sent.lat), float(sent.long)
    except ValueError:
        lat = long = float("nan")
    if not (-90 <= lat <= 90 and -180 <= long <= 180):
        raise Open311Error(
            400, _("lat and long must be a latitude and a longitude, like 45.52 and -122.68.")
        )
    return f"{lat:.6f}, {long:.6f}"


def _answers(definition, sent: RequestIn) -> dict:
    about = catalogue.exposure(definition)
    unknown = [code for code in sent.attributes if code not in definition.questions]
    if unknown:
        raise Open311Error(
            400,
            *(
                _("attribute[%(code)s] is not a question of this service.") % {"code": code}
                for code in unknown
            ),
        )
    answers = {}
    for code, value in sent.attributes.items():
        kind = definition.questions[code].type
        if kind == "multichoice":
            value = value if isinstance(value, list) else [value]
        elif isinstance(value, list):  # attribute[code][] for a one-value question
            value = value[-1] if value else ""
        if kind == "date":  # a `datetime` attribute: a client may send a full time
            value = value.split("T", 1)[0]
        answers[code] = value
    # Dropping a location or a description quietly would lose what was typed.
    location = _location(sent)
    if location and not answers.get(about.address or ""):
        if about.address is None:
            raise Open311Error(400, _("This service takes no address or location."))
        answers[about.address] = location
    if sent.description.strip() and not answers.get(about.description or ""):
        if about.description is None:
            raise Open311Error(
                400, _("This service takes no description: send its attributes instead.")
            )
        answers[about.description] = sent.description
    return answers


def _contact(sent: RequestIn) -> tuple[tuple[str, str, str], list[str]]:
    """(name, email, phone) and the problems found with them."""
    name = " ".join(p.strip() for p in (sent.first_name, sent.last_name) if p.strip())
    form = ContactForm(data={"name": name, "email": sent.email.strip()})
    problems = []
    if not form.is_valid():
        labels = {"name": "first_name, last_name", "email": "email"}
        problems = [f"{labels[key]}: {' '.join(errors)}" for key, errors in form.errors.items()]
    try:
        phone = clean_phone(sent.phone)
    except ValidationError as error:
        problems.append(f"phone: {error.messages[0]}")
        phone = ""
    cleaned = form.cleaned_data if not problems else {"name": "", "email": ""}
    return (cleaned["name"], cleaned["email"], phone), problems


@transaction.atomic
def submit_request(*, sent: RequestIn, language: str = "en"):
    """The case of a new request, or Open311Error(400/404) with every problem found."""
    found = published_service(sent.service_code)
    if found is None or catalogue.find(sent.service_code) is None:  # not listed: not here
        raise Open311Error(404, _("There is no service with that service_code."))
    service, definition = found
    answers = _answers(definition, sent)
    (name, email, phone), contact_problems = _contact(sent)
    submission = forms_services.start_submission(version=service.current_version, language=language)
    problems, key, seen = {}, first_page(definition, {}), set()
    while key != END and key not in seen:  # routes cannot loop; the guard is cheap
        seen.add(key)
        page = definition.page(key)
        data = {q.key: answers.get(q.key) for q in page.questions}
        problems.update(forms_services.save_page(submission=submission, page_key=key, data=data))
        key = next_page(definition, key, submission.answers)
    if problems or contact_problems:
        about = catalogue.exposure(definition)
        named = {about.address: "address_string", about.description: "description"}
        named = {k: v for k, v in named.items() if k not in sent.attributes}
        raise Open311Error(
            400,
            *(
                f"{named.get(code) or f'attribute[{code}]'}: {message}"
                for code, message in problems.items()
            ),
            *contact_problems,
        )
    forms_services.save_contact(submission=submission, name=name, email=email, phone=phone)
    try:
        submission = forms_services.submit(submission=submission)
    except forms_services.FormError as error:
        raise Open311Error(400, str(error)) from error
    return submission.case
