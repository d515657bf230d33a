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
from .models import Kind, PoliceReport, PoliceSettings, PropertyItem
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
        photo=cases.attach_file(
            case=report.case, clean=photo, purpose="item-photo", uploaded_by=uploaded_by
        )
        if photo
        else None,
    )
    _refresh_total(report)
    return created


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
        existing.photo = cases.attach_file(
            case=report.case, clean=photo, purpose="item-photo", uploaded_by=uploaded_by
        )
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
    missing = []
    email_needed = report.case.channel == Channel.ONLINE
    if not (report.first_name and report.last_name and (report.email or not email_needed)):
        missing.append(("about-you", _("Your name and email address")))
    if not (report.kind and report.occurred_from and report.location):
        missing.append(("incident", _("What happened, when and where")))
    if not report.narrative:
        missing.append(("narrative", _("A description of what happened")))
    count = report.items.count()
    if count < 1:
        missing.append(("items", _("At least one item")))
    elif count > validation.MAX_ITEMS:
        missing.append(("items", _("At most %(max)d items") % {"max": validation.MAX_ITEMS}))
    limit = PoliceSettings.current().online_value_limit_cents
    if report.kind == Kind.STOLEN and report.total_value_cents > limit:
        from cityhall.core.money import format_cents

        missing.append(
            (
                "items",
                _(
                    "Thefts worth more than %(limit)s in total cannot be reported online. Call the police non-emergency "
                    "number and an officer will take your report."
                )
                % {"limit": format_cents(limit)},
            )
        )
    return missing


@transaction.atomic
def submit_report(*, report: PoliceReport, declaration_accepted: bool, actor=None) -> bool:
    """Sends the report for review. True if this call sent it; False if it was
    already sent (a double click or the back button): nothing happens twice."""
    locked = PoliceReport.objects.select_for_update().select_related("case").get(pk=report.pk)
    if locked.case.status not in EDITABLE:
        return False
    if not declaration_accepted:
        raise ReportError(
            _("Confirm that the information is true to send the report."), field="declaration"
        )
    missing = missing_for_submission(locked)
    if missing:
        raise ReportError(
            _("Some parts of the report are missing: %(parts)s.")
            % {"parts": "; ".join(str(m).rstrip(".") for _step, m in missing)}
        )
    locked.declaration_accepted_at = timezone.now()
    locked.save(update_fields=["declaration_accepted_at"])
    transition = "resubmit" if locked.case.status == INFO_REQUESTED else "submit"
    staff = (
        actor is not None
        and actor.is_authenticated
        and actor.is_city_staff
        and locked.case.channel != Channel.ONLINE
    )
    cases.transition_case(
        case=locked.case,
        transition=transition,
        actor=actor if staff else None,
        acting_as=None if staff else APPLICANT,
    )
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
    """A complete report created and submitted at once (the API; a clerk at the counter or on the phone)."""
    if not items:
        raise ReportError(_("List at least one item."), field="items")
    if len(items) > validation.MAX_ITEMS:
        raise ReportError(
            _("A report can list at most %(max)d items.") % {"max": validation.MAX_ITEMS},
            field="items",
        )
    report = start_report(
        reporter=reporter,
        eligibility={"channel": channel},
        channel=channel,
        applicant=applicant,
        recorded_by=recorded_by,
    )
    update_incident(
        report=report,
        kind=incident.kind,
        occurred_from=incident.occurred_from,
        occurred_to=incident.occurred_to,
        location=incident.location,
        latitude=incident.latitude,
        longitude=incident.longitude,
    )
    update_narrative(report=report, narrative=incident.narrative)
    for position, item in enumerate(items, start=1):
        _check_item(item)
        PropertyItem.objects.create(
            report=report, position=position, **_item_fields(item, incident.kind)
        )
    _refresh_total(report)
    submit_report(report=report, declaration_accepted=declaration_accepted, actor=recorded_by)
    return report


RESUME_EMAILS_PER_HOUR = 3


def send_resume_link(*, report: PoliceReport, salt: str) -> None:
    """Emails the 'come back to your report' link; a few per hour per address at most,
    so the form cannot be used to flood someone's inbox from the city's domain."""
    from django.conf import settings
    from django.core import signing
    from django.urls import reverse

    from cityhall.core.ratelimit import allow
    from cityhall.notifications.services import notify

    if not allow(
        f"police-resume:{report.email}", limit=RESUME_EMAILS_PER_HOUR, window_seconds=3600
    ):
        raise ReportError(
            _(
                "We already emailed this address a link several times in the last hour. "
                "Use the link you received."
            )
        )
    token = signing.dumps(report.case.public_id.hex, salt=salt)
    notify(
        to=report.email,
        kind="police_resume",
        language=report.case.language,
        context={
            "resume_url": settings.CITY_SITE_URL + reverse("police:resume", args=[token]),
            "reference": report.case.reference,
        },
    )
