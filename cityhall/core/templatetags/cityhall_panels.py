"""`{% case_panels case %}`: the sections other apps registered for a case's
status page (core.registry.add_case_panel), so the cases app shows invoices or
documents without importing the apps that own them."""

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from cityhall.core.registry import registry

register = template.Library()


@register.simple_tag(takes_context=True)
def case_panels(context, case):
    request = context.get("request")
    parts = []
    for panel in registry.panels_for_case():
        extra = panel.context(case)
        if extra:
            parts.append(render_to_string(panel.template, {**extra, "case": case}, request=request))
    return mark_safe("".join(parts))  # noqa: S308  (each part is an autoescaped template)
