"""The post-transaction survey (OMB A-11 §280): after a case closes, the
resident gets an email with a signed link; one answer per case, no account.

The cases foundation calls `invite_after_close` for every case that closes
(cases.registry.on_case_closed); the invitation itself is sent by the worker a
little later (`CITYHALL_SURVEY_DELAY_MINUTES`), after the email that tells
the resident the outcome.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation

from cityhall.cases.models import Case

from . import rollups
from .models import SurveyResponse

SALT = "cityhall.insights.survey"
MAX_AGE = timedelta(days=180)  # links older than this no longer take answers
KIND = "insights_survey"


class AlreadyAnswered(Exception):
    pass


def survey_token(case: Case) -> str:
    return signing.dumps(case.public_id.hex, salt=SALT, compress=True)


def case_from_token(token: str) -> Case | None:
    try:
        public_id = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:  # also SignatureExpired
        return None
    return Case.objects.filter(public_id=public_id).first()


def survey_url(case: Case) -> str:
    with translation.override(case.language):
        path = reverse("insights:survey", kwargs={"token": survey_token(case)})
    return settings.CITY_SITE_URL + path


def eligible(case: Case) -> bool:
    """A case the resident sent and the city finished, with an address to write to."""
    return bool(case.closed_at and case.submitted_at and case.contact_email)


def invite_after_close(case: Case, event) -> None:
    """Hook for cases.registry.on_case_closed: queues the invitation."""
    if not eligible(case):
        return
    from .tasks import send_survey_invitation

    delay = timedelta(minutes=settings.CITYHALL_SURVEY_DELAY_MINUTES)
    task = send_survey_invitation
    if delay:
        task = task.using(run_after=timezone.now() + delay)
    task.enqueue(case.pk)


@transaction.atomic
def send_invitation(case_id: int) -> str:
    """Emails the survey link once per case (safe to run twice)."""
    from cityhall.notifications.models import Notification
    from cityhall.notifications.services import notify

    case = Case.objects.select_for_update().filter(pk=case_id).first()
    if case is None or not eligible(case):
        return "not eligible"
    if SurveyResponse.objects.filter(case=case).exists():
        return "already answered"
    if Notification.objects.filter(case=case, kind=KIND).exists():
        return "already invited"
    notify(
        to=case.contact_email,
        kind=KIND,
        language=case.language,
        case=case,
        context={"survey_url": survey_url(case), "status_url": ""},
    )
    return "invited"


def submit_answer(
    *, case: Case, satisfaction: int, trust: int, comment: str = "", language: str = "en"
) -> SurveyResponse:
    """Records the one answer for this case and adds it to the rollups."""
    if not (1 <= satisfaction <= 5 and 1 <= trust <= 5):
        raise ValueError("answers run from 1 to 5")
    try:
        with transaction.atomic():
            if SurveyResponse.objects.filter(case=case).exists():
                raise AlreadyAnswered
            response = SurveyResponse.objects.create(
                case=case,
                service=case.service,
                channel=case.channel,
                satisfaction=satisfaction,
                trust=trust,
                comment=(comment or "").strip()[:1000],
                language=language,
            )
            rollups.record_survey(response)
    except IntegrityError as error:  # two answers sent at the same moment
        raise AlreadyAnswered from error
    return response
