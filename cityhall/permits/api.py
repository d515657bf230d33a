"""/api/v1/permits/: the permit types, applying (a resident with a bearer token
or a signed-in session), the pre-submission check, submitting, the public
search; review actions for staff are in api_staff.py.

Errors: 422 `validation_error` or `has_problems` (with a message per field),
409 `conflict` when the application has moved on (submitted twice, edited
after submission), 404 for what does not exist or is not yours.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import override
from ninja import File, Router, Status, UploadedFile
from ninja.security import django_auth

from cityhall.api import ApiDomainError, idempotent, token_auth, with_errors
from cityhall.cases.errors import CaseError, IllegalTransition, NotAllowed

from . import check as checks
from . import public, selectors, services
from .drafts import DraftChanges, change_draft, start_draft
from .errors import HasProblems, NotEditable, NotYourDepartment, TooManyDrafts
from .models import PermitType
from .schemas import (
    ApplicationChangesIn,
    ApplicationIn,
    ApplicationOut,
    CheckOut,
    PermitTypeOut,
    PublicPermitOut,
)
from .serializers import application_out, check_out, permit_type_out
from .workflow import REVIEWERS

router = Router(tags=["permits"])
resident_auth = [token_auth, django_auth]


def domain_error(error: Exception) -> ApiDomainError:
    """One place that turns a domain error into the API's error shape."""
    if isinstance(error, HasProblems):
        fields: dict[str, list[str]] = {}
        for problem in error.problems:
            fields.setdefault(problem.field, []).append(problem.message)
        return ApiDomainError(422, "has_problems", str(error), fields)
    if isinstance(error, ValidationError):
        fields = getattr(error, "message_dict", None) or {"__all__": error.messages}
        return ApiDomainError(
            422, "validation_error", "Some fields are missing or invalid.", fields
        )
    if isinstance(error, TooManyDrafts):
        return ApiDomainError(429, "rate_limited", str(error))
    if isinstance(error, NotAllowed | NotYourDepartment):
        return ApiDomainError(403, "forbidden", str(error))
    if (
        isinstance(error, IllegalTransition | NotEditable)
        or getattr(error, "field", "") == "status"
    ):
        return ApiDomainError(409, "conflict", str(error))
    field = getattr(error, "field", None) or "__all__"
    return ApiDomainError(422, "invalid", str(error), {field: [str(error)]})


def own_application(request, reference: str, *, reviewers_may_read: bool = False):
    """The caller's application (or, to read it, any for a permit reviewer); 404 otherwise."""
    user = request.auth
    reviewer = reviewers_may_read and bool(user.role_codes & REVIEWERS)
    application = selectors.application_for(
        reference.strip().upper(), user=None if reviewer else user
    )
    if application is None:
        raise ApiDomainError(404, "not_found", "Not found.")
    return application


@router.get(
    "/types",
    response=with_errors(list[PermitTypeOut]),
    summary="The permit types open for applications",
)
def list_types(request):
    types = PermitType.objects.filter(active=True).prefetch_related(
        "document_requirements", "review_steps__department", "inspection_types"
    )
    return [permit_type_out(t) for t in types]


def _changes(payload: ApplicationChangesIn) -> DraftChanges:
    def contact(given):
        return services.ContactInput(**given.dict()) if given else None

    return DraftChanges(
        description=payload.description,
        answers=payload.answers,
        address=payload.address.dict() if payload.address is not None else None,
        applicant_role=payload.applicant_role,
        owner=contact(payload.owner),
        contractor=contact(payload.contractor),
    )


