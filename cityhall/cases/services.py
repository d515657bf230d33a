"""Every write to cases: opening, moving through the workflow, assigning,
notes, the personal-data access log, deadlines. One transaction each; the
timeline event is written in the same transaction as the change."""

from __future__ import annotations

import logging

from django.db import models, transaction
from django.utils import timezone

from cityhall.core import audit
from cityhall.core.models import AuditAction

from . import registry
from .errors import AlreadyTaken, IllegalTransition, NotAllowed, ReasonRequired
from .models import Case, CaseEvent, Channel, EventKind, PersonalDataView
from .references import next_reference
from .workflow import APPLICANT, SYSTEM

logger = logging.getLogger(__name__)


# No savepoint: a case is opened inside its service's transaction, and nothing
# catches a failure here to carry on in that transaction.
@transaction.atomic(savepoint=False)
def open_case(
    *,
    service: str,
    channel: str = Channel.ONLINE,
    contact_name: str = "",
    contact_email: str = "",
    contact_phone: str = "",
    language: str = "en",
    applicant=None,
    recorded_by=None,
) -> Case:
    """A new case in its workflow's initial state, with its reference number."""
    service_type = registry.get(service)
    if channel not in Channel.values:
        raise ValueError(f"unknown channel {channel!r}")
    now = timezone.now()
    case = Case.objects.create(
        reference=next_reference(service_type.prefix),
        service=service,
        channel=channel,
        status=service_type.workflow.initial,
        contact_name=contact_name,
        contact_email=contact_email.strip().lower(),
        contact_phone=contact_phone,
        language=language,
        applicant=applicant,
        recorded_by=recorded_by,
        created_at=now,
        status_changed_at=now,
    )
    CaseEvent.objects.create(
        case=case,
        kind=EventKind.CREATED,
        actor=recorded_by or applicant,
        to_status=case.status,
        payload={"channel": channel},
        created_at=now,
    )
    return case


def _roles_of(actor, acting_as: str | None) -> set[str]:
    if acting_as == SYSTEM:
        if actor is not None:
            raise ValueError("system transitions have no actor")
        return {SYSTEM}
    if acting_as == APPLICANT:
        return {APPLICANT}
    if actor is None:
        return set()
    return set(actor.role_codes)


def transition_case(
    *,
    case: Case,
    transition: str,
    actor=None,
    acting_as: str | None = None,
    reason: str = "",
    payload: dict | None = None,
    public: bool = True,
    locked: bool = False,
) -> CaseEvent:
    """Applies one workflow transition, or raises IllegalTransition / NotAllowed.

    `acting_as` is APPLICANT when the resident who owns the case acts (the
    caller has checked the signed link or account) or SYSTEM for the worker.
    The case row is locked, so two officers deciding at once cannot both win.
    `locked=True`: the caller opened this case (or locked its row) in the
    current transaction and `case` is the row as it stands, so it is not
    read again (a report filed in one go).
    """
    arguments = {
        "transition": transition,
        "actor": actor,
        "acting_as": acting_as,
        "reason": reason,
        "payload": payload,
        "public": public,
    }
    if not locked:
        with transaction.atomic():
            row = Case.objects.select_for_update().get(pk=case.pk)
            return _transition(case, row, **arguments)
    if not transaction.get_connection().in_atomic_block:
        raise ValueError("locked=True is for a case opened or locked in the caller's transaction")
    # No savepoint either: the caller's transaction is the unit (a filing that
    # fails here fails whole), and there is nothing to re-read.
    with transaction.atomic(savepoint=False):
        return _transition(case, case, **arguments)


def _transition(
    case: Case,
    locked: Case,
    *,
    transition: str,
    actor,
    acting_as: str | None,
    reason: str,
    payload: dict | None,
    public: bool,
) -> CaseEvent:
    """transition_case with the case row locked: `locked` (the caller's `case` is updated too)."""
    workflow = registry.get(locked.service).workflow
    step = workflow.transitions.get(transition)
    if step is None or locked.status not in step.sources:
        raise IllegalTransition(locked.status, transition)
    if not step.allows(_roles_of(actor, acting_as)):
        raise NotAllowed(transition)
    reason = (reason or "").strip()
    if step.reason_required and not reason:
        raise ReasonRequired()

    now = timezone.now()
    target = workflow.state(step.target)
    source = locked.status
    locked.status = target.code
    locked.status_changed_at = now
    locked.deadline_at = now + target.deadline if target.deadline else None
    locked.reminder_sent_at = None
    if target.submitted and locked.submitted_at is None:
        locked.submitted_at = now
        locked.expected_decision_at = now + registry.get(locked.service).target_time
    if target.decided:
        locked.decided_at = now
        locked.decided_by = actor
    if target.closed:
        locked.closed_at = now
    locked.save(update_fields=_TRANSITION_FIELDS)

    event = CaseEvent.objects.create(
        case=locked,
        kind=EventKind.STATUS_CHANGED,
        actor=actor,
        from_status=source,
        to_status=target.code,
        reason=reason,
        payload={"transition": transition, **(payload or {})},
        public=public,
        created_at=now,
    )
    for hook in workflow.on_enter.get(target.code, []):
        hook(locked, event)
    if target.closed:
        for hook in registry.case_closed_hooks():
            hook(locked, event)
    if actor is not None and acting_as is None:
        # A staff decision: in this transaction, so a rolled-back decision leaves no entry.
        audit.record(
            AuditAction.CASE_DECIDED,
            actor=actor,
            object_type="case",
            object_id=locked.reference,
            payload={
                "service": locked.service,
                "transition": transition,
                "from": source,
                "to": target.code,
            },
        )
    if locked is not case:  # the caller's instance follows the change
        for field in _TRANSITION_FIELDS:
            setattr(case, field, getattr(locked, field))
    return event


