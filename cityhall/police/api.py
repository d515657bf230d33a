"""/api/v1/police/: residents' systems file reports; officers' tools review them.

Filing is public and rate-limited per address, with Idempotency-Key support.
Everything else needs a staff token with a police role: 403 without the role
(whatever the record), 404 for a reference that does not exist.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Query, Router

from cityhall.api import ApiDomainError, idempotent, token_auth, with_errors
from cityhall.cases.errors import CaseError, IllegalTransition
from cityhall.core.ratelimit import allow, client_address

from . import decisions, selectors, services
from .models import PoliceReport, RejectionReason
from .nibrs import PROPERTY_DESCRIPTIONS
from .schemas import (
    ApproveOut,
    PropertyMatchOut,
    RejectIn,
    ReportIn,
    ReportOut,
    ReportSummaryOut,
    RequestInfoIn,
    StatusOut,
    SubmittedOut,
)
from .workflow import REVIEWERS

router = Router(tags=["police"])


def _officer(request: HttpRequest):
    user = request.auth
    if not (user.role_codes & REVIEWERS):
        raise ApiDomainError(403, "forbidden", "This token's user has no police role.")
    return user


def _report(reference: str) -> PoliceReport:
    report = (
        PoliceReport.objects.select_related("case", "case__decided_by", "case__assigned_to")
        .filter(case__reference=reference.strip().upper())
        .first()
    )
    if report is None:
        raise ApiDomainError(404, "not_found", "Not found.")
    return report


def _domain_error(error: Exception) -> ApiDomainError:
    if isinstance(error, ValidationError):
        fields = getattr(error, "message_dict", None) or {"__all__": error.messages}
        return ApiDomainError(
            422, "validation_error", "Some fields are missing or invalid.", fields
        )
    if isinstance(error, IllegalTransition):
        return ApiDomainError(409, "conflict", error.api_message)
    field = getattr(error, "field", None)
    return ApiDomainError(422, "invalid", str(error), {field: [str(error)]} if field else {})


@router.post(
    "/reports",
    response=with_errors({201: SubmittedOut, 200: SubmittedOut}),
    summary="File a lost or stolen property report",
)
def create_report(request, payload: ReportIn):
    """Public. Send `Idempotency-Key: <uuid>` to make retries safe: the same key and
    body return the same report (200 on a replay), never a second one."""
    limit, window = (int(part) for part in settings.CITYHALL_PUBLIC_SUBMIT_RATE.split("/"))
    if not allow(f"police-api:{client_address(request)}", limit=limit, window_seconds=window):
        raise ApiDomainError(
            429, "rate_limited", "Too many reports from this address. Try again later."
        )

    _prevalidate(payload)

    def write() -> tuple[int, dict]:
        try:
            report = services.file_report(
                reporter=services.Reporter(**payload.reporter.dict()),
                incident=services.Incident(
                    kind=payload.incident.kind,
                    occurred_from=payload.incident.occurred_from,
                    occurred_to=payload.incident.occurred_to,
                    location=payload.incident.address,
                    narrative=payload.incident.narrative,
                    latitude=payload.incident.latitude,
                    longitude=payload.incident.longitude,
                ),
                items=[services.ItemInput(**item.dict()) for item in payload.items],
                declaration_accepted=payload.declaration_accepted,
            )
        except (CaseError, ValidationError) as error:
            raise _domain_error(error) from error
        case = report.case
        return 201, {
            "reference": case.reference,
            "status": case.status,
            "expected_decision_at": case.expected_decision_at.isoformat()
            if case.expected_decision_at
            else None,
        }

    return idempotent(request, "police.report", write)


def _prevalidate(payload: ReportIn) -> None:
    """Rules that pydantic cannot know (phone numbering plans, 'not in the future'),
    reported per field with the API's own field paths."""
    from . import validation

    fields: dict[str, list[str]] = {}
    try:
        validation.clean_phone(payload.reporter.phone)
    except ValidationError as error:
        fields["reporter.phone"] = error.messages
    try:
        validation.clean_period(payload.incident.occurred_from, payload.incident.occurred_to)
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            fields[f"incident.{name}"] = messages
    if fields:
        raise ApiDomainError(422, "validation_error", "Some fields are missing or invalid.", fields)


def _summary(report: PoliceReport) -> dict:
    case = report.case
    return {
        "reference": case.reference,
        "report_number": report.report_number,
        "status": case.status,
        "kind": report.kind,
        "submitted_at": case.submitted_at,
        "total_value_cents": report.total_value_cents,
    }


