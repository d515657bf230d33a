"""The resident's pages for a published service: start, one page at a time with
routing, contact details, check your answers, pay, sent. Thin: services decide."""

from __future__ import annotations

from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods, require_POST

from cityhall.cases.selectors import tracking_token
from cityhall.core.money import format_cents
from cityhall.payments.errors import FeeError

from . import services
from .forms import ContactForm, page_form, typed_values
from .models import Submission
from .routing import END, first_page, next_page, previous_page
from .selectors import answer_rows, definition_of_version, published_service
from .workflow import DRAFT, PAYMENT_DUE

SESSION_KEY = "formbuilder_submissions"


def _language() -> str:
    return (get_language() or "en")[:2]


def _submission(request, code: str, public_id) -> Submission:
    """Only a submission started in this browser (or by this account)."""
    submission = (
        Submission.objects.select_related("case", "version__service", "invoice")
        .filter(case__public_id=public_id, version__service__code=code)
        .first()
    )
    mine = str(public_id) in request.session.get(SESSION_KEY, []) or (
        submission is not None
        and request.user.is_authenticated
        and submission.case.applicant_id == request.user.pk
    )
    if submission is None or not mine:
        raise Http404
    return submission


def shown_values(page, answers: dict) -> dict:
    values = {}
    for question in page.questions:
        value = answers.get(question.key)
        if question.type == "money" and value is not None:
            value = format_cents(int(value)).lstrip("$")
        elif question.type == "declaration":
            value = value == "yes"
        values[question.key] = value
    return values


def _url(name: str, submission: Submission, *extra) -> str:
    return reverse(
        f"formbuilder:{name}",
        args=[submission.version.service.code, submission.case.public_id, *extra],
    )


@require_http_methods(["GET", "POST"])
def start(request, code):
    found = published_service(code)
    if found is None:
        raise Http404
    service, definition = found
    if request.method == "POST":
        submission = services.start_submission(
            version=service.current_version,
            language=_language(),
            applicant=request.user if request.user.is_authenticated else None,
        )
        request.session[SESSION_KEY] = [
            *request.session.get(SESSION_KEY, []),
            str(submission.case.public_id),
        ][-20:]
        return redirect(_url("page", submission, first_page(definition, {})))
    return render(request, "formbuilder/resident/start.html", {"definition": definition})


@require_http_methods(["GET", "POST"])
def page(request, code, public_id, page_key):
    submission = _submission(request, code, public_id)
    if submission.case.status != DRAFT:
        return redirect(_url("check", submission))
    definition = definition_of_version(submission.version)
    current = definition.page(page_key)
    if current is None:
        raise Http404
    errors, values = {}, shown_values(current, submission.answers)
    if request.method == "POST":
        values = typed_values(current, request.POST)
        errors = services.save_page(
            submission=submission, page_key=page_key, data=values, files=request.FILES
        )
        if not errors:
            if request.POST.get("save_for_later"):
                return render(
                    request,
                    "formbuilder/resident/saved.html",
                    {
                        "definition": definition,
                        "submission": submission,
                        "resume_url": _url("page", submission, page_key),
                    },
                )
            target = next_page(definition, page_key, submission.answers)
            return redirect(
                _url("contact", submission) if target == END else _url("page", submission, target)
            )
    back = previous_page(definition, page_key, submission.answers)
    return render(
        request,
        "formbuilder/resident/page.html",
        {
            "definition": definition,
            "page": current,
            "form": page_form(current, language=_language(), values=values, errors=errors),
            "back_url": _url("page", submission, back) if back else None,
        },
    )


@require_http_methods(["GET", "POST"])
def contact(request, code, public_id):
    submission = _submission(request, code, public_id)
    if submission.case.status != DRAFT:  # sent already (back button, second click)
        return redirect(_url("check", submission))
    case = submission.case
    form = ContactForm(
        request.POST or None, initial={"name": case.contact_name, "email": case.contact_email}
    )
    if request.method == "POST" and form.is_valid():
        services.save_contact(
            submission=submission, name=form.cleaned_data["name"], email=form.cleaned_data["email"]
        )
        return redirect(_url("check", submission))
    definition = definition_of_version(submission.version)
    return render(
        request, "formbuilder/resident/contact.html", {"definition": definition, "form": form}
    )


@require_http_methods(["GET", "POST"])
def check(request, code, public_id):
    submission = _submission(request, code, public_id)
    definition = definition_of_version(submission.version)
    error = ""
    if request.method == "POST" and submission.case.status == DRAFT:
        try:
            submission = services.submit(submission=submission)
        except services.FormError as problem:
            error = str(problem)
        else:
            return redirect(_url("sent", submission))
    missing = services.missing_answers(definition, submission.answers)
    fee = fee_error = None
    try:
        fee = services.estimate(definition, submission.answers)
    except FeeError as problem:
        fee_error = services.fee_problem(problem)
    return render(
        request,
        "formbuilder/resident/check.html",
        {
            "definition": definition,
            "submission": submission,
            "rows": answer_rows(definition, submission.answers, _language()),
            "missing": missing,
            "fee": fee,
            "fee_error": fee_error,
            "error": error,
            "draft": submission.case.status == DRAFT,
            "page_url": lambda key: _url("page", submission, key),
        },
    )


def sent(request, code, public_id):
    submission = _submission(request, code, public_id)
    return render(
        request,
        "formbuilder/resident/sent.html",
        {
            "definition": definition_of_version(submission.version),
            "submission": submission,
            "payment_due": submission.case.status == PAYMENT_DUE,
            "fee_cents": submission.fee_cents,
            "status_url": reverse("cases:track-status", args=[tracking_token(submission.case)]),
        },
    )


@require_POST
def pay(request, code, public_id):
    submission = _submission(request, code, public_id)
    try:
        payment = services.start_payment(submission=submission, language=_language())
    except services.FormError:
        return redirect(_url("sent", submission))
    return HttpResponseRedirect(payment.checkout_url)
