"""In headless Chromium, English and Spanish, axe-core on every page: a clerk proposes
an idea and sees its estimate first, two colleagues support it, the digital team
accepts it and links it to a service under a pilot; after transactions (insights
rollups rebuilt) the idea page shows estimated and measured savings side by side."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from cityhall.ideas.models import Idea, State, Support
from cityhall.insights import rollups
from cityhall.insights.models import Pilot, StaffRate
from cityhall.insights.tests.conftest import cost_inputs, local, make_case
from cityhall.testing import assert_accessible, current_totp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery"


def sign_in(browser, base, make_user, email, role, prefix):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    user = make_user(email, roles=[role], password=PASSWORD, full_name=email.split("@")[0])
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    page.goto(base + prefix + "/accounts/sign-in/")
    page.fill("[name=username]", user.email)
    page.fill("[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile("/two-factor/"))
    page.fill("[name=code]", current_totp(device))
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile("/staff/"))
    return page


# The service the idea became: one the digital team built without code
# (formbuilder's demo "Report a broken streetlight", published by its seeder).
SERVICE = "streetlight"


def transactions():
    """Offline before the launch (Feb 1), online during the pilot, survey answers."""
    cost_inputs(service=SERVICE)
    for n in range(6):
        when = local(date(2026, 1, 5 + n))
        make_case("counter", when, submitted=when, service=SERVICE)
    for n in range(8):
        moment = local(date(2026, 3, 2 + n), 9)
        make_case("online", moment, submitted=moment, decided_after_hours=5, service=SERVICE)
    rollups.rebuild()


@pytest.mark.parametrize("language", ["en", "es"])
def test_idea_from_proposal_to_measured_savings(browser, live_server, make_user, language):
    from cityhall.formbuilder.demo import seed as publish_demo_services
    from cityhall.payments.demo import seed as demo_fee_schedules

    demo_fee_schedules()
    publish_demo_services()
    prefix = "/es" if language == "es" else ""
    base = live_server.url
    StaffRate.objects.create(
        role="counter_clerk", hourly_cents=3800, effective_from=date(2025, 1, 1)
    )

    clerk = sign_in(browser, base, make_user, "clerk@staff.example.org", "finance_clerk", prefix)
    clerk.goto(base + prefix + "/staff/ideas/")
    assert clerk.locator("html").get_attribute("lang") == language
    assert_accessible(clerk, f"{language}-ideas-list-empty")
    clerk.goto(base + prefix + "/staff/ideas/new/")
    assert_accessible(clerk, f"{language}-ideas-propose")
    # Sent empty: the error summary, messages by the fields.
    clerk.get_by_test_id("submit-idea").click()
    clerk.locator("#error-summary").wait_for()
    assert_accessible(clerk, f"{language}-ideas-propose-errors")
    clerk.fill("[name=title]", "Parking permit renewals by email")
    clerk.fill("[name=department]", "Finance")
    clerk.fill("[name=process_today]", "Paper form at the counter.")
    clerk.fill("[name=times_per_year]", "1200")
    clerk.fill("[name=minutes_each]", "15")
    clerk.fill("[name=minutes_after]", "5")
    clerk.select_option("[name=role]", "counter_clerk")
    clerk.fill("[name=pain_points]", "Queues.")
    clerk.fill("[name=proposed_change]", "An online renewal.")
    # The estimate appears while typing (fetch) and on the preview step (server).
    clerk.get_by_test_id("estimate-dollars").wait_for()
    clerk.get_by_test_id("preview").click()
    clerk.wait_for_load_state()
    assert "7,600.00" in clerk.get_by_test_id("estimate-dollars").inner_text()
    assert re.match(r"200[.,]0 ", clerk.get_by_test_id("estimate-hours").inner_text())
    assert not Idea.objects.exists()
    assert_accessible(clerk, f"{language}-ideas-preview")
    clerk.get_by_test_id("submit-idea").click()
    clerk.wait_for_url(re.compile(r"/staff/ideas/\d+/$"))
    idea = Idea.objects.get()
    assert idea.estimated_saving_cents == 760_000
    assert_accessible(clerk, f"{language}-ideas-idea-author")

    for n in range(2):
        colleague = sign_in(
            browser, base, make_user, f"colleague{n}@staff.example.org", "permit_reviewer", prefix
        )
        colleague.goto(f"{base}{prefix}/staff/ideas/{idea.pk}/")
        colleague.get_by_test_id("support").click()
        colleague.get_by_test_id("withdraw").wait_for()
        assert_accessible(colleague, f"{language}-ideas-supported")
        colleague.context.close()
    assert Support.objects.filter(idea=idea).count() == 2

    team = sign_in(browser, base, make_user, "analyst@staff.example.org", "analyst", prefix)
    team.goto(base + prefix + "/staff/ideas/queue/")
    assert team.get_by_test_id("queue").locator("tbody tr").count() == 1
    assert_accessible(team, f"{language}-ideas-queue")
    team.goto(f"{base}{prefix}/staff/ideas/{idea.pk}/")
    assert_accessible(team, f"{language}-ideas-idea-team")
    team.select_option("[name=to]", "declined")
    team.fill("[name=note]", "Hmm")
    team.get_by_test_id("change-state").click()
    team.locator("#error-summary").wait_for()  # no reason given
    assert_accessible(team, f"{language}-ideas-state-errors")
    team.select_option("[name=to]", "accepted")
    team.fill("[name=note]", "Accepted: we build it this spring.")
    team.get_by_test_id("change-state").click()
    team.locator(".usa-alert--success").wait_for()
    team.fill("[name=cost]", "12500")
    team.fill("[name=effort_days]", "20")
    team.get_by_test_id("save-build").click()
    team.locator(".usa-alert--success").wait_for()
    pilot = Pilot.objects.create(
        service=SERVICE,
        starts_on=date(2026, 2, 1),
        ends_on=date(2026, 12, 31),
        target_take_up_pct=50,
    )
    team.select_option("[name=service_code]", SERVICE)
    team.get_by_test_id("link-service").click()
    team.locator(".usa-alert--success").wait_for()
    team.select_option("[name=pilot]", str(pilot.pk))
    team.get_by_test_id("link-service").click()
    team.locator(".usa-alert--success").wait_for()
    team.select_option("[name=to]", "in_pilot")
    team.fill("[name=note]", "Pilot running.")
    team.get_by_test_id("change-state").click()
    team.locator(".usa-alert--success").wait_for()
    idea.refresh_from_db()
    assert (idea.state, idea.service_code, idea.pilot_id) == (State.IN_PILOT, SERVICE, pilot.pk)

    transactions()
    team.reload()
    table = team.get_by_test_id("estimated-vs-measured")
    assert "7,600.00" in table.get_by_test_id("estimated-saving").inner_text()
    measured = table.get_by_test_id("measured-hard").inner_text()
    assert re.search(r"\d", measured), measured
    assert table.get_by_test_id("measured-take-up").inner_text() == "100.0%"
    assert_accessible(team, f"{language}-ideas-estimated-vs-measured")

    team.goto(base + prefix + "/staff/ideas/backlog/")
    assert_accessible(team, f"{language}-ideas-backlog")
    team.goto(base + prefix + "/staff/ideas/wins/")
    assert_accessible(team, f"{language}-ideas-wins")
    team.goto(base + prefix + "/staff/ideas/digest/")
    assert_accessible(team, f"{language}-ideas-digest")
    team.goto(base + prefix + "/staff/ideas/?state=in_pilot")
    assert team.get_by_test_id("ideas").locator("tbody tr").count() == 1
    assert_accessible(team, f"{language}-ideas-list")
    team.context.close()
    clerk.context.close()
