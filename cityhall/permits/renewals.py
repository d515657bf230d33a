"""Expiry and renewal: reminders before a permit expires, renewing it with
the type's renewal fee, and permits past their date expiring on their own
(the `permits.expiry` periodic job)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.db.models import F, Max
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from cityhall.cases.models import EventKind
from cityhall.cases.services import add_event, transition_case
from cityhall.cases.workflow import SYSTEM
from cityhall.payments.models import InvoiceStatus
from cityhall.payments.services import create_invoice, void_invoice

from . import check as checks
from .errors import PermitError
from .models import Permit, PermitStatus, PermitType, Renewal
from .workflow import ISSUED


@dataclass(frozen=True)
class RenewalState:
    allowed: bool
    why_not: str = ""
    opens_on: date | None = None


def renewal_state(permit: Permit, *, today: date | None = None) -> RenewalState:
    today = today or timezone.localdate()
    permit_type = permit.application.permit_type
    if not permit_type.renewable:
        return RenewalState(False, _("This permit cannot be renewed: apply for a new one."))
    if permit.status != PermitStatus.ACTIVE:
        return RenewalState(False, _("This permit is no longer active: apply for a new one."))
    opens = permit.valid_until - timedelta(days=permit_type.renewal_window_days)
    if today < opens:
        return RenewalState(
            False,
            _("You can renew from %(day)s.") % {"day": formats.date_format(opens, "DATE_FORMAT")},
            opens,
        )
    return RenewalState(True, opens_on=opens)


def open_renewal(permit: Permit) -> Renewal | None:
    return (
        permit.renewals.filter(renewed_at__isnull=True, invoice__status=InvoiceStatus.OPEN)
        .select_related("invoice")
        .first()
    )


@transaction.atomic
def request_renewal(*, permit: Permit, actor) -> Renewal:
    """An invoice for the renewal fee (the same unpaid one if asked twice)."""
    permit = (
        Permit.objects.select_for_update().select_related("application__case").get(pk=permit.pk)
    )
    state = renewal_state(permit)
    if not state.allowed:
        raise PermitError(state.why_not, field="renewal")
    existing = open_renewal(permit)
    if existing is not None:
        return existing
    application = permit.application
    invoice = create_invoice(
        case=application.case,
        schedule=application.permit_type.fee_schedule,
        items=checks.fee_items(application, renewal=True),
        fee_date=timezone.localdate(),  # a renewal pays this year's fee
        notify_payer=False,
    )
    renewal = Renewal.objects.create(
        permit=permit, invoice=invoice, requested_by=actor, old_valid_until=permit.valid_until
    )
    add_event(
        case=application.case,
        kind=EventKind.NOTE,
        actor=actor,
        payload={"renewal": renewal.pk, "outcome": "renewal requested"},
    )
    return renewal


def complete_renewal(*, invoice) -> None:
    """Payments calls this (through services.on_invoice_paid) in the payment's
    transaction: the permit is extended by its validity, a new PDF follows."""
    renewal = (
        Renewal.objects.select_for_update()
        .filter(invoice=invoice, renewed_at__isnull=True)
        .select_related("permit__application__permit_type")
        .first()
    )
    if renewal is None:
        return
    permit = Permit.objects.select_for_update().get(pk=renewal.permit_id)
    case = renewal.permit.application.case
    if permit.status != PermitStatus.ACTIVE:
        # Only possible in a race with expiry (which cancels open renewal invoices).
        add_event(case=case, kind=EventKind.NOTE, payload={"note": "renewal paid after expiry"})
        return
    days = renewal.permit.application.permit_type.validity_days
    permit.valid_until = permit.valid_until + timedelta(days=days)
    permit.save(update_fields=["valid_until"])
    renewal.renewed_at, renewal.new_valid_until = timezone.now(), permit.valid_until
    renewal.save(update_fields=["renewed_at", "new_valid_until"])
    add_event(
        case=case,
        kind=EventKind.NOTE,
        reason=_("Renewed until %(day)s.") % {"day": permit.valid_until.isoformat()},
        payload={"renewal": renewal.pk, "outcome": "renewed"},
        public=True,
    )
    from .tasks import send_renewed_permit

    send_renewed_permit.enqueue(renewal.pk)


def send_expiry_reminders(*, today: date | None = None) -> int:
    """Emails each active permit's holder once per validity period, the type's
    `reminder_days` before it ends. Claimed with a conditional UPDATE: safe to
    run twice, and a renewal (a new end date) earns a new reminder."""
    from cityhall.notifications.services import notify

    from .selectors import email_context

    today = today or timezone.localdate()
    horizon = PermitType.objects.aggregate(most=Max("reminder_days"))["most"] or 0
    candidates = (
        Permit.objects.filter(status=PermitStatus.ACTIVE, valid_until__gte=today)
        .filter(valid_until__lte=today + timedelta(days=horizon))
        .exclude(reminded_for=F("valid_until"))
        .select_related("application__permit_type", "application__case")
    )
    sent = 0
    for permit in candidates:
        permit_type = permit.application.permit_type
        if permit.valid_until - timedelta(days=permit_type.reminder_days) > today:
            continue
        with transaction.atomic():
            claimed = (
                Permit.objects.filter(pk=permit.pk, status=PermitStatus.ACTIVE)
                .exclude(reminded_for=F("valid_until"))
                .update(reminded_for=F("valid_until"))
            )
            if not claimed:
                continue
            case = permit.application.case
            notify(
                to=case.contact_email,
                kind="permit_expiry_reminder",
                language=case.language,
                case=case,
                context=email_context(permit.application),
            )
            sent += 1
    return sent


def expire_permits(*, today: date | None = None) -> int:
    """Active permits whose last valid day has passed become expired."""
    today = today or timezone.localdate()
    expired = 0
    for pk in list(
        Permit.objects.filter(status=PermitStatus.ACTIVE, valid_until__lt=today).values_list(
            "pk", flat=True
        )
    ):
        with transaction.atomic():
            permit = Permit.objects.select_related("application__case").get(pk=pk)
            for renewal in permit.renewals.filter(
                renewed_at__isnull=True, invoice__status=InvoiceStatus.OPEN
            ):
                void_invoice(invoice=renewal.invoice, reason="Permit expired", system=True)
            permit = Permit.objects.select_for_update().get(pk=pk)
            if permit.status != PermitStatus.ACTIVE or permit.valid_until >= today:
                continue
            permit.status = PermitStatus.EXPIRED
            permit.save(update_fields=["status"])
            case = permit.application.case
            if case.status == ISSUED:
                transition_case(
                    case=case,
                    transition="expire",
                    acting_as=SYSTEM,
                    payload={"valid_until": permit.valid_until.isoformat()},
                )
            expired += 1
    return expired
