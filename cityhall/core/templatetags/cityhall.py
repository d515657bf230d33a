from django import forms, template

register = template.Library()

_CLASSES = {
    forms.Select: "usa-select",
    forms.SelectMultiple: "usa-select",
    forms.Textarea: "usa-textarea",
    forms.CheckboxInput: "usa-checkbox__input",
    # Not "usa-file-input": its script replaces the label with English-only text.
    forms.FileInput: "cityhall-file-input",
}


@register.filter
def uswds_widget(bound_field):
    """The field's widget with USWDS classes and its hint and error wired to
    aria-describedby, so screen readers read both with the input."""
    widget = bound_field.field.widget
    css = next((c for kind, c in _CLASSES.items() if isinstance(widget, kind)), "usa-input")
    if bound_field.errors and css == "usa-input":
        css += " usa-input--error"
    extra = widget.attrs.get("class", "")
    attrs = {"class": f"{css} {extra}".strip()}
    described = []
    if bound_field.help_text:
        described.append(f"{bound_field.auto_id}_helptext")
    if bound_field.errors:
        described.append(f"{bound_field.auto_id}_error")
    if described:
        attrs["aria-describedby"] = " ".join(described)
    return bound_field.as_widget(attrs=attrs)


@register.filter
def is_choice_list(bound_field):
    return isinstance(bound_field.field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple)


@register.filter
def is_checkbox(bound_field):
    return isinstance(bound_field.field.widget, forms.CheckboxInput)
