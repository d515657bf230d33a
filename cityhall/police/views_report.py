"""The resident's journey: start, eligibility (one question a page), the report
in short steps with save-and-come-back-later, check your answers, send.

The draft lives in the database from the first step that has an email address
(so a link can bring the resident back); the session only remembers which
draft is theirs. Nothing is recorded for someone who turns out not to be
eligible.
"""

from __future__ import annotations

from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cityhall.cases.models import Channel
from cityhall.cases.selectors import tracking_token
from cityhall.notifications.services import notify

from . import services
from .forms import (
    AboutYouForm,
    DeclarationForm,
    IncidentForm,
    ItemForm,
    NarrativeForm,
    QuestionForm,
)
from .models import PoliceReport, PoliceSettings
from .services import ItemInput, Reporter, ReportError
from .workflow import DRAFT, INFO_REQUESTED

ELIGIBILITY_KEY = "police_eligibility"
DRAFT_KEY = "police_report"
COUNTER_KEY = "police_counter_channel"  # set when staff file for a resident
RESUME_SALT = "cityhall.police.resume"
RESUME_MAX_AGE = 60 * 60 * 24 * 30

STEPS = [
    ("about-you", gettext_lazy("About you")),
    ("incident", gettext_lazy("What happened")),
    ("narrative", gettext_lazy("Description")),
    ("items", gettext_lazy("Items")),
    ("check", gettext_lazy("Check and send")),
]

# question code -> (question, hint, choices, {answer: ineligible reason})
QUESTIONS = {
    "emergency": (
        gettext_lazy("Is this an emergency, or is anyone in danger right now?"),
        "",
        None,
        {"yes": "emergency"},
    ),
    "kind": (
        gettext_lazy("Was your property lost or stolen?"),
        gettext_lazy("Choose “stolen” if you believe someone took it."),
        [("lost", gettext_lazy("Lost")), ("stolen", gettext_lazy("Stolen"))],
        {},
    ),
    "suspect": (
        gettext_lazy("Do you know who took it, or could you describe or identify them?"),
        gettext_lazy(
            "For example, you saw them, know their name, or have a photo or video of them."
        ),
        None,
        {"yes": "suspect"},
    ),
    "injury": (
        gettext_lazy("Was anyone hurt, threatened or attacked?"),
        "",
        None,
        {"yes": "injury"},
    ),
    "location": (
        gettext_lazy("Did it happen inside the city?"),
        gettext_lazy("Within the city limits, not in a neighboring city or on a highway."),
        [
            ("yes", gettext_lazy("Yes")),
            ("no", gettext_lazy("No")),
            ("unsure", gettext_lazy("I am not sure")),
        ],
        {"no": "outside"},
    ),
}
QUESTION_ORDER = ["emergency", "kind", "suspect", "injury", "location"]


def _questions_for(answers: dict) -> list[str]:
    order = list(QUESTION_ORDER)
    if answers.get("kind") == "lost":
        order = [q for q in order if q not in {"suspect", "injury"}]
    return order


def _next_question(answers: dict) -> str | None:
    return next((q for q in _questions_for(answers) if q not in answers), None)


def _eligible(request) -> bool:
    answers = request.session.get(ELIGIBILITY_KEY) or {}
    return bool(answers) and _next_question(answers) is None


def _draft(request) -> PoliceReport | None:
    pk = request.session.get(DRAFT_KEY)
    if not pk:
        return None
    return PoliceReport.objects.select_related("case").filter(pk=pk).first()


def _step_context(step: str) -> dict:
    index = [code for code, _label in STEPS].index(step)
    return {
        "steps": STEPS,
        "step": step,
        "step_index": index,
        "step_number": index + 1,
        "step_label": STEPS[index][1],
    }


