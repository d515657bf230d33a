"""Inspections of permitted work: half-day slots, booking one, the result
against the type's checklist, and the final inspection closing the permit.

A slot's places are taken with one conditional UPDATE (`booked < capacity`),
and the database refuses `booked > capacity`, so two holders racing for the
last place cannot both get it, on SQLite or PostgreSQL.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from cityhall.cases.errors import NotAllowed
from cityhall.cases.models import Case, EventKind
from cityhall.cases.services import add_event, attach_file, transition_case
from cityhall.cases.uploads import IMAGE_TYPES, UploadRejected, clean_upload
from cityhall.notifications.services import notify

from .errors import PermitError
from .models import (
    Inspection,
    InspectionPhoto,
    InspectionSlot,
    InspectionStatus,
    InspectionType,
    Permit,
    PermitStatus,
    SlotPeriod,
)
from .workflow import INSPECTORS, ISSUED

BOOKING_DAYS = 21  # how far ahead holders can book
RESULTS = ("pass", "fail", "na")
MAX_PHOTOS = 6


def ensure_slots(*, today: date | None = None, days: int = BOOKING_DAYS) -> int:
    """Creates the missing slots of the working days ahead (Monday to Friday)."""
    today = today or timezone.localdate()
    capacity = settings.CITYHALL_PERMIT_INSPECTIONS_PER_SLOT
    wanted = [
        InspectionSlot(day=day, period=period, capacity=capacity)
        for offset in range(1, days + 1)
        if (day := today + timedelta(days=offset)).weekday() < 5
        for period in SlotPeriod.values
    ]
    existing = set(
        InspectionSlot.objects.filter(day__in=[s.day for s in wanted]).values_list("day", "period")
    )
    missing = [s for s in wanted if (s.day, s.period) not in existing]
    InspectionSlot.objects.bulk_create(missing, ignore_conflicts=True)
    return len(missing)


def open_slots(*, today: date | None = None) -> list[InspectionSlot]:
    today = today or timezone.localdate()
    return list(
        InspectionSlot.objects.filter(
            day__gt=today, day__lte=today + timedelta(days=BOOKING_DAYS), booked__lt=F("capacity")
        ).order_by("day", "period")
    )


def slot_label(slot: InspectionSlot) -> str:
    return f"{formats.date_format(slot.day, 'l')}, {formats.date_format(slot.day, 'DATE_FORMAT')}, {slot.get_period_display()}"


def inspections_of(permit: Permit) -> list[dict]:
    """Each inspection the permit needs: its bookings and whether it can be booked now."""
    done = list(
        permit.inspections.select_related("slot", "inspection_type").order_by("requested_at")
    )
    rows = []
    for kind in permit.application.permit_type.inspection_types.all():
        history = [i for i in done if i.inspection_type_id == kind.pk]
        passed = any(i.status == InspectionStatus.PASSED for i in history)
        scheduled = next((i for i in history if i.status == InspectionStatus.SCHEDULED), None)
        rows.append(
            {
                "type": kind,
                "history": history,
                "passed": passed,
                "scheduled": scheduled,
                "bookable": permit.status == PermitStatus.ACTIVE and not passed and not scheduled,
            }
        )
    return rows


@transaction.atomic
def request_inspection(
    *,
    permit: Permit,
    inspection_type: InspectionType,
    slot: InspectionSlot,
    actor,
    access_notes: str = "",
) -> Inspection:
    case = Case.objects.select_for_update().get(pk=permit.application.case_id)
    permit.refresh_from_db()
    if case.status != ISSUED or permit.status != PermitStatus.ACTIVE:
        raise PermitError(_("Inspections can be booked only for an active permit."), field="permit")
    if inspection_type.permit_type_id != permit.application.permit_type_id:
        raise PermitError(_("This permit does not need that inspection."), field="inspection")
    row = next(r for r in inspections_of(permit) if r["type"].pk == inspection_type.pk)
    if row["passed"]:
        raise PermitError(_("This inspection has already passed."), field="inspection")
    if row["scheduled"]:
        raise PermitError(
            _("This inspection is already booked. Cancel that booking to choose another time."),
            field="inspection",
        )
    today = timezone.localdate()
    if slot.day <= today or slot.day > permit.valid_until:
        raise PermitError(
            _("Choose a time from the list, while the permit is valid."), field="slot"
        )
    taken = InspectionSlot.objects.filter(pk=slot.pk, booked__lt=F("capacity")).update(
        booked=F("booked") + 1
    )
    if not taken:
        raise PermitError(_("That time was just taken. Choose another one."), field="slot")
    slot.refresh_from_db()
    inspection = Inspection.objects.create(
        permit=permit,
        inspection_type=inspection_type,
        slot=slot,
        requested_by=actor,
        access_notes=(access_notes or "").strip()[:300],
    )
    add_event(
        case=case,
        kind=EventKind.NOTE,
        actor=actor,
        reason=f"{inspection_type.name(case.language)}: {slot_label(slot)}",
        payload={"inspection": inspection.pk, "outcome": "inspection booked"},
        public=True,
    )
    _email(inspection, "permit_inspection_booked")
    return inspection


@transaction.atomic
def cancel_inspection(*, inspection: Inspection, actor) -> None:
    locked = Inspection.objects.select_for_update().select_related("slot").get(pk=inspection.pk)
    if locked.status != InspectionStatus.SCHEDULED or locked.slot.day <= timezone.localdate():
        raise PermitError(_("This inspection can no longer be cancelled online."))
    locked.status = InspectionStatus.CANCELLED
    locked.save(update_fields=["status"])
    InspectionSlot.objects.filter(pk=locked.slot_id, booked__gt=0).update(booked=F("booked") - 1)
    add_event(
        case=locked.permit.application.case,
        kind=EventKind.NOTE,
        actor=actor,
        payload={"inspection": locked.pk, "outcome": "inspection cancelled"},
        public=True,
    )


def _outcome(results: dict[str, str]) -> str:
    values = set(results.values())
    if "fail" not in values:
        return InspectionStatus.PASSED
    return InspectionStatus.PARTIAL if "pass" in values else InspectionStatus.FAILED


@transaction.atomic
def record_result(
    *, inspection: Inspection, actor, results: dict, notes: str = "", photos=()
) -> Inspection:
    """The inspector's result: every checklist item pass, fail or not applicable.
    Any failed item needs notes; a passed final inspection completes the permit."""
    if actor is None or not (actor.is_superuser or actor.role_codes & INSPECTORS):
        raise NotAllowed()
    locked = (
        Inspection.objects.select_for_update()
        .select_related("slot", "inspection_type")
        .get(pk=inspection.pk)
    )
    if locked.status != InspectionStatus.SCHEDULED:
        raise PermitError(_("This inspection already has a result."))
    if locked.slot.day > timezone.localdate():
        raise PermitError(_("Record the result on the day of the inspection."))
    errors = {}
    clean = {}
    for code, label in locked.inspection_type.items():
        value = (results or {}).get(code)
        if value not in RESULTS:
            errors[f"item_{code}"] = _("Choose pass, fail or not applicable for “%(item)s”.") % {
                "item": label
            }
        clean[code] = value
    notes = (notes or "").strip()
    if errors:
        from django.core.exceptions import ValidationError

        raise ValidationError(errors)
    outcome = _outcome(clean)
    if outcome != InspectionStatus.PASSED and not notes:
        raise PermitError(_("Say what failed and what to fix: the holder reads it."), field="notes")
    if len(photos) > MAX_PHOTOS:
        raise PermitError(_("Add at most %(n)d photos.") % {"n": MAX_PHOTOS}, field="photos")
    case = locked.permit.application.case
    for upload in photos:
        try:
            photo = clean_upload(upload, allowed=IMAGE_TYPES)
            attachment = attach_file(
                case=case, clean=photo, purpose="inspection-photo", uploaded_by=actor
            )
        except UploadRejected as error:
            raise PermitError(str(error), field="photos") from error
        InspectionPhoto.objects.create(inspection=locked, attachment=attachment)
    locked.status, locked.checklist_results, locked.notes = outcome, clean, notes[:4000]
    locked.inspector, locked.inspected_at = actor, timezone.now()
    locked.save(update_fields=["status", "checklist_results", "notes", "inspector", "inspected_at"])
    add_event(
        case=case,
        kind=EventKind.NOTE,
        actor=actor,
        reason=notes,
        payload={"inspection": locked.pk, "outcome": f"inspection {outcome}"},
        public=True,
    )
    _email(locked, "permit_inspection_result")
    if outcome == InspectionStatus.PASSED and locked.inspection_type.final:
        permit = Permit.objects.select_for_update().get(pk=locked.permit_id)
        permit.status, permit.completed_at = PermitStatus.COMPLETED, timezone.now()
        permit.save(update_fields=["status", "completed_at"])
        transition_case(
            case=case, transition="complete", actor=actor, payload={"inspection": locked.pk}
        )
    return locked


def _email(inspection: Inspection, kind: str) -> None:
    from .selectors import email_context

    application = inspection.permit.application
    case = application.case
    notify(
        to=case.contact_email,
        kind=kind,
        language=case.language,
        case=case,
        context=email_context(application)
        | {
            "inspection": inspection,
            "inspection_name": inspection.inspection_type.name(case.language),
        },
    )
