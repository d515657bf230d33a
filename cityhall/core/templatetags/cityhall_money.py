from django import template

from cityhall.core.money import format_cents

register = template.Library()


@register.filter
def cents(value):
    """12995 → $129.95"""
    try:
        return format_cents(int(value))
    except (TypeError, ValueError):
        return ""
