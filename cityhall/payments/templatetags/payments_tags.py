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