# What a transition writes; the UPDATE names only these.
_TRANSITION_FIELDS = (
    "status",
    "status_changed_at",
    "deadline_at",
    "reminder_sent_at",
    "submitted_at",
    "expected_decision_at",
    "decided_at",
    "decided_by",
    "closed_at",
)


@transaction.atomic
def assign_case(*, case: Case, assignee, actor) -> CaseEvent:
    service = registry.get(case.service)
    if assignee is not None and not (assignee.role_codes & service.staff_roles):
        raise NotAllowed("assign")
    if not (actor.role_codes & service.staff_roles):
        raise NotAllowed("assign")
    Case.objects.filter(pk=case.pk).update(assigned_to=assignee)
    case.assigned_to = assignee
    return CaseEvent.objects.create(
        case=case,
        kind=EventKind.ASSIGNED,
        actor=actor,
        payload={"assignee": assignee.email if assignee else None},
    )


@transaction.atomic
def claim_case(*, case: Case, actor) -> CaseEvent:
    """Takes a case nobody holds. Two people clicking at once: one gets it, the
    other is told who has it (a conditional UPDATE, not last-write-wins)."""
    service = registry.get(case.service)
    if not (actor.role_codes & service.staff_roles):
        raise NotAllowed("claim")
    taken = (
        Case.objects.filter(pk=case.pk)
        .filter(models.Q(assigned_to__isnull=True) | models.Q(assigned_to=actor))
        .update(assigned_to=actor)
    )
    if not taken:
        holder = Case.objects.select_related("assigned_to").get(pk=case.pk).assigned_to
        raise AlreadyTaken(holder)
    case.assigned_to = actor
    return CaseEvent.objects.create(
        case=case, kind=EventKind.ASSIGNED, actor=actor, payload={"assignee": actor.email}
    )


# One INSERT: no savepoint inside the caller's transaction (nothing to roll back to).
@transaction.atomic(savepoint=False)
def add_event(
    *,
    case: Case,
    kind: str,
    actor=None,
    reason: str = "",
    payload: dict | None = None,
    public: bool = False,
) -> CaseEvent:
    """A timeline entry that is not a status change (a note, an email outcome, a hand-off)."""
    return CaseEvent.objects.create(
        case=case, kind=kind, actor=actor, reason=reason, payload=payload or {}, public=public
    )


def record_personal_data_view(*, case: Case, viewer, what: str) -> None:
    """Every staff read of a resident's personal data goes through here: the
    case's own access list (shown with the case, purged with it) and the
    hash-chained audit log (kept a year at least, whatever happens to the case)."""
    with transaction.atomic():
        PersonalDataView.objects.create(
            case=case, case_reference=case.reference, viewer=viewer, what=what[:100]
        )
        audit.record_personal_data_view(viewer=viewer, case=case, what=what)


def process_deadlines(*, now=None) -> dict[str, int]:
    """Sends due reminders, then applies timeout transitions. Safe to run twice:
    each reminder is claimed with a conditional UPDATE, and a timeout that
    another run already applied fails its source-state check and is skipped."""
    now = now or timezone.now()
    counts = {"reminders": 0, "timeouts": 0}
    for service in registry.all_services():
        workflow = service.workflow
        for state in workflow.states.values():
            if not state.deadline:
                continue
            if state.reminder_before and workflow.on_reminder.get(state.code):
                due = Case.objects.filter(
                    service=service.code,
                    status=state.code,
                    reminder_sent_at__isnull=True,
                    deadline_at__gt=now,
                    deadline_at__lte=now + state.reminder_before,
                ).values_list("pk", flat=True)
                for pk in list(due):
                    counts["reminders"] += _send_reminder(pk, state.code, now)
            expired = Case.objects.filter(
                service=service.code, status=state.code, deadline_at__lte=now
            )
            for case in expired.iterator():
                try:
                    transition_case(
                        case=case,
                        transition=state.timeout_transition,
                        acting_as=SYSTEM,
                        reason="",
                        payload={"deadline": case.deadline_at.isoformat()},
                    )
                except IllegalTransition:
                    continue
                counts["timeouts"] += 1
    return counts


@transaction.atomic
def _send_reminder(pk: int, status: str, now) -> int:
    claimed = Case.objects.filter(pk=pk, status=status, reminder_sent_at__isnull=True).update(
        reminder_sent_at=now
    )
    if not claimed:
        return 0
    case = Case.objects.get(pk=pk)
    event = CaseEvent.objects.create(
        case=case,
        kind=EventKind.REMINDER,
        to_status=status,
        payload={"deadline": case.deadline_at.isoformat()},
    )
    for hook in case.service_type.workflow.on_reminder.get(status, []):
        hook(case, event)
    return 1


# The one write path for files lives beside the virus scan that holds them.
from .files import attach_file as attach_file  # noqa: E402
