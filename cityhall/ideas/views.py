"""Pages for every member of staff: propose (with the estimate and similar ideas
before submitting), the list, an idea with its supports, comments and timeline,
the wins board and the digest preference. Thin: forms, one service, render."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cityhall.core.guards import staff_required

from . import selectors, services
from .errors import IdeaError
from .estimates import estimate
from .forms import BuildForm, CommentForm, FilterForm, IdeaForm, LinkForm, MergeForm, StateForm
from .models import LINKABLE_STATES, TRANSITIONS, DigestOptOut, Idea
from .services import is_digital_team


@require_GET
@staff_required
def idea_list(request):
    form = FilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    ideas = selectors.idea_list(
        state=filters.get("state", ""),
        department=filters.get("department", ""),
        q=filters.get("q", ""),
        mine_of=request.user if filters.get("mine") else None,
    )
    return render(
        request,
        "ideas/list.html",
        {"form": form, "ideas": ideas[:200], "departments": selectors.departments()},
    )


def _estimate_of(form) -> object | None:
    data = getattr(form, "cleaned_data", {})
    needed = ("times_per_year", "minutes_each", "minutes_after", "role")
    if not all(data.get(k) is not None and data.get(k) != "" for k in needed):
        return None
    return estimate(**{k: data[k] for k in needed})


@require_http_methods(["GET", "POST"])
@staff_required
def propose(request):
    """Step 1 fills the form; "See the estimate" shows the saving and similar ideas
    (server-side, so it works without JavaScript); "Propose" saves. When similar open
    ideas exist the person confirms theirs is new (or supports one of them instead)."""
    if request.method == "GET":
        return render(request, "ideas/propose.html", {"form": IdeaForm()})
    form = IdeaForm(request.POST)
    valid = form.is_valid()
    similar = selectors.similar_ideas(request.POST.get("title", ""))
    context = {"form": form, "similar": similar, "estimate": _estimate_of(form)}
    if not valid or request.POST.get("step") == "preview":
        context["previewed"] = valid
        return render(request, "ideas/propose.html", context, status=200 if valid else 400)
    if similar and not form.cleaned_data["not_a_duplicate"]:
        form.add_error(
            "not_a_duplicate",
            _("Similar ideas exist: support one of them, or confirm that yours is new."),
        )
        return render(request, "ideas/propose.html", context, status=400)
    data = {k: v for k, v in form.cleaned_data.items() if k != "not_a_duplicate"}
    try:
        idea = services.propose_idea(author=request.user, **data)
    except IdeaError as error:
        form.add_error(error.field, error.message)
        return render(request, "ideas/propose.html", context, status=400)
    messages.success(
        request, _("Thank you: your idea is proposed. The digital team will answer it.")
    )
    return redirect("ideas:detail", idea_id=idea.pk)


@require_GET
@staff_required
def similar(request):
    """The similar-ideas fragment the propose page fetches while the title is typed."""
    ideas = selectors.similar_ideas(request.GET.get("title", "")[:200])
    return render(request, "ideas/includes/similar.html", {"similar": ideas, "live": True})


@require_GET
@staff_required
def estimate_fragment(request):
    form = IdeaForm(request.GET)
    form.is_valid()
    return render(request, "ideas/includes/estimate.html", {"estimate": _estimate_of(form)})


def render_idea(request, idea_id: int, *, status: int = 200, **forms):
    context = selectors.idea_page(idea_id, request.user)
    if context is None:
        raise Http404
    idea = context["idea"]
    team = is_digital_team(request.user)
    context.update(
        {
            "team": team,
            "comment_form": forms.get("comment_form") or CommentForm(),
            "is_author": idea.author_id == request.user.pk,
            "estimate": estimate(
                times_per_year=idea.times_per_year,
                minutes_each=idea.minutes_each,
                minutes_after=idea.minutes_after,
                role=idea.role,
            ),
        }
    )
    if team:
        pilots = []
        code = idea.service_code
        if code:
            from cityhall.insights import selectors as insights

            pilots = [
                (p.pk, f"{p.starts_on:%Y-%m-%d} – {p.ends_on:%Y-%m-%d}")
                for p in insights.pilots_of(code)
            ]
        context.update(
            {
                "state_form": forms.get("state_form")
                or StateForm(allowed=TRANSITIONS.get(idea.state, ())),
                "build_form": forms.get("build_form")
                or BuildForm(
                    initial={
                        "cost": (idea.build_cost_cents or 0) / 100 if idea.build_cost_cents else "",
                        "effort_days": idea.build_effort_days,
                    }
                ),
                "link_form": forms.get("link_form")
                or LinkForm(
                    services=selectors.service_choices(),
                    pilots=pilots,
                    initial={"service_code": code, "pilot": idea.pilot_id},
                ),
                "merge_form": forms.get("merge_form") or MergeForm(),
                "linkable": idea.state in LINKABLE_STATES,
                "similar": selectors.similar_ideas(idea.title, exclude=idea.pk)
                if idea.is_open
                else [],
            }
        )
    return render(request, "ideas/idea.html", context, status=status)


@require_GET
@staff_required
def detail(request, idea_id):
    return render_idea(request, idea_id)


def _idea(idea_id) -> Idea:
    idea = Idea.objects.filter(pk=idea_id).first()
    if idea is None:
        raise Http404
    return idea


@require_POST
@staff_required
def support(request, idea_id):
    idea = _idea(idea_id)
    try:
        if request.POST.get("withdraw"):
            services.withdraw_support(idea=idea, user=request.user)
            messages.success(request, _("Your support is withdrawn."))
        else:
            services.support_idea(idea=idea, user=request.user)
            messages.success(request, _("You support this idea."))
    except IdeaError as error:
        messages.error(request, error.message)
    return redirect("ideas:detail", idea_id=idea.pk)


@require_POST
@staff_required
def comment(request, idea_id):
    idea = _idea(idea_id)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.comment(idea=idea, author=request.user, body=form.cleaned_data["body"])
        except IdeaError as error:
            form.add_error("body", error.message)
    if form.errors:
        return render_idea(request, idea.pk, status=400, comment_form=form)
    messages.success(request, _("Your comment is posted."))
    return redirect("ideas:detail", idea_id=idea.pk)


@require_POST
@staff_required
def name_consent(request, idea_id):
    idea = _idea(idea_id)
    try:
        services.set_name_consent(
            idea=idea, consent=request.POST.get("consent") == "yes", actor=request.user
        )
        messages.success(request, _("Your choice is saved."))
    except IdeaError as error:
        messages.error(request, error.message)
    return redirect("ideas:detail", idea_id=idea.pk)


@require_GET
@staff_required
def wins(request):
    return render(request, "ideas/wins.html", {"wins": selectors.wins()})


@require_http_methods(["GET", "POST"])
@staff_required
def digest_preference(request):
    if request.method == "POST":
        if request.POST.get("digest") == "off":
            DigestOptOut.objects.get_or_create(user=request.user)
            messages.success(request, _("You will no longer receive the weekly ideas digest."))
        else:
            DigestOptOut.objects.filter(user=request.user).delete()
            messages.success(request, _("You will receive the weekly ideas digest."))
        return redirect("ideas:digest")
    opted_out = DigestOptOut.objects.filter(user=request.user).exists()
    return render(request, "ideas/digest.html", {"opted_out": opted_out})


# Re-exported for views_team: the team's forms post back to the idea page.
__all__ = ["BuildForm", "LinkForm", "MergeForm", "StateForm", "render_idea"]
