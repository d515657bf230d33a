from django import template

from cityhall.payments.ledger import format_money

register = template.Library()


@register.filter
def money(cents, currency="USD"):
    """12995|money:"USD" → $129.95"""
    try:
        return format_money(int(cents), currency or "USD")
    except (TypeError, ValueError):
        return ""


@register.filter
def service_name(code):
    """'sample' → 'Sample permit' (the registered service's name, in the active language)."""
    from cityhall.payments.selectors import service_name as name

    return name(code)
