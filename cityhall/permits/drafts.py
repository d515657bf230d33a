"""Changing a draft in one go (the API's create and PATCH): every part given is
saved, or none is. The pages save one part at a time through services.save_*."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from . import services
from .models import PermitApplication, PermitType


@dataclass(frozen=True)
class DraftChanges:
    description: str | None = None
    answers: dict | None = None
    address: dict | None = None
    applicant_role: str | None = None
    owner: services.ContactInput | None = None
    contractor: services.ContactInput | None = None


def _prefixed(error: ValidationError, name) -> dict[str, list[str]]:
    return {name(key): messages for key, messages in error.message_dict.items()}


@transaction.atomic
def change_draft(*, application: PermitApplication, changes: DraftChanges) -> None:
    """Raises one ValidationError naming every field at fault (`answers.<key>`,
    `address.<field>`, `owner.<field>`…); then nothing of the request is kept."""
    errors: dict[str, list[str]] = {}
    if changes.description is not None or changes.answers is not None:
        try:
            services.save_details(
                application=application,
                description=application.description
                if changes.description is None
                else changes.description,
                answers=application.answers if changes.answers is None else changes.answers,
            )
        except ValidationError as error:
            errors |= _prefixed(error, lambda k: k if k == "description" else f"answers.{k}")
    if changes.address is not None:
        try:
            services.save_address(application=application, **changes.address)
        except ValidationError as error:
            errors |= _prefixed(error, lambda k: f"address.{k}")
    if changes.applicant_role is not None:
        try:
            services.save_contacts(
                application=application,
                applicant_role=changes.applicant_role,
                owner=changes.owner,
                contractor=changes.contractor,
            )
        except ValidationError as error:
            errors |= _prefixed(
                error, lambda k: k if k == "applicant_role" else k.replace("_", ".", 1)
            )
    if errors:
        raise ValidationError(errors)  # rolls back the parts that were fine


@transaction.atomic
def start_draft(
    *, user, permit_type: PermitType, language: str, changes: DraftChanges
) -> PermitApplication:
    """A new draft with its first answers, or nothing at all."""
    application = services.start_application(user=user, permit_type=permit_type, language=language)
    change_draft(application=application, changes=changes)
    return application
