from django import template
from django.utils.translation import gettext_lazy as _

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


OUTCOMES = {
    "queued": _("queued"),
    "delivered": _("delivered"),
    "permanent_failure": _("refused: the address does not accept email"),
    "technical_failure": _("could not be sent"),
    "sent": _("sent"),
    "retrying": _("failed, will retry"),
    "failed": _("failed: waiting for a supervisor"),
    "retry requested": _("sent again by a supervisor"),
    "issued": _("issued"),
    "paid": _("paid"),
    "unapplied": _("not applied: refunded in full"),
    "declined": _("declined"),
    "refunded": _("refunded"),
    "waived": _("waived"),
    "cancelled": _("cancelled"),
    "nothing taken": _("completed without taking any money"),
    "no email address": _("not sent: no email address"),
}


@register.filter
def outcome(value):
    """A timeline outcome code in words ('permanent_failure' → 'refused: …')."""
    text = str(value or "")
    if text.startswith("skipped"):
        return _("skipped: no records system is configured")
    return OUTCOMES.get(text, text)


@register.inclusion_tag("cases/attachment_link.html")
def attachment_link(case, attachment, label="", hidden=""):
    """A staff link to a case's file, or why it cannot be opened yet (held for the virus
    scan) or ever (removed: a virus was found)."""
    return {"case": case, "attachment": attachment, "label": label, "hidden": hidden}
