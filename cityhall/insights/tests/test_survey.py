"""The satisfaction survey: invited after a case closes (through the cases
foundation's generic hook), one answer per case, signed link, no account."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command

from cityhall.cases import registry as cases_registry
from cityhall.cases import services as cases
from cityhall.insights import survey
from cityhall.insights.models import Rollup, SurveyResponse
from cityhall.insights.tasks import send_survey_invitation


@pytest.fixture(autouse=True)
def _no_delay(settings):
    settings.CITYHALL_SURVEY_DELAY_MINUTES = 0


def run_worker():
    call_command(
        "db_worker", batch=True, reload=False, startup_delay=False, verbosity=0, queue_name="*"
    )


def closed_case(make_user, *, email="ana@example.org", language="en", decision="approve"):
    officer = make_user(f"officer-{email}@staff.example.org", roles=["permit_reviewer"])
    case = cases.open_case(
        service="sample", contact_email=email, contact_name="Ana", language=language
    )
    cases.transition_case(case=case, transition="submit", acting_as="applicant")
    cases.transition_case(case=case, transition=decision, actor=officer, reason="Incomplete")
    return case


def survey_link(case) -> str:
    [message] = [m for m in mail.outbox if case.reference in m.subject]
    return re.search(r"https?://\S+/survey/\S+/", message.body).group(0)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["en", "es"])
def test_closing_a_case_emails_the_survey_and_one_answer_counts(
    sample_service, make_user, client, settings, language
):
    settings.CITY_SITE_URL = "http://testserver"
    case = closed_case(make_user, language=language)
    mail.outbox.clear()
    run_worker()
    link = survey_link(case)
    assert ("/es/survey/" in link) == (language == "es")
    path = link.removeprefix("http://testserver")

    page = client.get(path)
    assert page.status_code == 200 and b'name="satisfaction"' in page.content
    # Nothing chosen: messages by the fields, the comment kept.
    page = client.post(path, {"comment": "Quick and clear"})
    assert page.status_code == 200 and b"error-summary" in page.content
    assert b"Quick and clear" in page.content
    assert not SurveyResponse.objects.exists()
    # Out-of-range answers are refused as a choice, not a crash.
    page = client.post(path, {"satisfaction": "9", "trust": "0"})
    assert page.status_code == 200 and not SurveyResponse.objects.exists()

    page = client.post(path, {"satisfaction": "4", "trust": "5", "comment": "Quick and clear"})
    assert page.status_code == 302
    answer = SurveyResponse.objects.get()
    assert (answer.case, answer.satisfaction, answer.trust) == (case, 4, 5)
    assert answer.service == "sample" and answer.language == language
    day = Rollup.objects.get(grain="d", surveys=1)
    assert (day.satisfaction_sum, day.satisfied, day.trust_sum, day.trusting) == (4, 1, 5, 1)

    # A second answer is not taken; the page thanks them again.
    page = client.post(path, {"satisfaction": "1", "trust": "1"})
    assert SurveyResponse.objects.count() == 1
    assert client.get(path).status_code == 200
    assert b"survey-thanks" in client.get(path).content


def test_invitation_is_sent_once_even_if_the_task_runs_twice(db, sample_service, make_user):
    case = closed_case(make_user)
    assert send_survey_invitation.call(case.pk) == "invited"
    assert send_survey_invitation.call(case.pk) == "already invited"


def test_no_invitation_without_an_email_or_for_a_case_never_sent(db, sample_service, make_user):
    no_email = closed_case(make_user, email="")
    assert survey.send_invitation(no_email.pk) == "not eligible"
    draft = cases.open_case(service="sample", contact_email="bo@example.org")
    cases.transition_case(case=draft, transition="submit", acting_as="applicant")
    assert survey.send_invitation(draft.pk) == "not eligible"  # not closed yet


def test_bad_tampered_and_unfinished_links_get_a_404_page(db, sample_service, client):
    assert client.get("/survey/nonsense/").status_code == 404
    case = cases.open_case(service="sample", contact_email="bo@example.org")
    token = survey.survey_token(case)
    assert client.get(f"/survey/{token}/").status_code == 404  # not finished
    assert client.get(f"/survey/{token[:-2]}xx/").status_code == 404
    assert client.post(f"/survey/{token}/", {"satisfaction": "5", "trust": "5"}).status_code == 404
    assert not SurveyResponse.objects.exists()


def test_submit_answer_refuses_out_of_range_and_a_second_answer(db, sample_service, make_user):
    case = closed_case(make_user)
    with pytest.raises(ValueError):
        survey.submit_answer(case=case, satisfaction=6, trust=3)
    survey.submit_answer(case=case, satisfaction=3, trust=3)
    with pytest.raises(survey.AlreadyAnswered):
        survey.submit_answer(case=case, satisfaction=5, trust=5)


def test_the_hook_is_registered_and_cases_never_imports_insights():
    assert survey.invite_after_close in cases_registry.case_closed_hooks()
    root = Path(cases_registry.__file__).parent
    for module in root.rglob("*.py"):
        assert "insights" not in module.read_text(), module
