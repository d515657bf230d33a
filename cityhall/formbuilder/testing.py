"""A valid three-page definition to start tests from (change one thing to break it)."""

from __future__ import annotations

import copy


def q(key, type_="text", **extra):
    return {
        "key": key,
        "type": type_,
        "label_en": key.title(),
        "label_es": key.title() + " (es)",
        "required": True,
        **extra,
    }


def choices(*values):
    return [{"value": v, "label_en": v.title(), "label_es": v.title() + " (es)"} for v in values]


BASE = {
    "schema_version": 1,
    "code": "streetlight",
    "prefix": "SL",
    "name_en": "Report a broken streetlight",
    "name_es": "Reportar un farol roto",
    "summary_en": "Tell us which light is out.",
    "summary_es": "Díganos qué farol está apagado.",
    "pages": [
        {
            "key": "where",
            "title_en": "Where",
            "title_es": "Dónde",
            "questions": [
                q("pole", pattern=r"^[A-Z]{2}[0-9]{3,6}$"),
                q("kind", "choice", choices=choices("out", "flicker")),
            ],
        },
        {
            "key": "flicker",
            "title_en": "Flicker",
            "title_es": "Parpadeo",
            "show_if": {"question": "kind", "equals": "flicker"},
            "questions": [q("how_often", "textarea")],
        },
        {
            "key": "more",
            "title_en": "More",
            "title_es": "Más",
            "questions": [q("count", "integer", min=1, max=5), q("ok", "declaration")],
        },
    ],
    "review_mode": "one_step",
    "reviewer_role": "city_admin",
    "approver_role": "city_admin",
    "target_days": 5,
    "approved_message_en": "Approved.",
    "approved_message_es": "Aprobado.",
    "rejected_message_en": "Rejected.",
    "rejected_message_es": "Rechazado.",
    "document": True,
    "document_title_en": "Streetlight report",
    "document_title_es": "Reporte de farol",
    "fee": None,
}


def definition(**changes) -> dict:
    raw = copy.deepcopy(BASE)
    raw.update(changes)
    return raw
