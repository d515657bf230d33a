"""The ideas services on a real database: estimates, supports (one per person),
answers and their rules, merges without double counting, overdue answers, links."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from cityhall.ideas import selectors, services
from cityhall.ideas.errors import IdeaError
from cityhall.ideas.models import EventKind, Idea, IdeaEvent, State, Support
from cityhall.insights.models import Pilot

from .conftest import CLERK_RATE

pytestmark = pytest.mark.django_db


def test_proposal_estimates_the_annual_saving_at_todays_rate(propose, clerk):
    idea = propose()
    # 1,200 a year x (15 - 5) minutes = 12,000 minutes = 200 hours at $38.00
    assert idea.minutes_saved_a_year == 12_000
    assert idea.hourly_cents == CLERK_RATE
    assert idea.estimated_saving_cents == 200 * CLERK_RATE
    assert idea.state == State.NEW
    [event] = idea.events.all()
    assert (event.kind, event.actor, event.to_state) == (EventKind.PROPOSED, clerk, State.NEW)


def test_a_role_without_a_rate_has_hours_but_no_dollars(propose):
    idea = propose(role="night_watch")
    assert (idea.hourly_cents, idea.estimated_saving_cents) == (None, 0)


def test_time_after_cannot_exceed_time_today(propose):
    with pytest.raises(IdeaError):
        propose(minutes_each=5, minutes_after=6)
    assert not Idea.objects.exists()


def test_one_support_per_person(propose, colleagues):
    idea = propose()
    first = services.support_idea(idea=idea, user=colleagues[0])
    again = services.support_idea(idea=idea, user=colleagues[0])
    assert first.pk == again.pk
    services.support_idea(idea=idea, user=colleagues[1])
    assert idea.supports.count() == 2
    assert idea.events.filter(kind=EventKind.SUPPORTED).count() == 2
    # The database refuses a second row even if the service were bypassed.
    with pytest.raises(IntegrityError), transaction.atomic():
        Support.objects.create(idea=idea, user=colleagues[0])


def test_authors_cannot_support_their_own_idea_nor_a_closed_one(
    propose, clerk, analyst, colleagues
):
    idea = propose()
    with pytest.raises(IdeaError):
        services.support_idea(idea=idea, user=clerk)
    services.change_state(idea=idea, to=State.DECLINED, note="Not now", reason="Law", actor=analyst)
    with pytest.raises(IdeaError):
        services.support_idea(idea=idea, user=colleagues[0])
    assert not Support.objects.exists()


def test_withdrawing_support(propose, colleagues):
    idea = propose()
    services.support_idea(idea=idea, user=colleagues[0])
    assert services.withdraw_support(idea=idea, user=colleagues[0]) is True
    assert services.withdraw_support(idea=idea, user=colleagues[0]) is False
    assert idea.supports.count() == 0
    assert idea.events.filter(kind=EventKind.SUPPORT_WITHDRAWN).count() == 1


def test_only_the_digital_team_answers_and_every_answer_has_a_public_note(propose, clerk, analyst):
    idea = propose()
    with pytest.raises(IdeaError):
        services.change_state(idea=idea, to=State.ACCEPTED, note="yes", actor=clerk)
    with pytest.raises(IdeaError):
        services.change_state(idea=idea, to=State.ACCEPTED, note="  ", actor=analyst)
    with pytest.raises(IdeaError):
        services.change_state(idea=idea, to=State.DECLINED, note="no", actor=analyst)
    with pytest.raises(IdeaError):  # not a transition from new
        services.change_state(idea=idea, to=State.LIVE, note="go", actor=analyst)
    idea.refresh_from_db()
    assert (idea.state, idea.answered_at) == (State.NEW, None)
    services.change_state(idea=idea, to=State.UNDER_REVIEW, note="Looking at it", actor=analyst)
    idea.refresh_from_db()
    assert idea.state == State.UNDER_REVIEW and idea.answered_at is not None
    event = idea.events.get(kind=EventKind.STATE_CHANGED)
    assert (event.from_state, event.to_state, event.note) == (
        "new",
        "under_review",
        "Looking at it",
    )


def test_declining_keeps_the_reason_and_the_database_insists_on_one(propose, analyst):
    idea = propose()
    services.change_state(
        idea=idea,
        to=State.DECLINED,
        note="Thank you",
        reason="A state system does it",
        actor=analyst,
    )
    idea.refresh_from_db()
    assert idea.decline_reason == "A state system does it"
    with pytest.raises(IntegrityError), transaction.atomic():
        Idea.objects.filter(pk=idea.pk).update(decline_reason="")


def test_pilot_and_live_need_the_service_linked(propose, analyst, sample_service):
    idea = propose()
    services.change_state(idea=idea, to=State.ACCEPTED, note="Yes", actor=analyst)
    with pytest.raises(IdeaError):
        services.change_state(idea=idea, to=State.IN_PILOT, note="Pilot", actor=analyst)
    with pytest.raises(IdeaError):
        services.link_service(
            idea=idea, service_code="no_such_service", pilot_id=None, actor=analyst
        )
    other = Pilot.objects.create(
        service="police_report", starts_on=date(2026, 1, 1), ends_on=date(2026, 6, 30)
    )
    with pytest.raises(IdeaError):  # a pilot of another service
        services.link_service(idea=idea, service_code="sample", pilot_id=other.pk, actor=analyst)
    pilot = Pilot.objects.create(
        service="sample", starts_on=date(2026, 1, 1), ends_on=date(2026, 6, 30)
    )
    services.link_service(idea=idea, service_code="sample", pilot_id=pilot.pk, actor=analyst)
    services.change_state(idea=idea, to=State.IN_PILOT, note="Pilot", actor=analyst)
    services.change_state(idea=idea, to=State.LIVE, note="Live", actor=analyst)
    idea.refresh_from_db()
    assert (idea.state, idea.service_code, idea.pilot) == (State.LIVE, "sample", pilot)


def test_a_new_idea_cannot_be_linked_yet(propose, analyst, sample_service):
    idea = propose()
    with pytest.raises(IdeaError):
        services.link_service(idea=idea, service_code="sample", pilot_id=None, actor=analyst)


def test_merge_carries_supports_over_without_double_counting(
    propose, make_user, analyst, colleagues
):
    kept = propose()
    other_author = make_user("other@staff.example.org", roles=["facility_manager"])
    duplicate = propose(author=other_author, title="Renew parking permits online")
    a, b, c = colleagues
    services.support_idea(idea=kept, user=a)
    services.support_idea(idea=duplicate, user=a)  # supports both: counted once
    services.support_idea(idea=duplicate, user=b)
    # The kept idea's author supporting the duplicate is not carried to their own idea.
    services.support_idea(idea=duplicate, user=kept.author)
    services.merge_ideas(duplicate=duplicate, kept=kept, actor=analyst, note="Same idea")
    duplicate.refresh_from_db()
    assert (duplicate.state, duplicate.merged_into) == (State.MERGED, kept)
    supporters = set(Support.objects.filter(idea=kept).values_list("user_id", flat=True))
    assert supporters == {a.pk, b.pk, other_author.pk}
    assert not Support.objects.filter(idea=duplicate).exists()
    assert kept.events.get(kind=EventKind.MERGED).payload["supports_moved"] == 2
    assert c.pk not in supporters
    with pytest.raises(IdeaError):  # a merged idea is closed
        services.merge_ideas(duplicate=duplicate, kept=kept, actor=analyst)
    with pytest.raises(IdeaError):
        services.merge_ideas(duplicate=kept, kept=kept, actor=analyst)


def test_merge_is_for_the_digital_team(propose, clerk, make_user):
    kept = propose()
    duplicate = propose(author=make_user("x@staff.example.org", roles=["finance_clerk"]))
    with pytest.raises(IdeaError):
        services.merge_ideas(duplicate=duplicate, kept=kept, actor=clerk)
    duplicate.refresh_from_db()
    assert duplicate.state == State.NEW


def test_similar_ideas_find_duplicates_by_words_and_trigrams(propose, analyst):
    kept = propose(title="Parking permit renewals by email")
    propose(title="Dog licence reminders")
    declined = propose(title="Parking permits renewal online")
    services.change_state(idea=declined, to=State.DECLINED, note="n", reason="r", actor=analyst)
    found = selectors.similar_ideas("renew parking permit")
    assert found == [kept]  # the declined one is not open
    assert selectors.similar_ideas("Tree trimming requests") == []
    assert selectors.similar_ideas("ab") == []


def test_overdue_answers_are_flagged(propose, analyst, settings):
    settings.CITYHALL_IDEAS_ANSWER_DAYS = 10
    old = propose(title="Old idea")
    Idea.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=11))
    recent = propose(title="Recent idea")
    Idea.objects.filter(pk=recent.pk).update(created_at=timezone.now() - timedelta(days=9))
    answered = propose(title="Answered old idea")
    Idea.objects.filter(pk=answered.pk).update(created_at=timezone.now() - timedelta(days=30))
    services.change_state(idea=answered, to=State.UNDER_REVIEW, note="On it", actor=analyst)
    rows = {i.title: i.overdue for i in selectors.unanswered()}
    assert rows == {"Old idea": True, "Recent idea": False}
    assert selectors.unanswered_count() == 2
    settings.CITYHALL_IDEAS_ANSWER_DAYS = 8
    assert all(i.overdue for i in selectors.unanswered())


def test_backlog_ranks_by_saving_per_dollar_of_build_cost(propose, analyst):
    cheap = propose(title="Cheap", times_per_year=100, minutes_each=60, minutes_after=0)
    big = propose(title="Big", times_per_year=1000, minutes_each=60, minutes_after=0)
    unknown = propose(title="No estimate yet", times_per_year=5000, minutes_each=60)
    services.record_build_estimate(idea=cheap, cost_cents=38_00, effort_days=1, actor=analyst)
    services.record_build_estimate(idea=big, cost_cents=380_000_00, effort_days=200, actor=analyst)
    ranked = [i.title for i in selectors.backlog()]
    # cheap: $3,800 saved / $38 = 100; big: $38,000 / $380,000 = 0.1; unknown last
    assert ranked == ["Cheap", "Big", "No estimate yet"]
    assert unknown.build_cost_cents is None
    with pytest.raises(IdeaError):
        services.record_build_estimate(idea=big, cost_cents=-1, effort_days=1, actor=analyst)


def test_public_ideas_hide_names_without_consent(propose, analyst, clerk, make_user):
    shown = propose(title="Shown", author_name_consent=True)
    hidden = propose(title="Hidden name")
    propose(title="Not published")
    for idea in (shown, hidden):
        services.set_publishing(idea=idea, publish=True, actor=analyst)
    services.change_state(idea=hidden, to=State.UNDER_REVIEW, note="Reviewing", actor=analyst)
    public = {row["title"]: row for row in selectors.public_ideas()}
    assert set(public) == {"Shown", "Hidden name"}
    assert public["Shown"]["author"] == "Ana Clerk"
    assert public["Hidden name"]["author"] is None
    assert public["Hidden name"]["answers"][0]["note"] == "Reviewing"
    with pytest.raises(IdeaError):  # only the author consents
        services.set_name_consent(idea=hidden, consent=True, actor=analyst)
    services.set_name_consent(idea=hidden, consent=True, actor=clerk)
    assert {r["title"]: r["author"] for r in selectors.public_ideas()}["Hidden name"] == "Ana Clerk"
    with pytest.raises(IdeaError):
        services.set_publishing(
            idea=hidden,
            publish=False,
            actor=make_user("n@staff.example.org", roles=["finance_clerk"]),
        )


def test_comments(propose, colleagues):
    idea = propose()
    with pytest.raises(IdeaError):
        services.comment(idea=idea, author=colleagues[0], body="   ")
    services.comment(idea=idea, author=colleagues[0], body="We get 20 a week too.")
    assert idea.comments.get().body == "We get 20 a week too."
    assert IdeaEvent.objects.filter(idea=idea, kind=EventKind.COMMENTED).count() == 1
