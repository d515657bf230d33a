from django import template

from cityhall.cases import registry

register = template.Library()


@register.filter
def status_label(event):
    """'Submitted', 'Approved'… in the viewer's language, from the service's workflow."""
    try:
        state = registry.get(event.case.service).workflow.state(event.to_status)
    except (LookupError, KeyError):
        return event.to_status
    return state.resident_label


@register.filter
def staff_status_label(event):
    """The staff name of the state the event moved to ('Draft', 'Waiting for review')."""
    try:
        return registry.get(event.case.service).workflow.state(event.to_status).label
    except (LookupError, KeyError):
        return event.to_status
