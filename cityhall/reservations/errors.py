"""Booking errors: each message is fit to show the person who caused it."""

from __future__ import annotations

from django.utils.translation import gettext as _

from cityhall.cases.errors import CaseError

NON_FIELD = "__all__"


class BookingError(CaseError):
    """One problem; `field` says which input it belongs to (a form field or an API field)."""

    def __init__(self, message, field: str | None = None):
        self.field = field
        super().__init__(message)


class BookingInvalid(BookingError):
    """Several problems with the requested time or details: {field: [messages]}."""

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        first = next(iter(errors.values()))[0]
        field = next(iter(errors))
        super().__init__(first, None if field == NON_FIELD else field)


class SlotTaken(BookingError):
    """Somebody else has (or is holding) this time. `alternatives` are free
    times nearby, filled in by the caller's service once the transaction is over."""

    def __init__(self, message=None):
        self.alternatives: list = []
        super().__init__(
            message
            or _(
                "Sorry, this time was just taken by someone else. Choose another time, "
                "or join the waitlist to be offered it first if it is freed."
            ),
            None,
        )
