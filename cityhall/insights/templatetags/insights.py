"""Figures as people read them on the dashboards (charts.show)."""

from functools import partial

from django import template

from cityhall.insights.charts import show
from cityhall.insights.figures import cents

register = template.Library()

for _name in ("pct", "hours", "score", "count"):
    register.filter(_name, partial(show, unit=_name))


@register.filter
def money(value):
    """Decimal or integer cents as dollars: $1,234.56."""
    return show(cents(value), "money")
