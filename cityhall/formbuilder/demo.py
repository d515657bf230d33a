"""Two demo services built with the builder, published by `cityhall seed-demo`
(idempotent): a free streetlight report with one review step, and a residential
parking permit with a fee, a conditional page and a PDF permit on approval.
The parking fee schedule is seeded by payments/demo.py (it runs first)."""

from __future__ import annotations

from django.db import transaction

from .models import FormService


def _q(key, type_, en, es, **extra):
    return {"key": key, "type": type_, "label_en": en, "label_es": es, "required": True, **extra}


def _c(value, en, es):
    return {"value": value, "label_en": en, "label_es": es}


def _p(key, en, es, questions, **extra):
    return {"key": key, "title_en": en, "title_es": es, "questions": questions, **extra}


STREETLIGHT = {
    "schema_version": 1,
    "code": "streetlight",
    "prefix": "SL",
    "name_en": "Report a broken streetlight",
    "name_es": "Reportar un farol roto",
    "summary_en": "Tell us which streetlight is out, flickering or damaged. It takes 2 minutes.",
    "summary_es": "Díganos qué farol está apagado, parpadea o está dañado. Toma 2 minutos.",
    "pages": [
        _p("where", "Where is the streetlight?", "¿Dónde está el farol?", [
            _q("location", "address", "Nearest address or intersection",
               "Dirección o cruce más cercano"),
            _q("pole", "text", "Pole number (on a small plate on the pole)",
               "Número del poste (en una placa pequeña del poste)", required=False,
               pattern=r"^[A-Z]{2}[0-9]{3,6}$",
               pattern_message_en="Pole numbers look like PA1234.",
               pattern_message_es="Los números de poste son como PA1234."),
        ]),
        _p("problem", "What is wrong?", "¿Qué pasa?", [
            _q("problem", "choice", "The problem", "El problema", choices=[
                _c("out", "The light is out", "La luz está apagada"),
                _c("flicker", "It flickers", "Parpadea"),
                _c("day", "It stays on during the day", "Se queda encendido de día"),
                _c("damaged", "The pole or lamp is damaged", "El poste o la lámpara está dañado"),
            ]),
            _q("details", "textarea", "Anything else we should know",
               "Algo más que debamos saber", required=False),
        ]),
    ],
    "review_mode": "one_step",
    "reviewer_role": "city_admin",
    "approver_role": "city_admin",
    "target_days": 5,
    "approved_message_en": "Thank you: a crew has been sent to repair the streetlight.",
    "approved_message_es": "Gracias: enviamos un equipo a reparar el farol.",
    "rejected_message_en": "We could not act on this report.",
    "rejected_message_es": "No pudimos actuar sobre este reporte.",
    "document": False,
    "fee": None,
    # Open311 (docs/open311.md): the location is a public place, the problem a
    # fixed list; both may be published. The free-text details never are.
    "open311": {"public_address": "location", "public": ["problem"],
                "group": "Streets and lighting", "keywords": ["streetlight", "lighting"]},
}  # fmt: skip

PARKING = {
    "schema_version": 1,
    "code": "parking_permit",
    "prefix": "RP",
    "name_en": "Request a residential parking permit",
    "name_es": "Solicitar un permiso de estacionamiento residencial",
    "summary_en": "Park on your street in a permit zone: $35 a vehicle a year, $15 a visitor pass.",
    "summary_es": "Estaciónese en su calle en una zona de permisos: $35 por vehículo al año, "
    "$15 por pase de visitante.",
    "pages": [
        _p("home", "Your home", "Su domicilio", [
            _q("address", "address", "Home address in the permit zone",
               "Domicilio en la zona de permisos"),
            _q("vehicles", "integer", "How many vehicles?", "¿Cuántos vehículos?", min=1, max=3),
            _q("plates", "text", "Licence plates, separated by commas",
               "Placas, separadas por comas"),
            _q("visitors", "yesno", "Do you also want visitor passes?",
               "¿Quiere también pases de visitante?"),
        ]),
        _p("visitor", "Visitor passes", "Pases de visitante", [
            _q("visitor_passes", "integer", "How many visitor passes?",
               "¿Cuántos pases de visitante?", min=1, max=2),
        ], show_if={"question": "visitors", "equals": "yes"}),
        _p("declare", "Declaration", "Declaración", [
            _q("lives_here", "declaration",
               "I live at this address and the vehicles are kept there.",
               "Vivo en este domicilio y los vehículos se guardan allí."),
        ]),
    ],
    "review_mode": "one_step",
    "reviewer_role": "permit_reviewer",
    "approver_role": "permit_reviewer",
    "target_days": 10,
    "approved_message_en": "Your parking permit is approved: print the attached permit and "
    "show it on the dashboard.",
    "approved_message_es": "Su permiso de estacionamiento fue aprobado: imprima el permiso "
    "adjunto y póngalo en el tablero.",
    "rejected_message_en": "We could not approve your parking permit.",
    "rejected_message_es": "No pudimos aprobar su permiso de estacionamiento.",
    "document": True,
    "document_title_en": "Residential parking permit",
    "document_title_es": "Permiso de estacionamiento residencial",
    "fee": {
        "schedule": "residential-parking",
        "items": [
            {"code": "vehicle", "quantity_from": "vehicles"},
            {"code": "visitor", "quantity_from": "visitor_passes"},
        ],
    },
}  # fmt: skip

DEMO_SERVICES = (STREETLIGHT, PARKING)


@transaction.atomic
def seed(stdout=None) -> None:
    from . import services_builder

    made = []
    for raw in DEMO_SERVICES:
        if FormService.objects.filter(code=raw["code"]).exists():
            continue
        service = services_builder.create_service(raw=raw, actor=None)
        services_builder.publish(service=service, actor=None)
        made.append(raw["code"])
    if stdout is not None:
        stdout.write(f"Built services: {', '.join(made) or 'already there'}\n")
