"""The officer's decisions on a police report: approve (with the permanent
number), reject with a configured reason, ask for information, refer to a
supervisor, recode categories, send a failed hand-off again."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from cityhall.cases import services as cases
from cityhall.cases.errors import IllegalTransition, NotAllowed
from cityhall.cases.models import EventKind
from cityhall.cases.references import next_reference

from .models import PoliceReport, PoliceSettings, RejectionReason
from .nibrs import PROPERTY_DESCRIPTIONS
from .services import ReportError
from .workflow import SUBMITTED, SUPERVISOR_REVIEW

REPORT_NUMBER_PREFIX = "PD"


def needs_supervisor(report: PoliceReport) -> bool:
    limit = PoliceSettings.current().supervisor_review_above_cents
    return limit is not None and report.total_value_cents > limit


@transaction.atomic
def approve_report(*, report: PoliceReport, officer) -> str:
    """Approves and gives the permanent report number (returned)."""
    # Locks the report's row and its case's (FOR UPDATE covers both tables of the join).
    locked = PoliceReport.objects.select_for_update().select_related("case").get(pk=report.pk)
    if needs_supervisor(locked) and not officer.has_role("police_supervisor"):
        raise ReportError(
            _("Reports of this value need a supervisor's approval. Refer it to a supervisor.")
        )
    if locked.case.status not in {SUBMITTED, SUPERVISOR_REVIEW}:
        raise IllegalTransition(locked.case.status, "approve")
    if not locked.report_number:
        locked.report_number = next_reference(REPORT_NUMBER_PREFIX, gapless=True)
        locked.save(update_fields=["report_number"])
    cases.transition_case(
        case=locked.case,
        transition="approve",
        actor=officer,
        payload={"report_number": locked.report_number},
        locked=True,
    )
    report.report_number = locked.report_number
    report.case.refresh_from_db()
    return locked.report_number


@transaction.atomic
def reject_report(
    *, report: PoliceReport, officer, reason: RejectionReason, note: str = ""
) -> None:
    if reason is None or not reason.active:
        raise ReportError(_("Choose a reason."), field="reason")
    PoliceReport.objects.filter(pk=report.pk).update(
        rejection_reason=reason, reviewer_note=note.strip()
    )
    report.rejection_reason, report.reviewer_note = reason, note.strip()
    cases.transition_case(
        case=report.case,
        transition="reject",
        actor=officer,
        reason=reason.label(report.case.language),
        payload={"reason_code": reason.code},
    )


@transaction.atomic
def request_information(*, report: PoliceReport, officer, message: str) -> None:
    cases.transition_case(
        case=report.case, transition="request_info", actor=officer, reason=message
    )


@transaction.atomic
def refer_to_supervisor(*, report: PoliceReport, officer, note: str = "") -> None:
    if note.strip():
        PoliceReport.objects.filter(pk=report.pk).update(reviewer_note=note.strip())
    cases.transition_case(
        case=report.case, transition="refer", actor=officer, reason=note, public=False
    )


@transaction.atomic
def recode_items(*, report: PoliceReport, officer, categories: dict[int, str]) -> int:
    """Officer corrects NIBRS codes before approval; the timeline keeps before and after."""
    if report.case.status not in {SUBMITTED, SUPERVISOR_REVIEW}:
        raise ReportError(_("Codes can only be changed before the report is decided."))
    if not (officer.role_codes & {"police_reviewer", "police_supervisor"}):
        raise NotAllowed("recode")
    changes = {}
    for item in report.items.filter(pk__in=categories):
        code = categories[item.pk]
        if code not in PROPERTY_DESCRIPTIONS:
            raise ReportError(
                _("Unknown category code %(code)s.") % {"code": code}, field=f"item-{item.pk}"
            )
        if code != item.category:
            changes[str(item.pk)] = [item.category, code]
            item.category = code
            item.save(update_fields=["category"])
    if changes:
        cases.add_event(
            case=report.case, kind=EventKind.AMENDED, actor=officer, payload={"categories": changes}
        )
    return len(changes)


@transaction.atomic
def retry_rms_export(*, export_id: int, actor) -> str | None:
    """A supervisor sends a failed hand-off again; returns its report number, or None."""
    from .models import RmsExport
    from .tasks import export_to_rms

    export = (
        RmsExport.objects.select_for_update()
        .select_related("report__case")
        .filter(pk=export_id, status=RmsExport.Status.FAILED)
        .first()
    )
    if export is None:
        return None
    RmsExport.objects.filter(pk=export.pk).update(status=RmsExport.Status.PENDING, attempts=0)
    cases.add_event(
        case=export.report.case,
        kind=EventKind.EXPORT,
        actor=actor,
        payload={"outcome": "retry requested"},
    )
    export_to_rms.enqueue(export.report_id)
    return export.report.report_number
