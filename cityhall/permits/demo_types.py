"""The demo city's four permit types, as data (demo.py creates them)."""

from __future__ import annotations


def q(key, kind, label_en, label_es, **extra):
    return {"key": key, "type": kind, "label_en": label_en, "label_es": label_es, **extra}


def choice(value, en, es):
    return {"value": value, "label_en": en, "label_es": es}


def check(code, en, es):
    return {"code": code, "label_en": en, "label_es": es}


FENCE = {
    "code": "residential-fence",
    "order": 10,
    "name_en": "Residential fence",
    "name_es": "Cerca residencial",
    "summary_en": "Build or replace a fence up to 8 feet high around a home. Issued as soon as you pay.",
    "summary_es": "Construya o reemplace una cerca de hasta 8 pies alrededor de una casa. Se emite en cuanto paga.",
    "description_en": "Fences up to 8 feet high on residential lots. Front-yard fences may be at most 4 feet high. "
    "Fences higher than 8 feet need a building permit.",
    "description_es": "Cercas de hasta 8 pies en lotes residenciales. En el jardín delantero, 4 pies como máximo. "
    "Las cercas de más de 8 pies necesitan un permiso de construcción.",
    "permit_class": "Residential",
    "blds_type": "Fence",
    "work_class": "New",
    "applicant_roles": ["owner", "contractor", "agent"],
    "contractor": "optional",
    "questions": [
        q(
            "height_ft",
            "integer",
            "Height of the fence (feet)",
            "Altura de la cerca (pies)",
            min=1,
            max=8,
        ),
        q(
            "length_ft",
            "integer",
            "Length of the fence (feet)",
            "Largo de la cerca (pies)",
            min=1,
            max=2000,
        ),
        q(
            "material",
            "choice",
            "Material",
            "Material",
            choices=[
                choice("wood", "Wood", "Madera"),
                choice("vinyl", "Vinyl", "Vinilo"),
                choice("chain_link", "Chain link", "Malla metálica"),
                choice("masonry", "Masonry or stone", "Mampostería o piedra"),
            ],
        ),
        q(
            "front_yard",
            "yesno",
            "Is any part in the front yard?",
            "¿Alguna parte está en el jardín delantero?",
        ),
    ],
    "fee_schedule": "fence-permit",
    "fee_items": [{"code": "fence"}],
    "review_days": 0,
    "instant_issue": True,
    "validity_days": 180,
}

BLOCK_PARTY = {
    "code": "block-party",
    "order": 20,
    "name_en": "Block party street closure",
    "name_es": "Cierre de calle para fiesta vecinal",
    "summary_en": "Close a residential street for a neighborhood party. Apply at least 3 weeks ahead.",
    "summary_es": "Cierre una calle residencial para una fiesta vecinal. Solicítelo con 3 semanas de antelación.",
    "description_en": "For residential streets only, 7 a.m. to 11 p.m. You need the agreement of most neighbors "
    "on the block. The city lends barricades.",
    "description_es": "Solo calles residenciales, de 7 a. m. a 11 p. m. Necesita el acuerdo de la mayoría de "
    "los vecinos de la cuadra. La ciudad presta barreras.",
    "permit_class": "Residential",
    "blds_type": "Street Use",
    "work_class": "Special Event",
    "applicant_roles": ["organizer"],
    "address_label_en": "The block to close (an address on it)",
    "address_label_es": "La cuadra que se cierra (una dirección en ella)",
    "contractor": "none",
    "questions": [
        q("event_date", "date", "Date of the party", "Fecha de la fiesta", min=21, max=365),
        q(
            "start_hour",
            "integer",
            "Closure starts (hour, 7 to 22)",
            "El cierre empieza (hora, 7 a 22)",
            min=7,
            max=22,
        ),
        q(
            "end_hour",
            "integer",
            "Closure ends (hour, 8 to 23)",
            "El cierre termina (hora, 8 a 23)",
            min=8,
            max=23,
            after="start_hour",
        ),
        q("blocks", "integer", "How many blocks", "Cuántas cuadras", min=1, max=3),
        q("attendance", "integer", "People expected", "Personas esperadas", min=1, max=2000),
        q(
            "barricades",
            "yesno",
            "Do you need city barricades?",
            "¿Necesita barreras de la ciudad?",
        ),
    ],
    "fee_schedule": "street-closure",
    "fee_items": [{"code": "closure", "quantity_from": "blocks"}],
    "review_days": 10,
    "validity_days": 30,
}