def _detail(report: PoliceReport) -> dict:
    case = report.case
    return {
        **_summary(report),
        "channel": case.channel,
        "decided_at": case.decided_at,
        "expected_decision_at": case.expected_decision_at,
        "reporter": {
            "first_name": report.first_name,
            "last_name": report.last_name,
            "email": report.email,
            "phone": report.phone,
            "address": report.address,
            "language": case.language,
        },
        "incident": {
            "occurred_from": report.occurred_from,
            "occurred_to": report.occurred_to,
            "address": report.location,
            "narrative": report.narrative,
        },
        "items": [
            {
                "category": i.category,
                "category_name": PROPERTY_DESCRIPTIONS.get(i.category, ""),
                "loss_type": i.loss_type,
                "description": i.description,
                "brand": i.brand,
                "model": i.model,
                "serial_number": i.serial_number,
                "quantity": i.quantity,
                "value_cents": i.value_cents,
            }
            for i in report.items.all()
        ],
    }


@router.get(
    "/reports",
    response=with_errors(list[ReportSummaryOut]),
    auth=token_auth,
    summary="List reports (staff)",
)
def list_reports(
    request,
    status: str = Query("submitted", description="A workflow state, e.g. submitted"),
    limit: int = Query(100, ge=1, le=500),
):
    _officer(request)
    reports = (
        PoliceReport.objects.filter(case__status=status)
        .select_related("case")
        .order_by("case__submitted_at")
    )
    return [_summary(r) for r in reports[:limit]]


@router.get(
    "/reports/{reference}",
    response=with_errors(ReportOut),
    auth=token_auth,
    summary="One report (staff)",
)
def get_report(request, reference: str):
    officer = _officer(request)
    report = _report(reference)
    from cityhall.cases.services import record_personal_data_view

    record_personal_data_view(case=report.case, viewer=officer, what="police report (API)")
    return _detail(report)


@router.post(
    "/reports/{reference}/approve",
    response=with_errors(ApproveOut),
    auth=token_auth,
    summary="Approve (staff)",
)
def approve(request, reference: str):
    officer = _officer(request)
    report = _report(reference)
    try:
        number = decisions.approve_report(report=report, officer=officer)
    except (CaseError, ValidationError) as error:
        raise _domain_error(error) from error
    return {
        "reference": report.case.reference,
        "report_number": number,
        "status": report.case.status,
    }


@router.post(
    "/reports/{reference}/reject",
    response=with_errors(StatusOut),
    auth=token_auth,
    summary="Reject (staff)",
)
def reject(request, reference: str, payload: RejectIn):
    officer = _officer(request)
    report = _report(reference)
    reason = RejectionReason.objects.filter(code=payload.reason, active=True).first()
    if reason is None:
        codes = list(RejectionReason.objects.filter(active=True).values_list("code", flat=True))
        raise ApiDomainError(
            422,
            "validation_error",
            "Unknown rejection reason.",
            {"reason": [f"one of: {', '.join(codes)}"]},
        )
    try:
        decisions.reject_report(report=report, officer=officer, reason=reason, note=payload.note)
    except (CaseError, ValidationError) as error:
        raise _domain_error(error) from error
    return {"reference": report.case.reference, "status": report.case.status}


@router.post(
    "/reports/{reference}/request-info",
    response=with_errors(StatusOut),
    auth=token_auth,
    summary="Ask the resident for more information (staff)",
)
def request_info(request, reference: str, payload: RequestInfoIn):
    officer = _officer(request)
    report = _report(reference)
    try:
        decisions.request_information(report=report, officer=officer, message=payload.message)
    except (CaseError, ValidationError) as error:
        raise _domain_error(error) from error
    return {"reference": report.case.reference, "status": report.case.status}


@router.get(
    "/property",
    response=with_errors(list[PropertyMatchOut]),
    auth=token_auth,
    summary="Serial number search (staff)",
)
def property_search(request, serial: str = Query(..., min_length=1, max_length=100)):
    _officer(request)
    return [
        {
            "reference": item.report.case.reference,
            "report_number": item.report.report_number,
            "status": item.report.case.status,
            "kind": item.report.kind,
            "description": item.description,
            "brand": item.brand,
            "model": item.model,
            "serial_number": item.serial_number,
            "submitted_at": item.report.case.submitted_at,
        }
        for item in selectors.search_serial(serial)[:200]
    ]
