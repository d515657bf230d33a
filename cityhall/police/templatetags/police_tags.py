from django import template
from django.conf import settings
from django.utils.html import format_html

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


@register.simple_tag
def police_phone():
    """The non-emergency number as a link phones can dial."""
    number = settings.CITYHALL_POLICE_PHONE
    digits = "".join(ch for ch in number if ch.isdigit() or ch == "+")
    return format_html('<a class="usa-link text-no-wrap" href="tel:{}">{}</a>', digits, number)


@register.simple_tag
def info_days():
    return settings.CITYHALL_POLICE_INFO_DAYS