def _guard(request, *, need_draft=True):
    """(report, response): a response when the person must go elsewhere first."""
    report = _draft(request)
    if report is not None and report.case.status not in {DRAFT, INFO_REQUESTED}:
        return None, redirect("police:sent")  # already sent: back button, or a second tab
    if report is None and not _eligible(request):
        return None, redirect("police:start")
    if need_draft and report is None:
        return None, redirect("police:about-you")
    return report, None


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
    expected = _next_question(answers)
    order = _questions_for(answers)
    if code not in order or (code not in answers and code != expected):
        return (
            redirect("police:question", code=expected) if expected else redirect("police:about-you")
        )
    text, hint, choices, stop = QUESTIONS[code]
    form = QuestionForm(
        request.POST if request.method == "POST" else None,
        question=text,
        hint=hint,
        choices=choices or _yes_no(),
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
        following = _next_question(kept)
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


def _yes_no():
    from .forms import YES_NO

    return YES_NO


INELIGIBLE = {"emergency", "suspect", "injury", "outside"}


def ineligible(request, reason):
    if reason not in INELIGIBLE:
        raise Http404
    return render(request, "police/report/ineligible.html", {"reason": reason})


def _maybe_save_for_later(request, report) -> object | None:
    if "save_for_later" not in request.POST or report is None:
        return None
    token = signing.dumps(report.case.public_id.hex, salt=RESUME_SALT)
    from django.conf import settings

    link = settings.CITY_SITE_URL + reverse("police:resume", args=[token])
    notify(
        to=report.email,
        kind="police_resume",
        language=report.case.language,
        context={"resume_url": link, "reference": report.case.reference},
    )
    return render(request, "police/report/saved.html", {"report": report})


@require_http_methods(["GET", "POST"])
def about_you(request):
    report, stop = _guard(request, need_draft=False)
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
    form = AboutYouForm(request.POST if request.method == "POST" else None, initial=initial)
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
        return _maybe_save_for_later(request, report) or _next(report, "about-you")
    return render(
        request,
        "police/report/about_you.html",
        {"form": form, "report": report, **_step_context("about-you")},
    )


def _next(report, current: str):
    """After a step: back to 'check your answers' when amending, else the next step."""
    codes = [code for code, _label in STEPS]
    if report.declaration_accepted_at or report.case.status == INFO_REQUESTED:
        return redirect("police:check")
    return redirect(f"police:{codes[codes.index(current) + 1]}")


@require_http_methods(["GET", "POST"])
def incident(request):
    report, stop = _guard(request)
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
            return _maybe_save_for_later(request, report) or _next(report, "incident")
    return render(
        request,
        "police/report/incident.html",
        {"form": form, "report": report, **_step_context("incident")},
    )


@require_http_methods(["GET", "POST"])
def narrative(request):
    report, stop = _guard(request)
    if stop:
        return stop
    form = NarrativeForm(
        request.POST if request.method == "POST" else None, initial={"narrative": report.narrative}
    )
    if request.method == "POST" and form.is_valid():
        services.update_narrative(report=report, narrative=form.cleaned_data["narrative"])
        return _maybe_save_for_later(request, report) or _next(report, "narrative")
    return render(
        request,
        "police/report/narrative.html",
        {"form": form, "report": report, **_step_context("narrative")},
    )


@require_http_methods(["GET", "POST"])
def items(request):
    report, stop = _guard(request)
    if stop:
        return stop
    listed = list(report.items.select_related("photo"))
    if request.method == "POST":
        if "save_for_later" in request.POST:
            return _maybe_save_for_later(request, report)
        if not listed:
            messages.error(request, _("Add at least one item before you continue."))
        else:
            return _next(report, "items")
    return render(
        request,
        "police/report/items.html",
        {
            "report": report,
            "items": listed,
            "max_items": services.validation.MAX_ITEMS,
            **_step_context("items"),
        },
    )


def _item_input(data) -> ItemInput:
    return ItemInput(
        category=data["category"],
        description=data["description"],
        brand=data["brand"],
        model=data["model"],
        serial_number=data["serial_number"],
        quantity=data["quantity"],
        value_cents=data["value"],
    )


@require_http_methods(["GET", "POST"])
def item_form(request, item_id=None):
    report, stop = _guard(request)
    if stop:
        return stop
    existing = report.items.filter(pk=item_id).first() if item_id else None
    if item_id and existing is None:
        raise Http404
    if (
        existing is None
        and report.items.count() >= services.validation.MAX_ITEMS
        and request.method == "GET"
    ):
        messages.error(
            request,
            _("A report can list at most %(max)d items.") % {"max": services.validation.MAX_ITEMS},
        )
        return redirect("police:items")
    form = ItemForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        initial=ItemForm.initial_from(existing) if existing else None,
    )
    if request.method == "POST" and form.is_valid():
        uploaded_by = request.user if request.user.is_authenticated else None
        try:
            if existing:
                services.update_item(
                    report=report,
                    item_id=existing.pk,
                    item=_item_input(form.cleaned_data),
                    photo=form.cleaned_data["photo"],
                    uploaded_by=uploaded_by,
                )
            else:
                services.add_item(
                    report=report,
                    item=_item_input(form.cleaned_data),
                    photo=form.cleaned_data["photo"],
                    uploaded_by=uploaded_by,
                )
        except ReportError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("police:items")
    return render(
        request,
        "police/report/item_form.html",
        {"form": form, "report": report, "item": existing, **_step_context("items")},
    )


@require_http_methods(["GET", "POST"])
def item_remove(request, item_id):
    report, stop = _guard(request)
    if stop:
        return stop
    item = report.items.filter(pk=item_id).first()
    if item is None:
        return redirect("police:items")
    if request.method == "POST":
        services.remove_item(report=report, item_id=item.pk)
        messages.success(request, _("Removed “%(item)s”.") % {"item": item.description})
        return redirect("police:items")
    return render(
        request,
        "police/report/item_remove.html",
        {"item": item, "report": report, **_step_context("items")},
    )


@require_http_methods(["GET", "POST"])
def check(request):
    report, stop = _guard(request)
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
            **_step_context("check"),
        },
    )


def sent(request):
    report = _draft(request)
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
    from cityhall.cases.selectors import case_from_tracking_token

    case = case_from_tracking_token(token)
    if case is None or not hasattr(case, "police_report"):
        raise Http404
    if case.status != INFO_REQUESTED:
        return redirect("cases:track-status", token=token)
    request.session[DRAFT_KEY] = case.police_report.pk
    request.session[ELIGIBILITY_KEY] = case.police_report.eligibility
    return redirect("police:check")