CONSTRUCTION = {
    "code": "small-construction",
    "order": 30,
    "name_en": "Small construction job",
    "name_es": "Obra menor de construcción",
    "summary_en": "Additions, alterations, decks and garages up to $500,000. Building and zoning review, then inspections.",
    "summary_es": "Ampliaciones, reformas, terrazas y garajes de hasta $500,000. Revisión de construcción y zonificación, luego inspecciones.",
    "description_en": "The fee follows the building fee table on the valuation of the work. Building and zoning "
    "review at the same time; you book inspections online once the permit is issued.",
    "description_es": "La tarifa sigue la tabla de construcción según el valor de la obra. Construcción y "
    "zonificación revisan a la vez; reserva las inspecciones en línea cuando se emite el permiso.",
    "permit_class": "Residential",
    "blds_type": "Building",
    "work_class": "Addition",
    "applicant_roles": ["owner", "contractor"],
    "contractor": "optional",
    "questions": [
        q(
            "work_kind",
            "choice",
            "Kind of work",
            "Tipo de obra",
            choices=[
                choice("addition", "Addition", "Ampliación"),
                choice("alteration", "Alteration or remodel", "Reforma"),
                choice("deck", "Deck or patio cover", "Terraza o pérgola"),
                choice("garage", "Garage or shed", "Garaje o cobertizo"),
            ],
        ),
        q(
            "valuation",
            "money",
            "Valuation of the work (dollars)",
            "Valor de la obra (dólares)",
            help_en="What the work would cost at market rates: materials and labor.",
            help_es="Lo que costaría la obra a precios de mercado: materiales y mano de obra.",
            min=500,
            max=500000,
        ),
        q(
            "floor_area",
            "integer",
            "New or altered floor area (square feet)",
            "Superficie nueva o reformada (pies cuadrados)",
            min=0,
            max=5000,
        ),
        q("stories", "integer", "Stories", "Plantas", min=1, max=3),
    ],
    "fee_schedule": "building-permit",
    "fee_items": [{"code": "valuation", "value_from": "valuation"}, {"code": "plan-review"}],
    "review_days": 15,
    "validity_days": 365,
}

FOOD_TRUCK = {
    "code": "food-truck",
    "order": 40,
    "name_en": "Food truck licence",
    "name_es": "Licencia de camión de comida",
    "summary_en": "Sell food from a truck or cart in the city. Renew every year online.",
    "summary_es": "Venda comida desde un camión o carrito en la ciudad. Renuévela cada año en línea.",
    "description_en": "You need the county health permit for the vehicle first. Health and then fire prevention review; "
    "a yearly fire safety inspection of the vehicle.",
    "description_es": "Primero necesita el permiso sanitario del condado para el vehículo. Revisa Salud y luego "
    "Prevención de Incendios; una inspección anual de seguridad contra incendios del vehículo.",
    "permit_class": "Commercial",
    "blds_type": "Business License",
    "work_class": "Mobile Food Vending",
    "applicant_roles": ["business"],
    "address_label_en": "Business address in the city",
    "address_label_es": "Dirección del negocio en la ciudad",
    "contractor": "none",
    "questions": [
        q("business_name", "text", "Business name", "Nombre del negocio"),
        q("plate", "text", "Vehicle licence plate", "Matrícula del vehículo"),
        q(
            "health_permit",
            "text",
            "County health permit number",
            "Número del permiso sanitario del condado",
        ),
        q("propane", "yesno", "Do you cook with propane?", "¿Cocina con propano?"),
    ],
    "fee_schedule": "food-truck",
    "fee_items": [{"code": "licence"}],
    "renewal_fee_items": [{"code": "renewal"}],
    "review_days": 10,
    "validity_days": 365,
    "renewable": True,
    "renewal_window_days": 60,
    "reminder_days": 30,
}
