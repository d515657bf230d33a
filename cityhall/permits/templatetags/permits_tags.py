from django import template

from cityhall.permits.questions import display_answer

register = template.Library()


@register.filter
def answer(value, question):
    """A stored answer as people read it ($25,000.00, Yes, Wood)."""
    return display_answer(question, value)
