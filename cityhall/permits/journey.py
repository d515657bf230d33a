"""The applicant's pages in order, and the checks every page of a draft makes:
signed in, the application is theirs, it can still be changed."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import selectors
from .workflow import is_editable

STEPS = [
    ("details", gettext_lazy("The work")),
    ("address", gettext_lazy("Address")),
    ("contacts", gettext_lazy("Who")),
    ("documents", gettext_lazy("Documents")),
    ("check", gettext_lazy("Check and pay")),
]


def steps_for(application) -> list[tuple[str, object]]:
    if application.permit_type.needs_address:
        return STEPS
    return [s for s in STEPS if s[0] != "address"]


def step_context(application, step: str) -> dict:
    steps = steps_for(application)
    codes = [code for code, _label in steps]
    index = codes.index(step)
    return {
        "application": application,
        "case": application.case,
        "permit_type": application.permit_type,
        "steps": steps,
        "step": step,
        "step_index": index,
        "step_number": index + 1,
        "step_label": steps[index][1],
        "back": reverse(f"permits:{codes[index - 1]}", args=[application.case.reference])
        if index
        else reverse("permits:application", args=[application.case.reference]),
    }


def next_step(request, application, step: str):
    """'Save and come back later' goes to the application page; otherwise the next page."""
    reference = application.case.reference
    if request.POST.get("later"):
        messages.success(
            request,
            _("Saved. Come back any time from “My permit applications” to finish it."),
        )
        return redirect("permits:application", reference=reference)
    codes = [code for code, _label in steps_for(application)]
    return redirect(f"permits:{codes[codes.index(step) + 1]}", reference=reference)


def sign_in_first(request):
    return redirect(reverse("permits:sign-in") + "?next=" + quote(request.get_full_path()))


def own_application(request, reference: str):
    """(application, None) or (None, the response that stops the request)."""
    if not request.user.is_authenticated:
        return None, sign_in_first(request)
    application = selectors.application_for(reference, user=request.user)
    if application is None:
        raise Http404
    return application, None


def own_draft(request, reference: str):
    application, stop = own_application(request, reference)
    if stop:
        return None, stop
    if not is_editable(application.case.status):
        messages.info(
            request,
            _(
                "This application was already sent. Changes are made only when the city asks for corrections."
            ),
        )
        return None, redirect("permits:application", reference=reference)
    return application, None


def document_forms(request, rows, store):
    """One upload form per document row. A POST with `upload=<code>` stores the
    file through `store(code, file)`; returns (forms, the redirect after a
    successful upload or None). A refused file gets its message next to the field."""
    from django.shortcuts import redirect as go

    from cityhall.cases.errors import CaseError

    from .forms import DocumentForm

    requirements = {row["requirement"].code: row["requirement"] for row in rows}
    forms = {code: DocumentForm(requirement=r, prefix=code) for code, r in requirements.items()}
    code = request.POST.get("upload") if request.method == "POST" else None
    if code not in forms:
        return forms, None
    form = forms[code] = DocumentForm(
        request.POST, request.FILES, requirement=requirements[code], prefix=code
    )
    if form.is_valid():
        try:
            store(code, form.cleaned_data["file"])
        except CaseError as error:
            form.add_error("file", str(error))
        else:
            messages.success(request, _("%(name)s uploaded.") % {"name": requirements[code].name()})
            return forms, go(request.path)
    return forms, None


def act(request, reference: str, action, success: str):
    """Runs one service call for the applicant, says how it went, and goes
    back to the application page."""
    from cityhall.cases.errors import CaseError

    try:
        action()
    except CaseError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, success)
    return redirect("permits:application", reference=reference)
