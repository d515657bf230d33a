"""Times as residents read them, in the city's zone and the page's language."""

from django import template

from cityhall.reservations import timeutil

register = template.Library()


@register.filter
def iso(value):
    return timeutil.iso(value) if value else ""


@register.filter
def clock(value):
    """6:30 p.m."""
    return timeutil.fmt_time(value) if value else ""


@register.filter
def day(value):
    """Tuesday, Dec. 1, 2026"""
    return timeutil.fmt_date(value) if value else ""


@register.filter
def moment(value):
    return timeutil.fmt_moment(value) if value else ""


@register.simple_tag
def when(start, end):
    """Tuesday, Dec. 1, 2026, 6 p.m. - 8 p.m."""
    return timeutil.fmt_range(start, end)


@register.filter
def duration(value):
    return timeutil.fmt_duration(value) if value is not None else ""


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None
