"""Applying: the permit types, each type's start page, then one thing a page
(the work, the address, who, the documents), the pre-submission check with
the fee line by line, and paying. An account is needed (applicants come
back for corrections, the permit and inspections); the draft is saved on
every page and resumed from "My permit applications"."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cityhall.cases.errors import CaseError
from cityhall.core.places import city_short_name

from . import check as checks
from . import services
from .errors import HasProblems, TooManyDrafts
from .forms import AddressForm, ContactsForm, DeclarationForm, DetailsForm
from .journey import document_forms, next_step, own_application, own_draft, step_context
from .models import ApplicantRole, ContactRole, PermitType
from .selectors import documents_by_requirement
from .validation import show_phone


def start(request):
    types = PermitType.objects.filter(active=True)
    return render(request, "permits/start.html", {"types": types})


def type_page(request, code):
    permit_type = get_object_or_404(PermitType.objects.filter(active=True), code=code)
    steps = list(permit_type.review_steps.select_related("department"))
    stages = sorted({s.stage for s in steps})
    reviewers = _(", then ").join(
        _(" and ").join(s.department.name() for s in steps if s.stage == stage) for stage in stages
    )
    return render(
        request,
        "permits/type.html",
        {
            "permit_type": permit_type,
            "roles": [ApplicantRole(role).label for role in permit_type.applicant_roles],
            "reviewers": reviewers,
            "questions": permit_type.question_list(),
            "documents": permit_type.document_requirements.all(),
            "inspections": permit_type.inspection_types.all(),
        },
    )


@require_POST
def begin(request, code):
    permit_type = get_object_or_404(PermitType.objects.filter(active=True), code=code)
    if not request.user.is_authenticated:
        return redirect(
            reverse("permits:sign-in") + "?next=" + reverse("permits:type", args=[code])
        )
    try:
        application = services.start_application(
            user=request.user, permit_type=permit_type, language=get_language() or "en"
        )
    except TooManyDrafts as error:
        messages.error(request, str(error))
        return redirect("permits:mine")
    return redirect("permits:details", reference=application.case.reference)


def sign_in(request):
    target = request.GET.get("next") or ""
    if not target.startswith("/") or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("permits:start")
    if request.user.is_authenticated:
        return redirect(target)
    return render(request, "permits/sign_in.html", {"next": target})


@require_http_methods(["GET", "POST"])
def details(request, reference):
    application, stop = own_draft(request, reference)
    if stop:
        return stop
    language = get_language() or "en"
    questions = application.permit_type.question_list()
    initial = {"description": application.description}
    for question in questions:
        value = application.answers.get(question.key)
        if question.type == "money" and value is not None:
            value = f"{value / 100:.2f}"
        initial[question.key] = value
    form = DetailsForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        questions=questions,
        language=language,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.save_details(
                application=application,
                description=data["description"],
                answers={q.key: data.get(q.key) for q in questions},
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            return next_step(request, application, "details")
    return render(
        request,
        "permits/apply/details.html",
        {"form": form, **step_context(application, "details")},
    )


@require_http_methods(["GET", "POST"])
def address(request, reference):
    application, stop = own_draft(request, reference)
    if stop:
        return stop
    form = AddressForm(
        request.POST if request.method == "POST" else None,
        initial={
            "street": application.street,
            "unit": application.unit,
            "zip_code": application.zip_code,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.save_address(application=application, **form.cleaned_data)
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            return next_step(request, application, "address")
    return render(
        request,
        "permits/apply/address.html",
        {
            "form": form,
            "city": city_short_name(),
            "state": settings.CITYHALL_CITY_STATE,
            **step_context(application, "address"),
        },
    )


def _contact_initial(application) -> dict:
    initial = {"applicant_role": application.applicant_role}
    for contact in application.contacts.all():
        prefix = "owner" if contact.role == ContactRole.OWNER else "contractor"
        initial.update(
            {
                f"{prefix}_name": contact.name,
                f"{prefix}_company": contact.company,
                f"{prefix}_email": contact.email,
                f"{prefix}_phone": show_phone(contact.phone),
                f"{prefix}_licence_number": contact.licence_number,
            }
        )
    if not application.contacts.exists():
        initial["owner_name"] = application.case.contact_name
    return initial


def _contact(data: dict, prefix: str) -> services.ContactInput:
    return services.ContactInput(
        name=data.get(f"{prefix}_name", ""),
        email=data.get(f"{prefix}_email", ""),
        phone=data.get(f"{prefix}_phone", ""),
        company=data.get(f"{prefix}_company", ""),
        licence_number=data.get(f"{prefix}_licence_number", ""),
    )


@require_http_methods(["GET", "POST"])
def contacts(request, reference):
    application, stop = own_draft(request, reference)
    if stop:
        return stop
    form = ContactsForm(
        request.POST if request.method == "POST" else None,
        initial=_contact_initial(application),
        permit_type=application.permit_type,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.save_contacts(
                application=application,
                applicant_role=data["applicant_role"],
                owner=_contact(data, "owner") if form.has_owner() else None,
                contractor=_contact(data, "contractor") if form.has_contractor() else None,
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            return next_step(request, application, "contacts")
    return render(
        request,
        "permits/apply/contacts.html",
        {"form": form, **step_context(application, "contacts")},
    )


@require_http_methods(["GET", "POST"])
def documents(request, reference):
    application, stop = own_draft(request, reference)
    if stop:
        return stop
    rows = documents_by_requirement(application)

    def store(code, upload):
        services.upload_document(
            application=application, requirement_code=code, upload=upload, actor=request.user
        )

    forms, done = document_forms(request, rows, store)
    if done:
        return done
    if request.method == "POST" and "upload" not in request.POST:
        return next_step(request, application, "documents")
    for row in rows:
        row["form"] = forms[row["requirement"].code]
    failed = next((f for f in forms.values() if f.errors), None)
    return render(
        request,
        "permits/apply/documents.html",
        {"rows": rows, "form": failed, **step_context(application, "documents")},
    )


@require_http_methods(["GET", "POST"])
def check_page(request, reference):
    """Everything missing or inconsistent, then the fee line by line; submitting
    (and so paying) is offered only when nothing is wrong."""
    application, stop = own_draft(request, reference)
    if stop:
        return stop
    form = DeclarationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.submit_application(application=application, actor=request.user)
        except HasProblems as error:
            messages.error(request, str(error))
        except CaseError as error:
            messages.error(request, str(error))
            return redirect("permits:application", reference=reference)
        else:
            return redirect("permits:application", reference=reference)
    result = checks.check_application(application, language=get_language())
    return render(
        request,
        "permits/apply/check.html",
        {
            "form": form,
            "result": result,
            "problems": result.problems,
            "fee_lines": result.fee.lines if result.fee else [],
            "answers": [
                (q, application.answers.get(q.key)) for q in application.permit_type.question_list()
            ],
            "documents": documents_by_requirement(application),
            "contacts": list(application.contacts.all()),
            **step_context(application, "check"),
        },
    )


@require_POST
def pay(request, reference):
    application, stop = own_application(request, reference)
    if stop:
        return stop
    try:
        payment = services.start_payment(application=application, language=get_language() or "en")
    except HasProblems as error:
        messages.error(request, str(error))
        return redirect("permits:application", reference=reference)
    except CaseError as error:
        messages.error(request, str(error))
        return redirect("permits:application", reference=reference)
    return HttpResponseRedirect(payment.checkout_url)


@require_POST
def reopen(request, reference):
    application, stop = own_application(request, reference)
    if stop:
        return stop
    try:
        services.reopen_application(application=application, actor=request.user)
    except CaseError as error:
        messages.error(request, str(error))
        return redirect("permits:application", reference=reference)
    messages.info(request, _("Your application is a draft again: change it, then check it again."))
    return redirect("permits:check", reference=reference)
