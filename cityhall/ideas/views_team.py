"""The digital team's pages (analysts and city administrators): the queue of ideas to
answer with their due dates, the ranked backlog, and the answers, estimates, links,
merges and publishing on an idea's page."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cityhall.core.guards import role_required

from . import selectors, services
from .errors import IdeaError
from .forms import BuildForm, LinkForm, MergeForm, StateForm
from .models import TRANSITIONS, Idea
from .services import TRIAGERS
from .views import _idea, render_idea

team_only = role_required(*TRIAGERS)


@require_GET
@team_only
def queue(request):
    rows = selectors.unanswered()
    return render(
        request,
        "ideas/queue.html",
        {
            "rows": rows,
            "overdue": sum(1 for r in rows if r.overdue),
            "reviewing": selectors.under_review(),
            "days": selectors.answer_target().days,
        },
    )


@require_GET
@team_only
def backlog(request):
    return render(request, "ideas/backlog.html", {"rows": selectors.backlog()})


def _done(request, idea, message):
    messages.success(request, message)
    return redirect("ideas:detail", idea_id=idea.pk)


def _failed(request, idea, form, error: IdeaError, name):
    form.add_error(error.field if error.field in form.fields else None, error.message)
    return render_idea(request, idea.pk, status=400, **{name: form})


@require_POST
@team_only
def change_state(request, idea_id):
    idea = _idea(idea_id)
    form = StateForm(request.POST, allowed=TRANSITIONS.get(idea.state, ()))
    if not form.is_valid():
        return render_idea(request, idea.pk, status=400, state_form=form)
    try:
        services.change_state(idea=idea, actor=request.user, **form.cleaned_data)
    except IdeaError as error:
        return _failed(request, idea, form, error, "state_form")
    return _done(request, idea, _("The answer is recorded and shown on the idea."))


@require_POST
@team_only
def build_estimate(request, idea_id):
    idea = _idea(idea_id)
    form = BuildForm(request.POST)
    if not form.is_valid():
        return render_idea(request, idea.pk, status=400, build_form=form)
    try:
        services.record_build_estimate(
            idea=idea,
            cost_cents=form.cleaned_data["cost"],
            effort_days=form.cleaned_data["effort_days"],
            actor=request.user,
        )
    except IdeaError as error:
        return _failed(request, idea, form, error, "build_form")
    return _done(request, idea, _("The build estimate is saved."))


@require_POST
@team_only
def link(request, idea_id):
    from cityhall.insights import selectors as insights

    idea = _idea(idea_id)
    code = request.POST.get("service_code", "")
    pilots = [(p.pk, str(p.pk)) for p in insights.pilots_of(code)] if code else []
    form = LinkForm(request.POST, services=selectors.service_choices(), pilots=pilots)
    if not form.is_valid():
        return render_idea(request, idea.pk, status=400, link_form=form)
    try:
        services.link_service(
            idea=idea,
            service_code=form.cleaned_data["service_code"],
            pilot_id=form.cleaned_data["pilot"],
            actor=request.user,
        )
    except IdeaError as error:
        return _failed(request, idea, form, error, "link_form")
    return _done(request, idea, _("The idea is linked to its service."))


@require_POST
@team_only
def merge(request, idea_id):
    idea = _idea(idea_id)
    form = MergeForm(request.POST)
    if not form.is_valid():
        return render_idea(request, idea.pk, status=400, merge_form=form)
    kept = Idea.objects.filter(pk=form.cleaned_data["kept"]).first()
    if kept is None:
        form.add_error("kept", _("No idea has this number."))
        return render_idea(request, idea.pk, status=400, merge_form=form)
    try:
        services.merge_ideas(
            duplicate=idea, kept=kept, actor=request.user, note=form.cleaned_data["note"]
        )
    except IdeaError as error:
        return _failed(request, idea, form, error, "merge_form")
    messages.success(request, _("The ideas are merged; supporters were carried over."))
    return redirect("ideas:detail", idea_id=kept.pk)


@require_POST
@team_only
def publish(request, idea_id):
    idea = _idea(idea_id)
    services.set_publishing(
        idea=idea, publish=request.POST.get("publish") == "yes", actor=request.user
    )
    return _done(request, idea, _("Publishing choice saved."))
