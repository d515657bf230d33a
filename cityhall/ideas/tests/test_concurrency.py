"""One support per person under real parallel connections (SQLite WAL with IMMEDIATE
transactions, and PostgreSQL where the unique constraint decides)."""

from __future__ import annotations

import pytest

from cityhall.ideas import services
from cityhall.ideas.models import EventKind, IdeaEvent, Support
from cityhall.testing import in_parallel

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_same_person_supporting_at_once_counts_once(propose, colleagues):
    idea = propose()
    person = colleagues[0]

    def work(_i):
        return services.support_idea(idea=idea, user=person).pk

    results, errors = in_parallel(work, 6)
    assert errors == {}
    assert len(set(results.values())) == 1
    assert Support.objects.filter(idea=idea).count() == 1
    assert IdeaEvent.objects.filter(idea=idea, kind=EventKind.SUPPORTED).count() == 1


def test_different_people_supporting_at_once_all_count(propose, make_user):
    idea = propose()
    people = [make_user(f"p{i}@staff.example.org", roles=["analyst"]) for i in range(5)]
    _results, errors = in_parallel(lambda i: services.support_idea(idea=idea, user=people[i]), 5)
    assert errors == {}
    assert Support.objects.filter(idea=idea).count() == 5
