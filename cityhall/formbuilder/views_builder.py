"""The builder for the digital team: list, create, settings, pages, preview,
publish/unpublish, export/import and the advanced JSON editor. Server-rendered
forms only (no JavaScript); every write goes through services_builder."""

from __future__ import annotations

import copy
import json

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cityhall.core.guards import role_required

from . import services_builder as builder
from .builder_forms import (
    CreateForm,
    ImportForm,
    JsonForm,
    PageForm,
    QuestionForm,
    QuestionFormSet,
    RouteFormSet,
    SettingsForm,
)
from .definition import DefinitionError
from .models import FormService
from .roles import BUILDERS

builders_only = role_required(*BUILDERS)


def _service(code: str) -> FormService:
    return get_object_or_404(FormService, code=code)


def _save(request, service: FormService, draft: dict, form) -> bool:
    """Saves the draft; a clash of code or prefix goes to the form's errors."""
    try:
        builder.save_draft(service=service, raw=draft, actor=request.user)
    except DefinitionError as error:
        for problem in error.problems:
            form.add_error(None, problem)
        return False
    return True


def _page_problems(problems: list[str], n: int, key: str) -> list[str]:
    where = _("Page %(n)d") % {"n": n}
    return [
        p
        for p in problems
        if p.startswith((where + " ", where + ",", where + ":")) or f" {key} " in p
    ]


@builders_only
@require_GET
def index(request):
    return render(
        request,
        "formbuilder/builder/index.html",
        {"services": FormService.objects.select_related("current_version")},
    )


@builders_only
@require_http_methods(["GET", "POST"])
def create(request):
    form = CreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        raw = builder.blank_definition(**form.cleaned_data)
        try:
            service = builder.create_service(raw=raw, actor=request.user)
        except DefinitionError as error:
            for problem in error.problems:
                form.add_error(None, problem)
        else:
            messages.success(request, _("Service created. Now add its pages."))
            return redirect("formbuilder:builder-service", service.code)
    return render(request, "formbuilder/builder/create.html", {"form": form})


@builders_only
@require_http_methods(["GET", "POST"])
def service(request, code):
    found = _service(code)
    initial = {
        **SettingsForm.initial_from(found.draft),
        "publish_open_data": found.publish_open_data,
    }
    form = SettingsForm(request.POST or None, initial=initial)
    valid = request.method == "POST" and form.is_valid()
    if valid and _save(request, found, form.apply(found.draft), form):
        builder.set_open_data(
            service=found, publish=form.cleaned_data["publish_open_data"], actor=request.user
        )
        messages.success(request, _("Saved."))
        return redirect("formbuilder:builder-service", form.cleaned_data["code"])
    return render(
        request,
        "formbuilder/builder/service.html",
        {
            "service": found,
            "form": form,
            "pages": [p for p in found.draft.get("pages") or [] if isinstance(p, dict)],
            "problems": builder.check_draft(found),
        },
    )


def _page_context(found, n, page_form_, questions, routes):
    problems = _page_problems(builder.check_draft(found), n, page_form_.initial.get("key", ""))
    return {
        "service": found,
        "n": n,
        "form": page_form_,
        "questions": questions,
        "routes": routes,
        "problems": problems,
        "new": n > len(found.draft.get("pages") or []),
    }


@builders_only
@require_http_methods(["GET", "POST"])
def page(request, code, n):
    """Page n (1-based) with its questions and routes; n = count + 1 adds a page."""
    found = _service(code)
    pages = list(found.draft.get("pages") or [])
    if not 1 <= n <= len(pages) + 1:
        raise Http404
    old = pages[n - 1] if n <= len(pages) else {"key": f"page{n}", "questions": []}
    data = request.POST or None
    form = PageForm(data, initial=PageForm.initial_from(old))
    questions = QuestionFormSet(
        data, prefix="q", initial=[QuestionForm.initial_from(q) for q in old.get("questions", [])]
    )
    routes = RouteFormSet(data, prefix="r", initial=old.get("routes") or [])
    if request.method == "POST" and all(f.is_valid() for f in (form, questions, routes)):
        old_questions = old.get("questions") or []
        new = form.apply(old)
        new["questions"] = [
            f.as_question(old_questions[i] if i < len(old_questions) else None)
            for i, f in enumerate(questions.forms)
            if f.has_changed() or i < len(old_questions)
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        new["routes"] = [
            {k: f.cleaned_data[k] for k in ("question", "equals", "goto")}
            for f in routes.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        draft = copy.deepcopy(found.draft)
        draft["pages"] = [*pages[: n - 1], new, *pages[n:]]
        if _save(request, found, draft, form):
            messages.success(request, _("Page saved."))
            return redirect("formbuilder:builder-page", found.code, n)
    return render(
        request, "formbuilder/builder/page.html", _page_context(found, n, form, questions, routes)
    )


@builders_only
@require_POST
def page_action(request, code, n):
    """Remove page n, or move it up or down."""
    found = _service(code)
    pages = list(found.draft.get("pages") or [])
    if not 1 <= n <= len(pages):
        raise Http404
    action = request.POST.get("action")
    moved = pages.pop(n - 1)
    if action == "up" and n > 1:
        pages.insert(n - 2, moved)
    elif action == "down":
        pages.insert(n, moved)
    elif action != "remove":
        pages.insert(n - 1, moved)
    builder.save_draft(service=found, raw={**found.draft, "pages": pages}, actor=request.user)
    messages.success(request, _("Pages saved."))
    return redirect("formbuilder:builder-service", found.code)


@builders_only
@require_POST
def publish(request, code):
    found = _service(code)
    try:
        version = builder.publish(service=found, actor=request.user)
    except DefinitionError as error:
        for problem in error.problems:
            messages.error(request, problem)
    else:
        messages.success(
            request,
            _("Published as version %(n)d: residents can use it now.") % {"n": version.number},
        )
    return redirect("formbuilder:builder-service", found.code)


@builders_only
@require_POST
def unpublish(request, code):
    found = _service(code)
    try:
        builder.unpublish(service=found, actor=request.user)
    except DefinitionError as error:
        messages.error(request, error.problems[0])
    else:
        messages.success(request, _("Taken off the catalogue. Its cases are still worked."))
    return redirect("formbuilder:builder-service", found.code)


@builders_only
@require_GET
def export(request, code):
    found = _service(code)
    body = json.dumps(builder.export_definition(found), ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{found.code}.json"'
    return response


@builders_only
@require_http_methods(["GET", "POST"])
def import_(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        try:
            found = builder.import_definition(raw=form.cleaned_data["file"], actor=request.user)
        except DefinitionError as error:
            problems = error.problems
        else:
            messages.success(request, _("Imported as a draft: check it, then publish it."))
            return redirect("formbuilder:builder-service", found.code)
    return render(request, "formbuilder/builder/import.html", {"form": form, "problems": problems})


@builders_only
@require_http_methods(["GET", "POST"])
def edit_json(request, code):
    found = _service(code)
    text = json.dumps(found.draft, ensure_ascii=False, indent=2)
    form = JsonForm(request.POST or None, initial={"definition": text})
    if request.method == "POST" and form.is_valid():
        raw = form.cleaned_data["definition"]
        if not isinstance(raw, dict):
            form.add_error("definition", _("A service definition must be a JSON object."))
        elif _save(request, found, raw, form):
            messages.success(request, _("Saved."))
            return redirect(reverse("formbuilder:builder-service", args=[raw.get("code", code)]))
    return render(
        request,
        "formbuilder/builder/json.html",
        {"service": found, "form": form, "problems": builder.check_draft(found)},
    )
