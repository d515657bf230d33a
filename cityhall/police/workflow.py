"""The police report workflow table and what happens on entering each state."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from cityhall.cases.models import EventKind
from cityhall.cases.services import add_event
from cityhall.cases.workflow import APPLICANT, SYSTEM, State, Transition, Workflow
from cityhall.core.roles import POLICE_REVIEWER, POLICE_SUPERVISOR
from cityhall.notifications.hooks import email_applicant

SERVICE_CODE = "police_report"
REVIEWERS = frozenset({POLICE_REVIEWER, POLICE_SUPERVISOR})
SUPERVISORS = frozenset({POLICE_SUPERVISOR})

DRAFT = "draft"
SUBMITTED = "submitted"
SUPERVISOR_REVIEW = "supervisor_review"
INFO_REQUESTED = "info_requested"
APPROVED = "approved"
REJECTED = "rejected"
EXPIRED = "expired"


def build_workflow(*, info_deadline_days: int = 15) -> Workflow:
    workflow = Workflow.build(
        initial=DRAFT,
        states=[
            State(DRAFT, _("Draft"), _("Not sent yet")),
            State(
                SUBMITTED,
                _("Waiting for review"),
                _("Received, waiting for an officer"),
                submitted=True,
                awaiting_staff=True,
            ),
            State(
                SUPERVISOR_REVIEW,
                _("Waiting for a supervisor"),
                _("Being reviewed"),
                awaiting_staff=True,
            ),
            State(
                INFO_REQUESTED,
                _("More information requested"),
                _("We need more information from you"),
                deadline=timedelta(days=info_deadline_days),
                timeout_transition="expire",
                reminder_before=timedelta(days=3),
            ),
            State(
                APPROVED,
                _("Approved"),
                _("Approved: your report is on file"),
                decided=True,
                closed=True,
            ),
            State(REJECTED, _("Not accepted"), _("Not accepted online"), decided=True, closed=True),
            State(
                EXPIRED,
                _("Closed: no answer"),
                _("Closed because we did not hear back"),
                closed=True,
            ),
        ],
        transitions=[
            Transition(
                "submit", (DRAFT,), SUBMITTED, _("Submit"), frozenset({APPLICANT}) | REVIEWERS
            ),
            Transition(
                "approve", (SUBMITTED, SUPERVISOR_REVIEW), APPROVED, _("Approve"), REVIEWERS
            ),
            Transition(
                "reject",
                (SUBMITTED, SUPERVISOR_REVIEW),
                REJECTED,
                _("Reject"),
                REVIEWERS,
                reason_required=True,
            ),
            Transition(
                "request_info",
                (SUBMITTED, SUPERVISOR_REVIEW),
                INFO_REQUESTED,
                _("Ask for more information"),
                REVIEWERS,
                reason_required=True,
            ),
            Transition(
                "refer",
                (SUBMITTED,),
                SUPERVISOR_REVIEW,
                _("Refer to a supervisor"),
                frozenset({POLICE_REVIEWER}),
            ),
            Transition(
                "resubmit",
                (INFO_REQUESTED,),
                SUBMITTED,
                _("Send my answer"),
                frozenset({APPLICANT}) | REVIEWERS,
            ),
            Transition(
                "expire", (INFO_REQUESTED,), EXPIRED, _("Close: no answer"), frozenset({SYSTEM})
            ),
        ],
    )
    workflow.enter(SUBMITTED, _acknowledge)
    workflow.enter(INFO_REQUESTED, email_applicant("police_info_requested"))
    workflow.remind(INFO_REQUESTED, email_applicant("police_info_reminder"))
    workflow.enter(APPROVED, _after_approval)
    workflow.enter(REJECTED, email_applicant("police_rejected", context=_rejection_context))
    workflow.enter(EXPIRED, email_applicant("police_expired"))
    return workflow


def _acknowledge(case, event):
    kind = "police_resubmitted" if event.from_status == INFO_REQUESTED else "police_received"
    return email_applicant(kind)(case, event)


def _rejection_context(case, event):
    report = case.police_report
    reason = report.rejection_reason
    return {"explanation": reason.explanation(case.language) if reason else ""}


def _after_approval(case, event):
    """The PDF, its email and the records-system hand-off run in the worker; the
    tasks are queued in the approval's own transaction (the task queue is a
    table in the same database), so an approval is never left without them."""
    from .models import RmsExport
    from .tasks import NO_RMS, export_to_rms, issue_approved_report

    report = case.police_report
    issue_approved_report.enqueue(report.pk)
    # One INSERT that leaves an existing hand-off row as it is (a report is
    # approved once; the unique report column is the last word).
    last_error = "" if settings.CITYHALL_RMS_URL else NO_RMS
    RmsExport.objects.bulk_create(
        [RmsExport(report=report, last_error=last_error)], ignore_conflicts=True
    )
    if settings.CITYHALL_RMS_URL:
        export_to_rms.enqueue(report.pk)
    else:
        # Nothing to send to; the sweeper sends it if a records system is configured later.
        add_event(
            case=case, kind=EventKind.EXPORT, payload={"outcome": "skipped: no RMS configured"}
        )
