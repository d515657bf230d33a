"""API shapes for /api/v1/permits/ (pydantic, through django-ninja)."""

from __future__ import annotations

from typing import Any

from ninja import Field, Schema


class QuestionOut(Schema):
    key: str
    type: str
    label_en: str
    label_es: str
    required: bool
    min: float | None = None
    max: float | None = None
    choices: list[str] = []


class DocumentRequirementOut(Schema):
    code: str
    name_en: str
    name_es: str
    required: bool
    content_types: list[str]
    max_megabytes: int


class ReviewStepTypeOut(Schema):
    department: str
    stage: int


class InspectionTypeOut(Schema):
    code: str
    name_en: str
    name_es: str
    final: bool
    checklist: list[str]


class PermitTypeOut(Schema):
    code: str
    name_en: str
    name_es: str
    summary_en: str
    summary_es: str
    who_may_apply: list[str]
    needs_address: bool
    contractor: str
    questions: list[QuestionOut]
    documents: list[DocumentRequirementOut]
    fee_schedule: str
    instant_issue: bool
    review: list[ReviewStepTypeOut]
    inspections: list[InspectionTypeOut]
    validity_days: int
    renewable: bool


class AddressIn(Schema):
    street: str = Field(max_length=200)
    unit: str = Field(default="", max_length=40)
    zip_code: str = Field(max_length=10)
    city: str = Field(default="", max_length=80)


class ContactIn(Schema):
    name: str = Field(max_length=200)
    company: str = Field(default="", max_length=200)
    email: str = Field(default="", max_length=254)
    phone: str = Field(default="", max_length=40)
    licence_number: str = Field(default="", max_length=40)


class ApplicationChangesIn(Schema):
    """Any part of a draft: what is given is saved, the rest is kept."""

    description: str | None = Field(default=None, max_length=2000)
    answers: dict[str, Any] | None = None
    address: AddressIn | None = None
    applicant_role: str | None = Field(default=None, max_length=12)
    owner: ContactIn | None = None
    contractor: ContactIn | None = None


class ApplicationIn(ApplicationChangesIn):
    permit_type: str = Field(max_length=40)


class ProblemOut(Schema):
    step: str
    field: str
    message: str


class FeeLineOut(Schema):
    code: str
    label: str
    detail: str
    amount_cents: int


class FeeOut(Schema):
    total_cents: int | None
    currency: str
    lines: list[FeeLineOut]


class CheckOut(Schema):
    reference: str
    ok: bool
    problems: list[ProblemOut]
    fee: FeeOut


class StepOut(Schema):
    id: int
    department: str
    stage: int
    status: str


class ConditionOut(Schema):
    id: int
    text: str
    before_issue: bool
    met: bool


class PermitOut(Schema):
    number: str
    status: str
    valid_from: str
    valid_until: str


class DocumentOut(Schema):
    code: str
    version: int
    name: str


class ApplicationOut(Schema):
    reference: str
    permit_type: str
    status: str
    status_label: str
    description: str
    answers: dict[str, Any]
    address: str
    applicant_role: str
    documents: list[DocumentOut]
    fee_cents: int | None
    pay_url: str | None
    submitted_at: str | None
    expected_decision_at: str | None
    steps: list[StepOut]
    conditions: list[ConditionOut]
    permit: PermitOut | None


class NoteIn(Schema):
    note: str = Field(default="", max_length=2000)


class CorrectionIn(Schema):
    message: str = Field(max_length=4000)
    documents: list[str] = []


class DenyIn(Schema):
    reason: str = Field(max_length=4000)


class ConditionIn(Schema):
    text: str = Field(max_length=2000)
    before_issue: bool = False


class ReviewQueueOut(Schema):
    reference: str
    permit_type: str
    department: str
    step_id: int
    address: str
    submitted_at: str | None


class PublicPermitOut(Schema):
    permit_number: str
    permit_type: str
    address: str
    status: str
    issued_date: str
    valid_until: str
    link: str
