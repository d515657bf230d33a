"""Background work for bookings. Each task takes ids, re-reads rows and is safe to run twice."""

from __future__ import annotations

import logging

from django.db import transaction
from django_tasks import task

from .models import Booking

logger = logging.getLogger(__name__)


def _attachments(booking, document):
    from cityhall.notifications.services import Attachment

    from . import ics
    from .selectors import booking_calendar

    case = booking.case
    calendar_name = ics.store(
        booking_calendar(booking),
        name=f"{case.public_id.hex}-{booking.calendar_sequence}.ics",
    )
    return [
        Attachment(f"booking-{case.reference}.pdf", "application/pdf", document.file.name),
        Attachment(f"booking-{case.reference}.ics", "text/calendar", calendar_name),
    ]


@task()
def send_confirmation(booking_id: int) -> str:
    """Issues the confirmation PDF and emails it with the .ics file, once."""
    from cityhall.documents.services import issue_document
    from cityhall.notifications.services import deliver, notify

    from .document import DOCUMENT_KIND, confirmation_content
    from .selectors import email_context
    from .workflow import is_confirmed

    with transaction.atomic():
        booking = (
            Booking.objects.select_for_update(of=("self",))
            .select_related("case", "unit__facility", "invoice")
            .get(pk=booking_id)
        )
        case = booking.case
        if not is_confirmed(case.status):
            return "not confirmed"
        if case.documents.filter(kind=DOCUMENT_KIND).exists():
            return "already sent"
        document = issue_document(
            case=case,
            kind=DOCUMENT_KIND,
            issued_by=case.decided_by,
            **confirmation_content(booking),
        )
        if not case.contact_email:
            return "issued, no email"  # a caller without one: staff print it for them
        notification = notify(
            to=case.contact_email,
            kind="booking_confirmed",
            language=case.language,
            case=case,
            context=email_context(booking) | {"document": document},
            attachments=_attachments(booking, document),
        )
    deliver(notification.pk)  # now; its own task then finds it sent
    return "sent"


@task()
def send_change_notice(booking_id: int, sequence: int) -> str:
    """After a change: a corrected PDF (superseding the last) and an updated .ics."""
    from cityhall.documents.services import issue_document
    from cityhall.notifications.services import deliver, notify

    from .document import DOCUMENT_KIND, confirmation_content
    from .selectors import email_context
    from .workflow import is_confirmed

    with transaction.atomic():
        claimed = Booking.objects.filter(
            pk=booking_id, calendar_sequence=sequence, notified_sequence__lt=sequence
        ).update(notified_sequence=sequence)
        if not claimed:
            return "superseded or already sent"
        booking = Booking.objects.select_related("case", "unit__facility", "invoice").get(
            pk=booking_id
        )
        case = booking.case
        if not is_confirmed(case.status):
            return "not confirmed"
        current = case.documents.filter(kind=DOCUMENT_KIND, superseded_by__isnull=True).first()
        document = issue_document(
            case=case,
            kind=DOCUMENT_KIND,
            supersedes=current,
            correction_reason="Booking changed" if current else "",
            **confirmation_content(booking),
        )
        notification = notify(
            to=case.contact_email,
            kind="booking_changed",
            language=case.language,
            case=case,
            context=email_context(booking) | {"document": document},
            attachments=_attachments(booking, document),
        )
    deliver(notification.pk)
    return "sent"


@task()
def release_holds() -> int:
    from .lifecycle import release_expired_holds

    return release_expired_holds()


@task()
def complete_bookings() -> int:
    from .lifecycle import complete_past_bookings

    return complete_past_bookings()


@task()
def refund_late_payment(booking_id: int) -> int:
    """A payment that reached a booking already released is refunded in full."""
    from django.utils.translation import gettext_lazy

    from cityhall.payments.selectors import successful_payment

    from . import pricing
    from .lifecycle import in_english
    from .workflow import occupies

    with transaction.atomic():
        booking = Booking.objects.select_related("case").get(pk=booking_id)
        invoice = pricing.lock_invoice(booking)
        if not pricing.is_paid(invoice) or occupies(booking.case.status):
            return 0
        payment = successful_payment(invoice)
        if payment is None:
            return 0
        return pricing.release_money(
            booking=booking,
            refund_cents=payment.refundable_cents,
            reason=in_english(gettext_lazy("Paid after the booking was released.")),
        )
