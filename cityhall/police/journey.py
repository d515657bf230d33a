"""The resident's journey state: which draft is theirs (the session only
remembers that; the draft itself is in the database so an emailed link can
bring them back), the steps, and the guard every step page runs first."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy

from .eligibility import next_question
from .models import PoliceReport
from .services import ReportError
from .services_resume import send_resume_link
from .workflow import DRAFT, INFO_REQUESTED

ELIGIBILITY_KEY = "police_eligibility"
DRAFT_KEY = "police_report"
COUNTER_KEY = "police_counter_channel"  # set when staff file for a resident
RESUME_SALT = "cityhall.police.resume"
RESUME_MAX_AGE = 60 * 60 * 24 * 30
DRAFTS_PER_HOUR = 20  # per address: a family or a library shares one; a script does not

STEPS = [
    ("about-you", gettext_lazy("About you")),
    ("incident", gettext_lazy("What happened")),
    ("narrative", gettext_lazy("Description")),
    ("items", gettext_lazy("Items")),
    ("check", gettext_lazy("Check and send")),
]


def is_eligible(request) -> bool:
    answers = request.session.get(ELIGIBILITY_KEY) or {}
    return bool(answers) and next_question(answers) is None


def draft_of(request) -> PoliceReport | None:
    pk = request.session.get(DRAFT_KEY)
    if not pk:
        return None
    return PoliceReport.objects.select_related("case").filter(pk=pk).first()


def step_context(step: str) -> dict:
    index = [code for code, _label in STEPS].index(step)
    return {
        "steps": STEPS,
        "step": step,
        "step_index": index,
        "step_number": index + 1,
        "step_label": STEPS[index][1],
    }


def guard(request, *, need_draft=True):
    """(report, response): a response when the person must go elsewhere first."""
    report = draft_of(request)
    if report is not None and report.case.status not in {DRAFT, INFO_REQUESTED}:
        return None, redirect("police:sent")  # already sent: back button, or a second tab
    if report is None and not is_eligible(request):
        return None, redirect("police:start")
    if need_draft and report is None:
        return None, redirect("police:about-you")
    return report, None


def maybe_save_for_later(request, report) -> object | None:
    if "save_for_later" not in request.POST or report is None:
        return None
    try:
        send_resume_link(report=report, salt=RESUME_SALT)
    except ReportError as error:
        messages.error(request, str(error))
    return render(request, "police/report/saved.html", {"report": report})


def next_step(report, current: str):
    """After a step: back to 'check your answers' when amending, else the next step."""
    codes = [code for code, _label in STEPS]
    if report.declaration_accepted_at or report.case.status == INFO_REQUESTED:
        return redirect("police:check")
    return redirect(f"police:{codes[codes.index(current) + 1]}")
