"""The resident's journey: start, eligibility (one question a page), the report
in short steps with save-and-come-back-later, check your answers, send.

The draft lives in the database from the first step that has an email address
(so a link can bring the resident back); the session only remembers which
draft is theirs. Nothing is recorded for someone who turns out not to be
eligible.
"""

from __future__ import annotations

from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cityhall.cases.models import Channel
from cityhall.cases.selectors import tracking_token
from cityhall.core.ratelimit import allow, client_address

from . import services
from .eligibility import INELIGIBLE, QUESTION_ORDER, QUESTIONS, next_question, questions_for
from .forms import (
    YES_NO,
    AboutYouForm,
    DeclarationForm,
    IncidentForm,
    NarrativeForm,
    QuestionForm,
)
from .journey import (
    COUNTER_KEY,
    DRAFT_KEY,
    DRAFTS_PER_HOUR,
    ELIGIBILITY_KEY,
    RESUME_MAX_AGE,
    RESUME_SALT,
    draft_of,
    guard,
    maybe_save_for_later,
    next_step,
    step_context,
)
from .models import PoliceReport, PoliceSettings
from .services import Reporter, ReportError
from .workflow import DRAFT, INFO_REQUESTED


def start(request):
    return render(
        request,
        "police/report/start.html",
        {"limit": PoliceSettings.current().online_value_limit_cents},
    )


@require_POST
def begin(request):
    request.session[ELIGIBILITY_KEY] = {}
    request.session.pop(DRAFT_KEY, None)
    request.session.pop(COUNTER_KEY, None)
    return redirect("police:question", code=QUESTION_ORDER[0])


@require_http_methods(["GET", "POST"])
def question(request, code):
    if code not in QUESTIONS:
        raise Http404
    answers = request.session.get(ELIGIBILITY_KEY)
    if answers is None:
        return redirect("police:start")
    expected = next_question(answers)
    order = questions_for(answers)
    if code not in order or (code not in answers and code != expected):
        return (
            redirect("police:question", code=expected) if expected else redirect("police:about-you")
        )
    text, hint, choices, stop = QUESTIONS[code]
    form = QuestionForm(
        request.POST if request.method == "POST" else None,
        question=text,
        hint=hint,
        choices=choices or YES_NO,
        initial={"answer": answers.get(code)},
    )
    if request.method == "POST" and form.is_valid():
        answer = form.cleaned_data["answer"]
        if answer in stop:
            # Nothing is recorded: the answers are forgotten with the explanation.
            request.session.pop(ELIGIBILITY_KEY, None)
            return redirect("police:ineligible", reason=stop[answer])
        # Answers after a changed one may no longer apply.
        kept = {q: answers[q] for q in order[: order.index(code)] if q in answers}
        kept[code] = answer
        request.session[ELIGIBILITY_KEY] = kept
        following = next_question(kept)
        return (
            redirect("police:question", code=following)
            if following
            else redirect("police:about-you")
        )
    position = order.index(code)
    back = (
        reverse("police:question", args=[order[position - 1]])
        if position
        else reverse("police:start")
    )
    return render(request, "police/report/question.html", {"form": form, "back": back})


def ineligible(request, reason):
    if reason not in INELIGIBLE:
        raise Http404
    return render(request, "police/report/ineligible.html", {"reason": reason})


@require_http_methods(["GET", "POST"])
def about_you(request):
    report, stop = guard(request, need_draft=False)
    if stop:
        return stop
    initial = {"language": get_language()}
    if report:
        initial.update(
            first_name=report.first_name,
            last_name=report.last_name,
            email=report.email,
            phone=report.phone,
            address=report.address,
            language=report.case.language,
        )
    elif request.user.is_authenticated and not request.session.get(COUNTER_KEY):
        parts = (request.user.full_name or "").split(" ", 1)
        initial.update(
            first_name=parts[0],
            last_name=parts[1] if len(parts) > 1 else "",
            email=request.user.email,
        )
    form = AboutYouForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        email_required=not request.session.get(COUNTER_KEY)
        and not (report and report.case.channel != "online"),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        reporter = Reporter(
            first_name=data["first_name"],
            last_name=data["last_name"],
            email=data["email"],
            phone=data["phone"],
            address=data["address"],
            language=data["language"],
        )
        if (
            report is None
            and not request.session.get(COUNTER_KEY)
            and not allow(
                f"police-draft:{client_address(request)}",
                limit=DRAFTS_PER_HOUR,
                window_seconds=3600,
            )
        ):
            form.add_error(
                None, _("Too many reports were started from your connection. Try again in an hour.")
            )
            return render(
                request,
                "police/report/about_you.html",
                {"form": form, "report": None, **step_context("about-you")},
            )
        if report is None:
            counter = request.session.get(COUNTER_KEY)
            report = services.start_report(
                reporter=reporter,
                eligibility=request.session.get(ELIGIBILITY_KEY) or {},
                channel=counter or Channel.ONLINE,
                applicant=request.user if request.user.is_authenticated and not counter else None,
                recorded_by=request.user if counter else None,
            )
            request.session[DRAFT_KEY] = report.pk
        else:
            services.update_reporter(report=report, reporter=reporter)
        return maybe_save_for_later(request, report) or next_step(report, "about-you")
    return render(
        request,
        "police/report/about_you.html",
        {"form": form, "report": report, **step_context("about-you")},
    )


