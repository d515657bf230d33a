"""One workflow table per review mode, with the roles the definition names.

auto:       draft ─submit─► submitted ─auto_approve (system)─► approved
one_step:   draft ─submit─► submitted ─approve / reject─► approved / rejected
two_steps:  draft ─submit─► submitted ─recommend─► second_review ─approve / reject─►
With a fee, `submit_to_pay` goes to payment_due first and `paid` (system) to submitted.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from cityhall.cases.workflow import APPLICANT, SYSTEM, State, Transition, Workflow
from cityhall.notifications.hooks import email_applicant

DRAFT, PAYMENT_DUE, SUBMITTED = "draft", "payment_due", "submitted"
SECOND_REVIEW, APPROVED, REJECTED = "second_review", "approved", "rejected"
DECISION_EMAIL = "formbuilder_decision"


def _message(case, event):
    from .selectors import definition_of_case

    definition = definition_of_case(case)
    name = "approved_message" if case.status == APPROVED else "rejected_message"
    return {
        "message": definition.text(name, case.language),
        "service_name": definition.name(case.language),
        "approved": case.status == APPROVED,
    }


def _on_approved(case, event):
    from . import tasks
    from .selectors import definition_of_case

    if definition_of_case(case).document:
        # The PDF goes with the email: both are made by the task, after this commit.
        transaction.on_commit(lambda: tasks.issue_approval_document.enqueue(case.pk))
    else:
        email_applicant(DECISION_EMAIL, context=_message)(case, event)


def build_workflow(*, review_mode: str, reviewer_role: str, approver_role: str) -> Workflow:
    reviewers, approvers = frozenset({reviewer_role}), frozenset({approver_role})
    deciders = approvers if review_mode == "two_steps" else reviewers
    transitions = [
        Transition("submit", (DRAFT,), SUBMITTED, _("Submit"), frozenset({APPLICANT})),
        Transition("submit_to_pay", (DRAFT,), PAYMENT_DUE, _("Submit"), frozenset({APPLICANT})),
        Transition(
            "reopen", (PAYMENT_DUE,), DRAFT, _("Change the answers"), frozenset({APPLICANT})
        ),
        Transition("paid", (PAYMENT_DUE,), SUBMITTED, _("Paid"), frozenset({SYSTEM})),
    ]
    if review_mode == "auto":
        transitions.append(
            Transition("auto_approve", (SUBMITTED,), APPROVED, _("Approve"), frozenset({SYSTEM}))
        )
    elif review_mode == "one_step":
        transitions.append(Transition("approve", (SUBMITTED,), APPROVED, _("Approve"), reviewers))
    else:
        transitions += [
            Transition(
                "recommend", (SUBMITTED,), SECOND_REVIEW, _("Recommend approval"), reviewers
            ),
            Transition("approve", (SECOND_REVIEW,), APPROVED, _("Approve"), approvers),
        ]
    if review_mode != "auto":
        transitions.append(
            Transition(
                "reject",
                (SUBMITTED, SECOND_REVIEW),
                REJECTED,
                _("Reject"),
                reviewers | deciders,
                reason_required=True,
            )
        )
    workflow = Workflow.build(
        initial=DRAFT,
        states=[
            State(DRAFT, _("Draft"), _("Not sent yet")),
            State(PAYMENT_DUE, _("Waiting for payment"), _("Waiting for your payment")),
            State(
                SUBMITTED,
                _("Waiting for review"),
                _("Received, waiting for review"),
                submitted=True,
                awaiting_staff=True,
            ),
            State(
                SECOND_REVIEW,
                _("Waiting for the second review"),
                _("Being reviewed"),
                awaiting_staff=True,
            ),
            State(APPROVED, _("Approved"), _("Approved"), decided=True, closed=True),
            State(REJECTED, _("Rejected"), _("Not approved"), decided=True, closed=True),
        ],
        transitions=transitions,
    )
    workflow.enter(APPROVED, _on_approved)
    workflow.enter(REJECTED, email_applicant(DECISION_EMAIL, context=_message))
    return workflow
