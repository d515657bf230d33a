"""The dashboards and the survey in headless Chromium, English and Spanish,
with axe-core (WCAG 2.2 AA rules) on every page; the charts are drawn."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from cityhall.cases import services as cases
from cityhall.insights import rollups, survey
from cityhall.insights.models import Pilot, SurveyResponse
from cityhall.testing import assert_accessible, current_totp

from .conftest import cost_inputs

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery"
PERIOD = "?start=2026-01-01&end=2026-03-31"


@pytest.fixture
def ready(history):
    cost_inputs()
    rollups.rebuild()
    Pilot.objects.create(
        service="sample",
        starts_on=date(2026, 2, 1),
        ends_on=date(2026, 3, 31),
        target_take_up_pct=40,
        target_satisfaction=4,
    )


def sign_in(page, make_user, role="analyst"):
    user = make_user(f"{role}@staff.example.org", roles=[role], password=PASSWORD)
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    page.goto(page.base + "/accounts/sign-in/")
    page.fill("[name=username]", user.email)
    page.fill("[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile("/two-factor/"))
    page.fill("[name=code]", current_totp(device))
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile("/staff/"))


@pytest.mark.parametrize("language", ["en", "es"])
def test_dashboards_are_accessible_and_draw_their_charts(page, ready, make_user, language):
    prefix = "/es" if language == "es" else ""
    sign_in(page, make_user)
    page.goto(page.base + prefix + "/staff/")
    page.locator("a[href$='/staff/insights/']").first.click()
    page.wait_for_url(re.compile("/staff/insights/$"))
    assert page.locator("html").get_attribute("lang") == language
    assert_accessible(page, f"{language}-insights-dashboard")

    page.goto(page.base + prefix + "/staff/insights/" + PERIOD)
    assert page.locator("tr[data-service=sample] td").nth(2).inner_text() == "94.1%"
    # Chart.js drew every chart (a canvas with pixels), each with its table.
    drawn = page.evaluate(
        "() => [...document.querySelectorAll('canvas[data-chart]')].map(c => !!Chart.getChart(c))"
    )
    assert drawn == [True, True, True]
    assert page.locator("canvas[data-chart] ~ table, section table").count() >= 3
    assert page.get_by_test_id("pilot").get_attribute("data-verdict") == "too_early"
    assert_accessible(page, f"{language}-insights-dashboard-period")

    page.locator("tr[data-service=sample] th a").click()
    page.wait_for_url(re.compile("/staff/insights/services/sample/"))
    assert page.locator("[data-kpi=digital_take_up]").inner_text() == "31.2%"
    assert page.evaluate("() => document.querySelectorAll('canvas[data-chart]').length") == 6
    assert_accessible(page, f"{language}-insights-service")

    # Bad dates: a summary, messages by the fields, what was typed kept.
    page.goto(page.base + prefix + "/staff/insights/?start=2026-03-01&end=2026-01-01")
    page.locator("#error-summary").wait_for()
    assert_accessible(page, f"{language}-insights-errors")

    page.goto(page.base + prefix + "/staff/insights/" + PERIOD)
    page.get_by_test_id("request-report").click()
    page.wait_for_url(re.compile("/staff/insights/$"))
    assert page.locator(".usa-alert--success").count() == 1
    assert_accessible(page, f"{language}-insights-report-requested")


@pytest.mark.parametrize("language", ["en", "es"])
def test_survey_pages_are_accessible(page, sample_service, make_user, language):
    officer = make_user("officer@staff.example.org", roles=["permit_reviewer"])
    case = cases.open_case(service="sample", contact_email="ana@example.org", language=language)
    cases.transition_case(case=case, transition="submit", acting_as="applicant")
    cases.transition_case(case=case, transition="approve", actor=officer)
    url = survey.survey_url(case).split("/", 3)[3]  # path without the configured site
    page.goto(f"{page.base}/{url}")
    assert page.locator("html").get_attribute("lang") == language
    assert_accessible(page, f"{language}-survey")
    page.fill("[name=comment]", "Rápido y claro")
    page.get_by_test_id("send-survey").click()
    page.locator("#error-summary").wait_for()
    assert page.input_value("[name=comment]") == "Rápido y claro"
    assert_accessible(page, f"{language}-survey-errors")
    page.locator("label[for=id_satisfaction_0]").click()
    page.locator("label[for=id_trust_1]").click()
    page.get_by_test_id("send-survey").click()
    page.get_by_test_id("survey-thanks").wait_for()
    assert_accessible(page, f"{language}-survey-thanks")
    answer = SurveyResponse.objects.get()
    assert (answer.satisfaction, answer.trust, answer.comment) == (5, 4, "Rápido y claro")
    page.goto(page.base + ("/es" if language == "es" else "") + "/survey/broken-link/")
    assert_accessible(page, f"{language}-survey-invalid")


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_digital_team_keeps_the_cost_inputs_on_an_accessible_page(
    page, ready, make_user, language
):
    prefix = "/es" if language == "es" else ""
    sign_in(page, make_user, role="digital_team")
    page.goto(page.base + prefix + "/staff/insights/services/sample/" + PERIOD)
    page.locator("a[href$='/staff/insights/services/sample/costs/']").click()
    page.wait_for_url(re.compile("/costs/$"))
    assert page.locator("html").get_attribute("lang") == language
    assert_accessible(page, f"{language}-insights-costs")
    page.locator("a[href='?channel=online#model']").click()
    page.wait_for_url(re.compile("channel=online"))
    page.fill("[name=model-effective_from]", "2026-04-01")
    page.fill("[name=model-review_minutes]", "4")
    page.select_option("[name=model-review_role]", "officer")
    page.locator("form:has([name=part][value=model]) button[type=submit]").click()
    page.wait_for_url(re.compile("channel=online"))
    assert page.locator(".usa-alert--success").count() == 1
    assert_accessible(page, f"{language}-insights-costs-saved")