@require_http_methods(["GET", "POST"])
def incident(request):
    report, stop = guard(request)
    if stop:
        return stop
    initial = {
        "kind": report.kind
        or (request.session.get(ELIGIBILITY_KEY) or {}).get("kind")
        or report.eligibility.get("kind"),
        "location": report.location,
        "latitude": report.latitude,
        "longitude": report.longitude,
    }
    if report.occurred_from:
        from django.utils import timezone

        start = timezone.localtime(report.occurred_from)
        initial["from_date"] = start.date()
        end = timezone.localtime(report.occurred_to) if report.occurred_to else None
        whole_day = (
            end
            and end.date() == start.date()
            and start.hour == start.minute == 0
            and (end.hour, end.minute) in {(23, 59)}
        )
        if not whole_day:
            initial["from_time"] = start.strftime("%H:%M")
            if end:
                initial["to_date"], initial["to_time"] = end.date(), end.strftime("%H:%M")
    form = IncidentForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_incident(
                report=report,
                kind=data["kind"],
                occurred_from=data["occurred_from"],
                occurred_to=data["occurred_to"],
                location=data["location"],
                latitude=data.get("latitude"),
                longitude=data.get("longitude"),
            )
        except ReportError as error:
            form.add_error(error.field, str(error))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return maybe_save_for_later(request, report) or next_step(report, "incident")
    return render(
        request,
        "police/report/incident.html",
        {"form": form, "report": report, **step_context("incident")},
    )


@require_http_methods(["GET", "POST"])
def narrative(request):
    report, stop = guard(request)
    if stop:
        return stop
    form = NarrativeForm(
        request.POST if request.method == "POST" else None, initial={"narrative": report.narrative}
    )
    if request.method == "POST" and form.is_valid():
        services.update_narrative(report=report, narrative=form.cleaned_data["narrative"])
        return maybe_save_for_later(request, report) or next_step(report, "narrative")
    return render(
        request,
        "police/report/narrative.html",
        {"form": form, "report": report, **step_context("narrative")},
    )


@require_http_methods(["GET", "POST"])
def check(request):
    report, stop = guard(request)
    if stop:
        return stop
    form = DeclarationForm(request.POST if request.method == "POST" else None)
    missing = services.missing_for_submission(report)
    if request.method == "POST" and form.is_valid():
        try:
            services.submit_report(report=report, declaration_accepted=True, actor=request.user)
        except ReportError as error:
            form.add_error(None, str(error))
        else:
            return redirect("police:sent")
    info_request = None
    if report.case.status == INFO_REQUESTED:
        info_request = (
            report.case.events.filter(to_status=INFO_REQUESTED).order_by("-created_at").first()
        )
    return render(
        request,
        "police/report/check.html",
        {
            "form": form,
            "report": report,
            "items": list(report.items.all()),
            "missing": missing,
            "info_request": info_request,
            **step_context("check"),
        },
    )


def sent(request):
    report = draft_of(request)
    if report is None or report.case.status in {DRAFT}:
        return redirect("police:start")
    if report.case.status == INFO_REQUESTED:
        return redirect("police:check")
    return render(
        request,
        "police/report/sent.html",
        {"report": report, "case": report.case, "token": tracking_token(report.case)},
    )


def resume(request, token):
    """The link in the 'save and come back later' email."""
    try:
        public_id = signing.loads(token, salt=RESUME_SALT, max_age=RESUME_MAX_AGE)
    except signing.SignatureExpired:
        return render(request, "police/report/link_expired.html", status=410)
    except signing.BadSignature as error:
        raise Http404 from error
    report = PoliceReport.objects.select_related("case").filter(case__public_id=public_id).first()
    if report is None:
        raise Http404
    request.session[DRAFT_KEY] = report.pk
    request.session[ELIGIBILITY_KEY] = report.eligibility
    if report.case.status != DRAFT:
        return redirect("police:sent")
    missing = services.missing_for_submission(report)
    return redirect(f"police:{missing[0][0]}" if missing else "police:check")


def amend(request, token):
    """From the status page or the 'we need more information' email."""
    from cityhall.cases.selectors import read_tracking_token

    case, expired = read_tracking_token(token)
    if expired:  # the status page explains and offers the look-up
        return redirect("cases:track-status", token=token)
    if case is None or not hasattr(case, "police_report"):
        raise Http404
    if case.status != INFO_REQUESTED:
        return redirect("cases:track-status", token=token)
    request.session[DRAFT_KEY] = case.police_report.pk
    request.session[ELIGIBILITY_KEY] = case.police_report.eligibility
    return redirect("police:check")