@router.post(
    "/applications",
    response=with_errors({201: ApplicationOut, 200: ApplicationOut}),
    auth=resident_auth,
    summary="Start a draft application",
)
def create_application(request, payload: ApplicationIn):
    """`{"permit_type": "<code>"}` starts a draft and answers with its `reference`.
    The other fields (as in PATCH) may fill it at once. `Idempotency-Key` makes
    retries safe: the same key and body give the same draft."""
    user = request.auth
    permit_type = PermitType.objects.filter(code=payload.permit_type, active=True).first()
    if permit_type is None:
        raise ApiDomainError(
            422,
            "validation_error",
            "Some fields are missing or invalid.",
            {"permit_type": ["No permit type with this code takes applications."]},
        )

    def write() -> tuple[int, dict]:
        with override("en"):
            try:
                application = start_draft(
                    user=user,
                    permit_type=permit_type,
                    language=user.preferred_language or "en",
                    changes=_changes(payload),
                )
            except (CaseError, ValidationError) as error:
                raise domain_error(error) from error
        return 201, application_out(selectors.application_for(application.case.reference))

    return idempotent(request, f"permits.application:{user.pk}", write)


@router.get(
    "/applications/{reference}",
    response=with_errors(ApplicationOut),
    auth=resident_auth,
    summary="One application",
)
def get_application(request, reference: str):
    return application_out(own_application(request, reference, reviewers_may_read=True))


@router.patch(
    "/applications/{reference}",
    response=with_errors(ApplicationOut),
    auth=resident_auth,
    summary="Change a draft",
)
def change_application(request, reference: str, payload: ApplicationChangesIn):
    application = own_application(request, reference)
    with override("en"):
        try:
            change_draft(application=application, changes=_changes(payload))
        except (CaseError, ValidationError) as error:
            raise domain_error(error) from error
    return application_out(selectors.application_for(application.case.reference))


@router.post(
    "/applications/{reference}/documents/{code}",
    response=with_errors({201: ApplicationOut}),
    auth=resident_auth,
    summary="Upload a document (multipart, field `file`)",
)
def upload_document(request, reference: str, code: str, file: File[UploadedFile]):
    application = own_application(request, reference)
    with override("en"):
        try:
            services.upload_document(
                application=application, requirement_code=code, upload=file, actor=request.auth
            )
        except CaseError as error:
            raise domain_error(error) from error
    return Status(201, application_out(selectors.application_for(application.case.reference)))


@router.post(
    "/applications/{reference}/check",
    response=with_errors(CheckOut),
    auth=resident_auth,
    summary="Dry run: every missing or inconsistent item, and the fee",
)
def check_application(request, reference: str):
    application = own_application(request, reference)
    return check_out(application, checks.check_application(application, language="en"))


@router.post(
    "/applications/{reference}/submit",
    response=with_errors(ApplicationOut),
    auth=resident_auth,
    summary="Submit: the check, then the invoice (pay at `pay_url`) or review",
)
def submit_application(request, reference: str):
    """422 `has_problems` (a message per field) when the check finds anything: nothing
    is submitted or charged. 409 when it was already submitted."""
    application = own_application(request, reference)
    with override("en"):
        try:
            services.submit_application(application=application, actor=request.auth)
        except (CaseError, ValidationError) as error:
            raise domain_error(error) from error
    return application_out(selectors.application_for(application.case.reference))


@router.get(
    "/search",
    response=with_errors(list[PublicPermitOut]),
    summary="Issued permits by address or number",
)
def search_permits(request, address: str = "", number: str = ""):
    """Public; no personal data. At most 50, newest first."""
    if len(address) > 200 or len(number) > 200:
        raise ApiDomainError(
            422,
            "validation_error",
            "Some fields are missing or invalid.",
            {"address": ["Too long."]},
        )
    return [
        {
            "permit_number": p.number,
            "permit_type": p.application.permit_type.name_en,
            "address": p.application.address_line(),
            "status": public.status_of(p)[0],
            "issued_date": timezone.localdate(p.issued_at).isoformat(),
            "valid_until": p.valid_until.isoformat(),
            "link": public.public_link(p),
        }
        for p in public.search(address=address, number=number)
    ]


from . import api_staff  # noqa: E402, F401  (adds the staff review actions to the router)
