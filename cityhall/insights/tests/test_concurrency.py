"""Folds, answers and a rebuild at the same moment on real parallel connections
(SQLite in WAL mode with IMMEDIATE transactions, and PostgreSQL): the rollups
come out exactly as a rebuild makes them; one answer per case."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from cityhall.cases import services as cases
from cityhall.insights import rollups, survey
from cityhall.insights.models import SurveyResponse
from cityhall.testing import in_parallel

from .test_rollups import snapshot

pytestmark = pytest.mark.django_db(transaction=True)


def test_parallel_folds_and_answers_count_everything_once(sample_service, make_user):
    officer = make_user("officer@staff.example.org", roles=["permit_reviewer"])
    closed = []
    for i in range(6):
        case = cases.open_case(
            service="sample", channel="online", contact_email=f"r{i}@example.org"
        )
        cases.transition_case(case=case, transition="submit", acting_as="applicant")
        cases.transition_case(case=case, transition="approve", actor=officer)
        closed.append(case)
    later = timezone.now() + rollups.LAG + timedelta(seconds=1)

    def work(i):
        if i % 2:
            return rollups.fold_new_events(now=later)
        try:
            survey.submit_answer(case=closed[i // 2], satisfaction=4, trust=4)
        except survey.AlreadyAnswered:
            return "already"
        return "answered"

    _results, errors = in_parallel(work, 6)
    assert not errors, errors
    # Everyone answers the same case at once: exactly one answer is kept.
    _results, errors = in_parallel(
        lambda i: survey.submit_answer(case=closed[5], satisfaction=5, trust=5), 4
    )
    assert SurveyResponse.objects.filter(case=closed[5]).count() == 1
    assert all(isinstance(e, survey.AlreadyAnswered) for e in errors.values()), errors
    assert len(errors) == 3
    folded = snapshot()
    rollups.rebuild()
    assert snapshot() == folded
