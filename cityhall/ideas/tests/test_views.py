"""The ideas pages: who may see and do what, the preview step without JavaScript,
duplicates caught on submit, bad input kept and explained."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cityhall.ideas import services
from cityhall.ideas.models import Idea, State, Support

from .conftest import FIELDS

pytestmark = pytest.mark.django_db


def form_data(**changes):
    return {**FIELDS, **changes}


def test_any_staff_role_may_propose_and_residents_may_not(client, staff_client, make_user, rates):
    resident = make_user("r@example.org", roles=["resident"])
    client.force_login(resident)
    assert client.get(reverse("ideas:propose")).status_code == 403
    staff, _user = staff_client("facility_manager")
    assert staff.get(reverse("ideas:propose")).status_code == 200


def test_preview_shows_the_estimate_before_anything_is_saved(staff_client, rates):
    client, _user = staff_client("finance_clerk")
    response = client.post(reverse("ideas:propose"), form_data(step="preview"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "200.0 hours of staff time a year" in body
    assert "$7,600.00" in body  # 200 h x $38.00
    assert not Idea.objects.exists()
    response = client.post(reverse("ideas:propose"), form_data(step="submit"))
    idea = Idea.objects.get()
    assert response.url == reverse("ideas:detail", args=[idea.pk])
    assert idea.estimated_saving_cents == 760_000


def test_bad_input_is_explained_and_kept(staff_client, rates):
    client, _user = staff_client("finance_clerk")
    response = client.post(
        reverse("ideas:propose"),
        form_data(minutes_each="ten", minutes_after=3, times_per_year=-4, step="submit"),
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert 'id="error-summary"' in body
    assert "Parking permit renewals by email" in body  # what was typed is still there
    assert not Idea.objects.exists()
    response = client.post(
        reverse("ideas:propose"), form_data(minutes_each=5, minutes_after=9, step="submit")
    )
    assert "cannot be longer than today" in response.content.decode()
    assert not Idea.objects.exists()


def test_similar_ideas_stop_a_duplicate_until_confirmed(staff_client, propose):
    existing = propose(title="Parking permit renewals online")
    client, _user = staff_client("permit_reviewer")
    response = client.post(reverse("ideas:propose"), form_data(step="submit"))
    body = response.content.decode()
    assert response.status_code == 400
    assert f"#{existing.pk} Parking permit renewals online" in body
    assert Idea.objects.count() == 1
    client.post(reverse("ideas:propose"), form_data(step="submit", not_a_duplicate="on"))
    assert Idea.objects.count() == 2
    fragment = client.get(reverse("ideas:similar"), {"title": "renew parking permits"})
    assert "Parking permit renewals online" in fragment.content.decode()
    estimate = client.get(
        reverse("ideas:estimate"),
        {"times_per_year": 60, "minutes_each": 30, "minutes_after": 0, "role": "counter_clerk"},
    )
    assert "30.0 hours" in estimate.content.decode()


def test_support_comment_and_page(staff_client, propose):
    idea = propose()
    client, _user = staff_client("police_reviewer")
    client.post(reverse("ideas:support", args=[idea.pk]))
    client.post(reverse("ideas:support", args=[idea.pk]))
    assert Support.objects.filter(idea=idea).count() == 1
    response = client.post(reverse("ideas:comment", args=[idea.pk]), {"body": ""})
    assert response.status_code == 400
    client.post(reverse("ideas:comment", args=[idea.pk]), {"body": "Yes please"})
    page = client.get(reverse("ideas:detail", args=[idea.pk])).content.decode()
    assert "Yes please" in page and "1 person supports this idea." in page
    assert "Digital team" not in page  # not on the team
    client.post(reverse("ideas:support", args=[idea.pk]), {"withdraw": "1"})
    assert not Support.objects.exists()
    assert client.get(reverse("ideas:detail", args=[99999])).status_code == 404


@pytest.mark.parametrize("name", ["queue", "backlog"])
def test_team_pages_are_for_the_digital_team(staff_client, name, make_user):
    client, _user = staff_client("finance_clerk")
    assert client.get(reverse(f"ideas:{name}")).status_code == 403


def test_team_actions_are_refused_to_other_staff(staff_client, propose):
    idea = propose()
    client, _user = staff_client("facility_manager")
    response = client.post(
        reverse("ideas:state", args=[idea.pk]), {"to": "accepted", "note": "sure"}
    )
    assert response.status_code == 403
    assert (
        client.post(reverse("ideas:publish", args=[idea.pk]), {"publish": "yes"}).status_code == 403
    )
    idea.refresh_from_db()
    assert (idea.state, idea.publish) == (State.NEW, False)


def test_the_team_answers_estimates_and_links(staff_client, propose, sample_service):
    idea = propose()
    client, _analyst = staff_client("analyst")
    assert f"#{idea.pk}" in client.get(reverse("ideas:queue")).content.decode()
    response = client.post(reverse("ideas:state", args=[idea.pk]), {"to": "declined", "note": "No"})
    assert response.status_code == 400
    assert "Give the reason for declining" in response.content.decode()
    response = client.post(reverse("ideas:state", args=[idea.pk]), {"to": "live", "note": "x"})
    assert response.status_code == 400  # not a choice from "new"
    client.post(reverse("ideas:state", args=[idea.pk]), {"to": "accepted", "note": "Good one"})
    for bad in ["abc", "NaN", "sNaN", "Infinity", "1e9", "12.345", "-5"]:
        response = client.post(
            reverse("ideas:build", args=[idea.pk]), {"cost": bad, "effort_days": 3}
        )
        assert response.status_code == 400, bad
        assert "Enter an amount in dollars" in response.content.decode()
    client.post(reverse("ideas:build", args=[idea.pk]), {"cost": "$12,500", "effort_days": 20})
    response = client.post(reverse("ideas:link", args=[idea.pk]), {"service_code": "nope"})
    assert response.status_code == 400
    client.post(reverse("ideas:link", args=[idea.pk]), {"service_code": "sample"})
    idea.refresh_from_db()
    assert (idea.state, idea.build_cost_cents, idea.service_code) == (
        "accepted",
        1_250_000,
        "sample",
    )
    assert "Good one" in client.get(reverse("ideas:detail", args=[idea.pk])).content.decode()
    backlog = client.get(reverse("ideas:backlog")).content.decode()
    assert f"#{idea.pk}" in backlog and "0.61" in backlog  # $7,600 / $12,500


def test_merge_from_the_page(staff_client, propose, make_user):
    kept = propose()
    dup = propose(author=make_user("o@staff.example.org", roles=["finance_clerk"]), title="Dup")
    client, _user = staff_client("city_admin")
    response = client.post(reverse("ideas:merge", args=[dup.pk]), {"kept": 999999})
    assert response.status_code == 400
    response = client.post(reverse("ideas:merge", args=[dup.pk]), {"kept": kept.pk, "note": "Same"})
    assert response.url == reverse("ideas:detail", args=[kept.pk])
    dup.refresh_from_db()
    assert dup.state == State.MERGED
    assert Support.objects.filter(idea=kept, user=dup.author).exists()


def test_list_filters_and_digest_opt_out(staff_client, propose, analyst):
    mine = propose(title="Mine")
    other = propose(title="Other idea", department="Parks")
    services.change_state(idea=other, to=State.UNDER_REVIEW, note="n", actor=analyst)
    client, _user = staff_client("finance_clerk")
    body = client.get(reverse("ideas:list"), {"state": "under_review"}).content.decode()
    assert "Other idea" in body and "Mine" not in body
    body = client.get(reverse("ideas:list"), {"department": "Parks"}).content.decode()
    assert "Other idea" in body and f"#{mine.pk} Mine" not in body
    assert client.get(reverse("ideas:list"), {"state": "bogus"}).status_code == 200
    assert "You receive it." in client.get(reverse("ideas:digest")).content.decode()
    client.post(reverse("ideas:digest"), {"digest": "off"})
    assert "You do not receive it." in client.get(reverse("ideas:digest")).content.decode()
    client.post(reverse("ideas:digest"), {"digest": "on"})
    assert "You receive it." in client.get(reverse("ideas:digest")).content.decode()
