"""Decisions and submissions at the same moment, on real parallel connections
(one per thread; SQLite in WAL mode with IMMEDIATE transactions, and PostgreSQL)."""

from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from cityhall.cases.errors import IllegalTransition
from cityhall.cases.models import CaseEvent, ReferenceSequence
from cityhall.core.models import IdempotencyRecord
from cityhall.notifications.models import Notification
from cityhall.police import decisions, services
from cityhall.police.models import PoliceReport, PropertyItem, RejectionReason, RmsExport
from cityhall.testing import in_parallel as run_in_parallel

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 8


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()
    yield
    cache.clear()


def in_parallel(work, count=THREADS):
    return run_in_parallel(work, count)


def body(serial="WTU 123 G4567") -> dict:
    start = timezone.now() - timedelta(days=2)
    return {
        "reporter": {
            "first_name": "Ana",
            "last_name": "García",
            "email": "ana@example.org",
            "phone": "(213) 555-0147",
            "language": "es",
        },
        "incident": {
            "kind": "stolen",
            "occurred_from": start.isoformat(),
            "occurred_to": (start + timedelta(hours=3)).isoformat(),
            "address": "200 N Spring St",
            "narrative": "Taken from the rack.",
        },
        "items": [
            {
                "category": "04",
                "description": "Road bicycle",
                "brand": "Trek",
                "serial_number": serial,
                "quantity": 1,
                "value_cents": 89900,
            }
        ],
        "declaration_accepted": True,
    }


def submitted_report() -> PoliceReport:
    start = timezone.now() - timedelta(days=1)
    return services.file_report(
        reporter=services.Reporter(first_name="Ana", last_name="García", email="ana@example.org"),
        incident=services.Incident(
            kind="stolen",
            occurred_from=start,
            occurred_to=None,
            location="200 N Spring St",
            narrative="Taken from the rack.",
        ),
        items=[services.ItemInput(category="04", description="Road bicycle", value_cents=89900)],
        declaration_accepted=True,
    )


@pytest.fixture
def officers(make_user):
    return [
        make_user(f"officer{i}@staff.example.org", roles=["police_reviewer"])
        for i in range(THREADS)
    ]


def test_eight_officers_approving_at_once_give_one_approval_and_one_number(officers):
    pk = submitted_report().pk

    def approve(i):
        report = PoliceReport.objects.select_related("case").get(pk=pk)
        return decisions.approve_report(report=report, officer=officers[i])

    results, errors = in_parallel(approve)

    assert len(results) == 1, (results, errors)
    assert len(errors) == THREADS - 1
    assert all(isinstance(e, IllegalTransition) for e in errors.values()), errors
    (number,) = results.values()
    report = PoliceReport.objects.select_related("case").get(pk=pk)
    assert report.report_number == number
    assert report.case.status == "approved"
    (winner,) = results
    assert report.case.decided_by == officers[winner]
    assert CaseEvent.objects.filter(case=report.case, to_status="approved").count() == 1
    # No report number was handed out and thrown away.
    assert ReferenceSequence.objects.get(prefix="PD").last_value == 1
    assert RmsExport.objects.filter(report=report).count() == 1
    # The PDF-and-email and the records hand-off were each queued once.
    names = Counter(DBTaskResult.objects.values_list("task_path", flat=True))
    assert names["cityhall.police.tasks.issue_approved_report"] == 1
    assert names.get("cityhall.police.tasks.export_to_rms", 0) == 0  # no records system configured


def test_approve_and_reject_at_once_one_decision_wins(make_user):
    reason = RejectionReason.objects.create(
        code="duplicate",
        label_en="Already reported",
        label_es="Ya reportado",
        explanation_en="x",
        explanation_es="x",
    )
    pk = submitted_report().pk
    people = [
        make_user(f"decider{i}@staff.example.org", roles=["police_reviewer"])
        for i in range(THREADS)
    ]

    def decide(i):
        report = PoliceReport.objects.select_related("case").get(pk=pk)
        if i % 2:
            decisions.reject_report(report=report, officer=people[i], reason=reason, note="dup")
            return "rejected"
        decisions.approve_report(report=report, officer=people[i])
        return "approved"

    results, errors = in_parallel(decide)

    assert len(results) == 1, (results, errors)
    assert all(isinstance(e, IllegalTransition) for e in errors.values()), errors
    (outcome,) = results.values()
    report = PoliceReport.objects.select_related("case").get(pk=pk)
    assert report.case.status == outcome
    decided = CaseEvent.objects.filter(case=report.case, to_status__in=["approved", "rejected"])
    assert list(decided.values_list("to_status", flat=True)) == [outcome]
    if outcome == "rejected":
        assert report.report_number is None
    else:
        assert report.rejection_reason is None


def test_eight_identical_posts_with_one_idempotency_key_make_one_report():
    payload = json.dumps(body())

    def post(_i):
        response = Client().post(
            "/api/v1/police/reports",
            data=payload,
            content_type="application/json",
            headers={"Idempotency-Key": "7d0c1a4e-5b7f-4c1e-9a53-2f0c6d1e8b90"},
        )
        return response.status_code, response.json()

    results, errors = in_parallel(post)

    assert not errors, errors
    statuses = sorted(status for status, _answer in results.values())
    assert statuses == [200] * (THREADS - 1) + [201], results
    references = {answer["reference"] for _status, answer in results.values()}
    assert len(references) == 1, results
    assert PoliceReport.objects.count() == 1
    assert PropertyItem.objects.count() == 1
    assert IdempotencyRecord.objects.count() == 1
    assert PoliceReport.objects.get().case.reference == references.pop()
    assert Notification.objects.filter(kind="police_received").count() == 1


def test_eight_different_reports_at_once_all_go_through_with_their_own_numbers():
    def post(i):
        response = Client().post(
            "/api/v1/police/reports",
            data=json.dumps(body(serial=f"SERIAL-{i}")),
            content_type="application/json",
        )
        return response.status_code, response.content

    results, errors = in_parallel(post)

    assert not errors, errors
    assert [status for status, _content in results.values()] == [201] * THREADS, results
    assert not any(b"locked" in content for _status, content in results.values())
    references = {json.loads(content)["reference"] for _status, content in results.values()}
    assert len(references) == THREADS
    assert PoliceReport.objects.count() == THREADS
    assert set(PropertyItem.objects.values_list("serial_normalized", flat=True)) == {
        f"SERIAL{i}" for i in range(THREADS)
    }
