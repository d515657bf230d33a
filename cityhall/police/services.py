"""Every write to police reports: drafting, submitting, the officer's decisions,
recoding, filing at a counter. Each is one transaction; status changes go
through the shared workflow (cases.services.transition_case)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from cityhall.cases import services as cases
from cityhall.cases.errors import CaseError
from cityhall.cases.models import Case, Channel
from cityhall.cases.workflow import APPLICANT

from . import validation
from .models import Kind, PoliceReport, PropertyItem
from .nibrs import LOSS_TYPE_STOLEN, PROPERTY_DESCRIPTIONS
from .workflow import DRAFT, INFO_REQUESTED, SERVICE_CODE


class ReportError(CaseError):
    """A domain error with a message for the person; `field` says where it belongs."""

    def __init__(self, message, field: str | None = None):
        self.field = field
        super().__init__(message)


EDITABLE = {DRAFT, INFO_REQUESTED}


def _editable(report: PoliceReport) -> None:
    """Locks the report, then checks it can still change: a submit in another
    tab either happened before (refused here) or waits for this change."""
    PoliceReport.objects.select_for_update().filter(pk=report.pk).first()
    report.case.refresh_from_db(fields=["status"])
    if report.case.status not in EDITABLE:
        raise ReportError(_("This report has been sent and can no longer be changed."))


@dataclass
class Reporter:
    first_name: str
    last_name: str
    email: str
    phone: str = ""
    address: str = ""
    language: str = "en"


@transaction.atomic
def start_report(
    *,
    reporter: Reporter,
    eligibility: dict,
    channel: str = Channel.ONLINE,
    applicant=None,
    recorded_by=None,
) -> PoliceReport:
    """A draft report (and its case, with its tracking number) once we know who is reporting."""
    phone = validation.clean_phone(reporter.phone)
    case = cases.open_case(
        service=SERVICE_CODE,
        channel=channel,
        contact_name=f"{reporter.first_name} {reporter.last_name}".strip(),
        contact_email=reporter.email,
        contact_phone=phone,
        language=reporter.language,
        applicant=applicant,
        recorded_by=recorded_by,
    )
    return PoliceReport.objects.create(
        case=case,
        first_name=reporter.first_name.strip(),
        last_name=reporter.last_name.strip(),
        email=reporter.email.strip().lower(),
        phone=phone,
        address=reporter.address.strip(),
        eligibility=eligibility,
    )


@transaction.atomic
def update_reporter(*, report: PoliceReport, reporter: Reporter) -> None:
    _editable(report)
    report.first_name, report.last_name = reporter.first_name.strip(), reporter.last_name.strip()
    report.email = reporter.email.strip().lower()
    report.phone = validation.clean_phone(reporter.phone)
    report.address = reporter.address.strip()
    report.save(update_fields=["first_name", "last_name", "email", "phone", "address"])
    Case.objects.filter(pk=report.case_id).update(
        contact_name=report.full_name,
        contact_email=report.email,
        contact_phone=report.phone,
        language=reporter.language,
    )
    report.case.language = reporter.language
    report.case.contact_email = report.email


@transaction.atomic
def update_incident(
    *,
    report: PoliceReport,
    kind: str,
    occurred_from: datetime,
    occurred_to: datetime | None,
    location: str,
    latitude=None,
    longitude=None,
) -> None:
    _editable(report)
    if kind not in Kind.values:
        raise ReportError(_("Choose lost or stolen."), field="kind")
    validation.clean_period(occurred_from, occurred_to)
    report.kind, report.occurred_from, report.occurred_to = kind, occurred_from, occurred_to
    report.location, report.latitude, report.longitude = location.strip(), latitude, longitude
    report.save(
        update_fields=["kind", "occurred_from", "occurred_to", "location", "latitude", "longitude"]
    )
    loss = LOSS_TYPE_STOLEN if kind == Kind.STOLEN else ""
    report.items.update(loss_type=loss)


@transaction.atomic
def update_narrative(*, report: PoliceReport, narrative: str) -> None:
    _editable(report)
    report.narrative = narrative.strip()
    report.save(update_fields=["narrative"])


@dataclass
class ItemInput:
    category: str
    description: str
    brand: str = ""
    model: str = ""
    serial_number: str = ""
    quantity: int = 1
    value_cents: int = 0


def _check_item(item: ItemInput, *, officer: bool = False) -> None:
    from .nibrs import RESIDENT_CODES

    allowed = PROPERTY_DESCRIPTIONS if officer else RESIDENT_CODES
    if item.category not in allowed:
        raise ReportError(_("Choose a category from the list."), field="category")
    if not item.description.strip():
        raise ReportError(
            _("Describe the item, for example “black road bike”."), field="description"
        )
    validation.clean_quantity(item.quantity)
    validation.clean_value(item.value_cents)


def _refresh_total(report: PoliceReport) -> None:
    total = report.items.aggregate(total=Sum(F("value_cents") * F("quantity")))["total"] or 0
    PoliceReport.objects.filter(pk=report.pk).update(total_value_cents=total)
    report.total_value_cents = total


@transaction.atomic
def add_item(
    *, report: PoliceReport, item: ItemInput, photo=None, uploaded_by=None
) -> PropertyItem:
    _editable(report)  # also locks the report: two tabs cannot both add the 50th item
    _check_item(item)
    count = report.items.count()
    if count >= validation.MAX_ITEMS:
        raise ReportError(
            _(
                "A report can list at most %(max)d items. For more, call the police non-emergency number."
            )
            % {"max": validation.MAX_ITEMS}
        )
    created = PropertyItem.objects.create(
        report=report,
        position=count + 1,
        **_item_fields(item, report.kind),
        photo=_store_photo(report, photo, uploaded_by) if photo else None,
    )
    _refresh_total(report)
    return created


def _store_photo(report: PoliceReport, photo, uploaded_by):
    from cityhall.cases.uploads import UploadRejected

    try:
        return cases.attach_file(
            case=report.case, clean=photo, purpose="item-photo", uploaded_by=uploaded_by
        )
    except UploadRejected as error:  # the disk is full: the item is not added either
        raise ReportError(str(error), field="photo") from error


def _item_fields(item: ItemInput, kind: str) -> dict:
    return {
        "category": item.category,
        "loss_type": LOSS_TYPE_STOLEN if kind == Kind.STOLEN else "",
        "description": item.description.strip(),
        "brand": item.brand.strip(),
        "model": item.model.strip(),
        "serial_number": item.serial_number.strip(),
        "serial_normalized": validation.normalize_serial(item.serial_number),
        "quantity": item.quantity,
        "value_cents": item.value_cents,
    }


@transaction.atomic
def update_item(
    *,
    report: PoliceReport,
    item_id: int,
    item: ItemInput,
    photo=None,
    remove_photo: bool = False,
    uploaded_by=None,
) -> PropertyItem:
    _editable(report)
    _check_item(item)
    existing = report.items.filter(pk=item_id).first()
    if existing is None:
        raise ReportError(_("This item was removed, perhaps in another window."))
    for name, value in _item_fields(item, report.kind).items():
        setattr(existing, name, value)
    if photo:
        existing.photo = _store_photo(report, photo, uploaded_by)
    elif remove_photo:
        existing.photo = None  # the file stays with the case's other uploads, off the report
    existing.save()
    _refresh_total(report)
    return existing


@transaction.atomic
def remove_item(*, report: PoliceReport, item_id: int) -> None:
    _editable(report)
    report.items.filter(pk=item_id).delete()
    _refresh_total(report)


def missing_for_submission(report: PoliceReport) -> list[tuple[str, str]]:
    """What stops the report from being sent: [(step, message)], in page order."""
    return validation.missing_parts(
        report, channel=report.case.channel, item_count=report.items.count()
    )


def _refuse_if_missing(missing: list[tuple[str, str]]) -> None:
    if missing:
        raise ReportError(
            _("Some parts of the report are missing: %(parts)s.")
            % {"parts": "; ".join(str(m).rstrip(".") for _step, m in missing)}
        )


def _check_declaration(declaration_accepted: bool) -> None:
    if not declaration_accepted:
        raise ReportError(
            _("Confirm that the information is true to send the report."), field="declaration"
        )


def _send_for_review(case: Case, *, actor, locked: bool = False) -> None:
    """The submit (or resubmit) transition: by the clerk who filed it at a counter
    or on the phone, else by the resident (the case's applicant)."""
    transition = "resubmit" if case.status == INFO_REQUESTED else "submit"
    staff = (
        actor is not None
        and actor.is_authenticated
        and actor.is_city_staff
        and case.channel != Channel.ONLINE
    )
    cases.transition_case(
        case=case,
        transition=transition,
        actor=actor if staff else None,
        acting_as=None if staff else APPLICANT,
        locked=locked,
    )


@transaction.atomic
def submit_report(*, report: PoliceReport, declaration_accepted: bool, actor=None) -> bool:
    """Sends the report for review. True if this call sent it; False if it was
    already sent (a double click or the back button): nothing happens twice."""
    locked = PoliceReport.objects.select_for_update().select_related("case").get(pk=report.pk)
    if locked.case.status not in EDITABLE:
        return False
    _check_declaration(declaration_accepted)
    _refuse_if_missing(missing_for_submission(locked))
    locked.declaration_accepted_at = timezone.now()
    locked.save(update_fields=["declaration_accepted_at"])
    _send_for_review(locked.case, actor=actor)
    report.case.refresh_from_db()
    return True


# ---- reports filed in one go (API, counter, phone) ------------------------


@dataclass
class Incident:
    kind: str
    occurred_from: datetime
    occurred_to: datetime | None
    location: str
    narrative: str
    latitude: float | None = None
    longitude: float | None = None


@transaction.atomic
def file_report(
    *,
    reporter: Reporter,
    incident: Incident,
    items: list[ItemInput],
    declaration_accepted: bool,
    channel: str = Channel.ONLINE,
    recorded_by=None,
    applicant=None,
) -> PoliceReport:
    """A complete report created and submitted at once (the API; a clerk at the counter or on the phone).

    Everything is checked before anything is written (the same rules and
    messages as the step-by-step journey), then each row is written once: the
    case, the report with every field, the items in one INSERT, and the submit
    transition with its acknowledgement. The draft functions above lock and
    re-read the report at every step, which a report arriving whole does not need.
    """
    report, property_items = _complete_report(reporter, incident, items)
    _check_declaration(declaration_accepted)
    _refuse_if_missing(
        validation.missing_parts(report, channel=channel, item_count=len(property_items))
    )
    report.case = cases.open_case(
        service=SERVICE_CODE,
        channel=channel,
        contact_name=f"{reporter.first_name} {reporter.last_name}".strip(),
        contact_email=reporter.email,
        contact_phone=report.phone,
        language=reporter.language,
        applicant=applicant,
        recorded_by=recorded_by,
    )
    report.eligibility = {"channel": channel}
    report.declaration_accepted_at = timezone.now()
    report.save(force_insert=True)
    for item in property_items:
        item.report = report
    PropertyItem.objects.bulk_create(property_items)
    _send_for_review(report.case, actor=recorded_by, locked=True)
    return report


def _complete_report(
    reporter: Reporter, incident: Incident, items: list[ItemInput]
) -> tuple[PoliceReport, list[PropertyItem]]:
    """The report and its items, checked in the journey's order, not yet saved."""
    if not items:
        raise ReportError(_("List at least one item."), field="items")
    if len(items) > validation.MAX_ITEMS:
        raise ReportError(
            _("A report can list at most %(max)d items.") % {"max": validation.MAX_ITEMS},
            field="items",
        )
    phone = validation.clean_phone(reporter.phone)
    if incident.kind not in Kind.values:
        raise ReportError(_("Choose lost or stolen."), field="kind")
    validation.clean_period(incident.occurred_from, incident.occurred_to)
    property_items = []
    for position, item in enumerate(items, start=1):
        _check_item(item)
        property_items.append(PropertyItem(position=position, **_item_fields(item, incident.kind)))
    report = PoliceReport(
        first_name=reporter.first_name.strip(),
        last_name=reporter.last_name.strip(),
        email=reporter.email.strip().lower(),
        phone=phone,
        address=reporter.address.strip(),
        kind=incident.kind,
        occurred_from=incident.occurred_from,
        occurred_to=incident.occurred_to,
        location=incident.location.strip(),
        latitude=incident.latitude,
        longitude=incident.longitude,
        narrative=incident.narrative.strip(),
        total_value_cents=sum(item.value_cents * item.quantity for item in property_items),
    )
    return report, property_items
