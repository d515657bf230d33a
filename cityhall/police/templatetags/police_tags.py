from django import template

from cityhall.police.nibrs import PROPERTY_DESCRIPTIONS, plain_label
from cityhall.police.validation import display_phone

register = template.Library()


@register.filter
def plain_category(code):
    return plain_label(code)


@register.filter
def nibrs(code):
    return f"{code} {PROPERTY_DESCRIPTIONS.get(code, '')}".strip()


@register.filter
def phone(e164):
    try:
        return display_phone(e164)
    except Exception:  # a number stored before validation tightened: show it as it is
        return e164
