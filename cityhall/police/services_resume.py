"""The "save and come back later" email of the resident's journey."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.translation import gettext as _

from cityhall.core.ratelimit import allow
from cityhall.notifications.services import notify

from .models import PoliceReport
from .services import ReportError

RESUME_EMAILS_PER_HOUR = 3


def send_resume_link(*, report: PoliceReport, salt: str) -> None:
    """Emails the 'come back to your report' link; a few per hour per address at most,
    so the form cannot be used to flood someone's inbox from the city's domain."""
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
