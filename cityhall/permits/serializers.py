"""Rows for the API's responses (schemas.py gives their shapes)."""

from __future__ import annotations

from django.conf import settings

from .check import CheckResult
from .models import PermitApplication, PermitType


def permit_type_out(permit_type: PermitType) -> dict:
    return {
        "code": permit_type.code,
        "name_en": permit_type.name_en,
        "name_es": permit_type.name_es,
        "summary_en": permit_type.summary_en,
        "summary_es": permit_type.summary_es,
        "who_may_apply": list(permit_type.applicant_roles),
        "needs_address": permit_type.needs_address,
        "contractor": permit_type.contractor,
        "questions": [
            {
                "key": q.key,
                "type": q.type,
                "label_en": q.label_en,
                "label_es": q.label_es,
                "required": q.required,
                "min": q.min,
                "max": q.max,
                "choices": [value for value, _en, _es in q.choices],
            }
            for q in permit_type.question_list()
        ],
        "documents": [
            {
                "code": r.code,
                "name_en": r.name_en,
                "name_es": r.name_es,
                "required": r.required,
                "content_types": sorted(r.content_types),
                "max_megabytes": r.max_megabytes,
            }
            for r in permit_type.document_requirements.all()
        ],
        "fee_schedule": permit_type.fee_schedule,
        "instant_issue": permit_type.instant_issue,
        "review": [
            {"department": s.department.code, "stage": s.stage}
            for s in permit_type.review_steps.all()
        ],
        "inspections": [
            {
                "code": i.code,
                "name_en": i.name_en,
                "name_es": i.name_es,
                "final": i.final,
                "checklist": [item["code"] for item in i.checklist],
            }
            for i in permit_type.inspection_types.all()
        ],
        "validity_days": permit_type.validity_days,
        "renewable": permit_type.renewable,
    }


def check_out(application: PermitApplication, result: CheckResult) -> dict:
    lines = result.fee.lines if result.fee else ()
    return {
        "reference": application.case.reference,
        "ok": result.ok,
        "problems": [p.as_dict() for p in result.problems],
        "fee": {
            "total_cents": result.fee_cents,
            "currency": result.fee.currency if result.fee else settings.CITYHALL_CURRENCY,
            "lines": [
                {
                    "code": line.code,
                    "label": line.label("en"),
                    "detail": line.detail("en"),
                    "amount_cents": line.amount_cents,
                }
                for line in lines
            ],
        },
    }


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def application_out(application: PermitApplication) -> dict:
    from cityhall.payments.models import InvoiceStatus
    from cityhall.payments.selectors import pay_url

    case = application.case
    permit = getattr(application, "permit", None)
    invoice = application.invoice
    open_invoice = invoice is not None and invoice.status == InvoiceStatus.OPEN
    return {
        "reference": case.reference,
        "permit_type": application.permit_type.code,
        "status": case.status,
        "status_label": str(case.state.resident_label),
        "description": application.description,
        "answers": application.answers,
        "address": application.address_line(),
        "applicant_role": application.applicant_role,
        "documents": [
            {
                "code": d.requirement.code,
                "version": d.version,
                "name": d.attachment.original_name,
            }
            for d in application.documents.all()
        ],
        "fee_cents": application.fee_cents,
        "pay_url": pay_url(invoice, case.language) if open_invoice else None,
        "submitted_at": _iso(case.submitted_at),
        "expected_decision_at": _iso(case.expected_decision_at),
        "steps": [
            {"id": s.pk, "department": s.department.code, "stage": s.stage, "status": s.status}
            for s in application.review_steps.all()
        ],
        "conditions": [
            {
                "id": c.pk,
                "text": c.text,
                "before_issue": c.before_issue,
                "met": c.met_at is not None,
            }
            for c in application.conditions.all()
        ],
        "permit": {
            "number": permit.number,
            "status": permit.status,
            "valid_from": permit.valid_from.isoformat(),
            "valid_until": permit.valid_until.isoformat(),
        }
        if permit
        else None,
    }
