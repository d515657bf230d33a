"""The weekly digest (once a week, opt-out respected, link to opt out) and the demo."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from cityhall.ideas import digest, selectors, services
from cityhall.ideas.models import DigestOptOut, DigestRun, Idea, State
from cityhall.notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_digest_goes_once_a_week_to_staff_who_did_not_opt_out(propose, analyst, clerk, make_user):
    quiet = make_user("quiet@staff.example.org", roles=["permit_reviewer"])
    make_user("resident@example.org", roles=["resident"])
    DigestOptOut.objects.create(user=quiet)
    idea = propose()
    services.change_state(idea=idea, to=State.UNDER_REVIEW, note="Looking", actor=analyst)
    assert digest.send_weekly_digest() == 2
    assert digest.send_weekly_digest() == 0  # the same week: not again
    emails = Notification.objects.filter(kind="ideas_digest")
    assert sorted(e.to_email for e in emails) == [analyst.email, clerk.email]
    body = emails.first().body_text
    assert "Parking permit renewals by email" in body and "Looking" in body
    assert "/staff/ideas/digest/" in body
    assert DigestRun.objects.get().recipients == 2


def test_no_digest_in_a_quiet_week(db, clerk):
    assert digest.send_weekly_digest() == 0
    assert not DigestRun.objects.exists()


def test_the_periodic_job_is_registered():
    from cityhall.core.registry import registry

    assert "ideas.digest" in registry.periodic


def test_demo_has_a_live_idea_linked_to_the_police_pilot(db, settings):
    settings.DEBUG = True
    out = io.StringIO()
    call_command("seed_demo", "--quiet", "--scale", "300", stdout=out)
    live = Idea.objects.get(state=State.LIVE)
    assert live.service_code == "police_report" and live.pilot.service == "police_report"
    assert {i.state for i in Idea.objects.all()} >= {"new", "under_review", "accepted", "declined"}
    assert selectors.measured(live) is not None
    assert [row["title"] for row in selectors.public_ideas()] == [live.title]
    call_command("seed_demo", "--quiet", "--scale", "300", stdout=out)
    assert Idea.objects.count() == 5


def test_demo_without_history_still_has_a_live_idea(db, settings):
    settings.DEBUG = True
    call_command("seed_demo", "--quiet", "--scale", "0")
    live = Idea.objects.get(state=State.LIVE)
    assert live.service_code == "police_report" and live.pilot is None
