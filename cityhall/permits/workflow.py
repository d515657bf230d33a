"""The permit application workflow table.

    draft ──submit (fee)──► payment_due ──paid──► in_review ──(every step approves)──► issued
      │                        │   └──issue_on_payment (instant types)──────────────► issued
      │                        └──reopen──► draft                          │
      └──submit_free──► in_review ⇄ corrections (applicant uploads again)  ├──complete──► completed
                           │  └──approve (before-issue conditions)──► approved ──issue──┘
                           └──deny──► denied                                └──expire──► expired

Department review steps live in ReviewStep rows (review.py); the case
moves only when the last step decides. Views ask this module, never compare
status strings.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from cityhall.cases.workflow import APPLICANT, SYSTEM, State, Transition, Workflow
from cityhall.core.roles import CITY_ADMIN, PERMIT_INSPECTOR, PERMIT_REVIEWER
from cityhall.notifications.hooks import email_applicant

SERVICE_CODE = "permit"
REVIEWERS = frozenset({PERMIT_REVIEWER})
# Who records inspection results: field inspectors, and reviewers too (in a
# small city the same people). Inspectors do not review plans.
INSPECTORS = frozenset({PERMIT_INSPECTOR}) | REVIEWERS
STAFF = frozenset({PERMIT_REVIEWER, CITY_ADMIN})

DRAFT = "draft"
PAYMENT_DUE = "payment_due"
IN_REVIEW = "in_review"
CORRECTIONS = "corrections"
APPROVED = "approved"
ISSUED = "issued"
COMPLETED = "completed"
EXPIRED = "expired"
DENIED = "denied"
WITHDRAWN = "withdrawn"
LAPSED = "lapsed"

EDITABLE = frozenset({DRAFT})
WITHDRAWABLE = (DRAFT, PAYMENT_DUE, IN_REVIEW, CORRECTIONS)


def build_workflow(*, correction_days: int | None = None) -> Workflow:
    days = correction_days or settings.CITYHALL_PERMIT_CORRECTION_DAYS
    workflow = Workflow.build(
        initial=DRAFT,
        states=[
            State(DRAFT, _("Draft"), _("Not sent yet")),
            State(PAYMENT_DUE, _("Waiting for payment"), _("Checked: waiting for your payment")),
            State(
                IN_REVIEW,
                _("In review"),
                _("Received: being reviewed"),
                submitted=True,
                awaiting_staff=True,
            ),
            State(
                CORRECTIONS,
                _("Corrections requested"),
                _("We need corrections from you"),
                deadline=timedelta(days=days),
                timeout_transition="lapse",
                reminder_before=timedelta(days=5),
            ),
            State(
                APPROVED,
                _("Approved: conditions to meet"),
                _("Approved: conditions to meet before we issue it"),
                decided=True,
                awaiting_staff=True,
            ),
            State(ISSUED, _("Permit issued"), _("Permit issued"), submitted=True, decided=True),
            State(COMPLETED, _("Completed"), _("Completed: final inspection passed"), closed=True),
            State(EXPIRED, _("Expired"), _("Permit expired"), closed=True),
            State(DENIED, _("Denied"), _("Not approved"), decided=True, closed=True),
            State(WITHDRAWN, _("Withdrawn"), _("Withdrawn"), closed=True),
            State(
                LAPSED,
                _("Closed: no answer"),
                _("Closed because we did not hear back"),
                closed=True,
            ),
        ],
        transitions=[
            Transition(
                "submit", (DRAFT,), PAYMENT_DUE, _("Continue to payment"), frozenset({APPLICANT})
            ),
            Transition("submit_free", (DRAFT,), IN_REVIEW, _("Submit"), frozenset({APPLICANT})),
            Transition(
                "reopen", (PAYMENT_DUE,), DRAFT, _("Change the application"), frozenset({APPLICANT})
            ),
            Transition("paid", (PAYMENT_DUE,), IN_REVIEW, _("Paid"), frozenset({SYSTEM})),
            Transition(
                "issue_on_payment",
                (PAYMENT_DUE,),
                ISSUED,
                _("Issue on payment"),
                frozenset({SYSTEM}),
            ),
            Transition(
                "request_corrections",
                (IN_REVIEW,),
                CORRECTIONS,
                _("Request corrections"),
                REVIEWERS,
                reason_required=True,
            ),
            Transition(
                "resubmit",
                (CORRECTIONS,),
                IN_REVIEW,
                _("Send the corrections"),
                frozenset({APPLICANT}),
            ),
            Transition(
                "approve",
                (IN_REVIEW,),
                APPROVED,
                _("Approve with conditions"),
                REVIEWERS | {SYSTEM},
            ),
            Transition(
                "issue", (IN_REVIEW, APPROVED), ISSUED, _("Issue the permit"), REVIEWERS | {SYSTEM}
            ),
            Transition(
                "deny", (IN_REVIEW, CORRECTIONS), DENIED, _("Deny"), REVIEWERS, reason_required=True
            ),
            Transition("withdraw", WITHDRAWABLE, WITHDRAWN, _("Withdraw"), frozenset({APPLICANT})),
            Transition("lapse", (CORRECTIONS,), LAPSED, _("Close: no answer"), frozenset({SYSTEM})),
            Transition(
                "complete", (ISSUED,), COMPLETED, _("Complete"), INSPECTORS | frozenset({SYSTEM})
            ),
            Transition("expire", (ISSUED,), EXPIRED, _("Expire"), frozenset({SYSTEM})),
        ],
    )
    workflow.enter(IN_REVIEW, _received)
    workflow.enter(CORRECTIONS, email_applicant("permit_corrections", context=_context))
    workflow.remind(CORRECTIONS, email_applicant("permit_corrections_reminder", context=_context))
    workflow.enter(APPROVED, email_applicant("permit_approved", context=_context))
    workflow.enter(ISSUED, _issued)
    workflow.enter(DENIED, email_applicant("permit_denied", context=_context))
    workflow.enter(COMPLETED, email_applicant("permit_completed", context=_context))
    workflow.enter(EXPIRED, email_applicant("permit_expired", context=_context))
    workflow.enter(LAPSED, email_applicant("permit_lapsed", context=_context))
    return workflow


def _context(case, event):
    from .selectors import email_context

    return email_context(case.permit_application)


def _received(case, event):
    if event.from_status == CORRECTIONS:
        return None  # the reviewer who asked is told on their queue; no email needed
    return email_applicant("permit_received", context=_context)(case, event)


def _issued(case, event):
    """The permit row is written by the issuing service; its PDF and email are
    made by the worker, queued in this transaction (see tasks.py)."""
    from .tasks import send_permit

    send_permit.enqueue(case.permit_application.pk)


# ---- questions views ask ------------------------------------------------------


def is_editable(status: str) -> bool:
    return status in EDITABLE


def awaits_payment(status: str) -> bool:
    return status == PAYMENT_DUE


def in_review(status: str) -> bool:
    return status == IN_REVIEW


def awaits_corrections(status: str) -> bool:
    return status == CORRECTIONS


def is_issued(status: str) -> bool:
    return status in {ISSUED, COMPLETED, EXPIRED}


def is_live_permit(status: str) -> bool:
    return status == ISSUED


def can_withdraw(status: str) -> bool:
    return status in WITHDRAWABLE
