"""The booking workflow table and what happens on entering each state.

    held ──confirm──► confirmed ──complete──► completed
      │ └─request──► requested ──approve──► confirmed
      │                   └──deny──► denied
      ├──expire──► expired            (not paid in time)
      └──cancel / cancel_by_staff──► cancelled   (also from requested, confirmed)

A booking starts `held`: the time is taken while the resident pays (15
minutes), or while someone from the waitlist decides. Free units leave
`held` at once. Views ask this module (never compare status strings).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from cityhall.cases.workflow import APPLICANT, SYSTEM, State, Transition, Workflow
from cityhall.core.roles import FACILITY_MANAGER
from cityhall.notifications.hooks import email_applicant

SERVICE_CODE = "facility_booking"
MANAGERS = frozenset({FACILITY_MANAGER})

HELD = "held"
REQUESTED = "requested"
CONFIRMED = "confirmed"
DENIED = "denied"
CANCELLED = "cancelled"
EXPIRED = "expired"
COMPLETED = "completed"

# States in which a booking holds its times (its occurrences are active).
OCCUPYING = frozenset({HELD, REQUESTED, CONFIRMED})


def build_workflow() -> Workflow:
    workflow = Workflow.build(
        initial=HELD,
        states=[
            State(HELD, _("Held, not confirmed yet"), _("Held for you: not confirmed yet")),
            State(
                REQUESTED,
                _("Waiting for approval"),
                _("Requested: waiting for the city's approval"),
                submitted=True,
                awaiting_staff=True,
            ),
            State(CONFIRMED, _("Confirmed"), _("Confirmed"), submitted=True, decided=True),
            State(DENIED, _("Not approved"), _("Not approved"), decided=True, closed=True),
            State(CANCELLED, _("Cancelled"), _("Cancelled"), closed=True),
            State(
                EXPIRED,
                _("Hold expired"),
                _("Released: it was not confirmed in time"),
                closed=True,
            ),
            State(COMPLETED, _("Completed"), _("Completed"), closed=True),
        ],
        transitions=[
            Transition("confirm", (HELD,), CONFIRMED, _("Confirm"), frozenset({SYSTEM, APPLICANT})),
            Transition(
                "request",
                (HELD,),
                REQUESTED,
                _("Send for approval"),
                frozenset({SYSTEM, APPLICANT}),
            ),
            Transition("approve", (REQUESTED,), CONFIRMED, _("Approve"), MANAGERS),
            Transition("deny", (REQUESTED,), DENIED, _("Deny"), MANAGERS, reason_required=True),
            Transition(
                "cancel",
                (HELD, REQUESTED, CONFIRMED),
                CANCELLED,
                _("Cancel"),
                frozenset({APPLICANT}),
            ),
            Transition(
                "cancel_by_staff",
                (HELD, REQUESTED, CONFIRMED),
                CANCELLED,
                _("Cancel the booking"),
                MANAGERS,
                reason_required=True,
            ),
            Transition("expire", (HELD,), EXPIRED, _("Release"), frozenset({SYSTEM})),
            Transition("complete", (CONFIRMED,), COMPLETED, _("Complete"), frozenset({SYSTEM})),
        ],
    )
    workflow.enter(CONFIRMED, _after_confirmation)
    workflow.enter(REQUESTED, email_applicant("booking_requested", context=_booking_context))
    workflow.enter(DENIED, email_applicant("booking_denied", context=_booking_context))
    workflow.enter(CANCELLED, email_applicant("booking_cancelled", context=_booking_context))
    workflow.enter(EXPIRED, email_applicant("booking_expired", context=_booking_context))
    return workflow


def _booking_context(case, event):
    from .selectors import email_context

    return email_context(case.booking, refund_cents=(event.payload or {}).get("refund_cents"))


def _after_confirmation(case, event):
    """The PDF, the .ics and their email are made by the worker; the task is
    queued in the confirming transaction (the queue is a table in the same
    database), so a confirmation is never left without them."""
    from .tasks import send_confirmation

    send_confirmation.enqueue(case.booking.pk)


# ---- questions views ask ------------------------------------------------------


def state_of(case) -> State:
    return case.state


def occupies(status: str) -> bool:
    return status in OCCUPYING


def is_held(status: str) -> bool:
    return status == HELD


def is_confirmed(status: str) -> bool:
    return status == CONFIRMED


def awaits_approval(status: str) -> bool:
    return status == REQUESTED


def can(status: str, transition: str, roles) -> bool:
    from cityhall.cases import registry

    return any(
        t.name == transition for t in registry.get(SERVICE_CODE).workflow.available(status, roles)
    )
