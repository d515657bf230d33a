"""The builder's preview: the draft run as residents will run it — the same
pages, the same checks, the same conditional routing — with the answers kept
in the builder's session only (nothing is saved, no case is opened)."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from .definition import DefinitionError, parse
from .forms import page_form, typed_values
from .routing import END, first_page, next_page, previous_page
from .services import check_page
from .views_builder import _service, builders_only
from .views_resident import _language, shown_values


def _answers_key(code: str) -> str:
    return f"formbuilder-preview:{code}"


def _page_url(code: str, key: str) -> str:
    return reverse("formbuilder:builder-preview-page", args=[code, key])


def _preview_file(question, upload) -> dict:
    # Only its name: a preview keeps no file.
    return {"name": upload.name[:200], "preview": True}


@builders_only
@require_http_methods(["GET", "POST"])
def preview(request, code, key=None):
    found = _service(code)
    try:
        definition = parse(found.draft)
    except DefinitionError as error:
        return render(
            request,
            "formbuilder/builder/preview_problems.html",
            {"service": found, "problems": error.problems},
        )
    context = {"definition": definition, "preview": True, "preview_pages": definition.pages}
    if key is None:
        if request.method == "POST":  # "Start now": a fresh run through the draft
            request.session[_answers_key(code)] = {}
            return redirect(_page_url(code, first_page(definition, {})))
        return render(request, "formbuilder/resident/start.html", context)
    current = definition.page(key)
    if current is None:
        raise Http404
    answers = dict(request.session.get(_answers_key(code)) or {})
    errors, values = {}, shown_values(current, answers)
    if request.method == "POST":
        values = typed_values(current, request.POST)
        answers, errors = check_page(
            current, values, answers, keep_file=_preview_file, files=request.FILES
        )
        request.session[_answers_key(code)] = answers
        if not errors:
            target = next_page(definition, key, answers)
            if target == END:
                return render(request, "formbuilder/builder/preview_end.html", context)
            return redirect(_page_url(code, target))
    back = previous_page(definition, key, answers)
    return render(
        request,
        "formbuilder/resident/page.html",
        {
            **context,
            "page": current,
            "form": page_form(current, language=_language(), values=values, errors=errors),
            "back_url": _page_url(code, back) if back else None,
            "service": found,
        },
    )
