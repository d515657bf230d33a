"""Reports filed in one go (API, counter, phone): checked first, then each row
written once; the same report as the resident's step-by-step journey."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cityhall.cases.models import Case, CaseEvent
from cityhall.notifications.models import Notification
from cityhall.police import services
from cityhall.police.models import PoliceReport, PoliceSettings, PropertyItem
from cityhall.police.services import ReportError

from .conftest import bike, incident, reporter

# BEGIN (or the test's SAVEPOINT) and COMMIT included. Measured at 22: the
# police settings, the case (number, row, "created" event), the report, the
# items, the submit transition (lock, update, event) and the acknowledgement
# (email, its timeline row, its delivery task), and the savepoints of the
# cases and notifications services they go through.
FILE_REPORT_MAX_STATEMENTS = 22


def _items(count):
    return [bike(serial_number=f"SN-{n}", value_cents=1_000) for n in range(count)]


def _statements(**changes):
    with CaptureQueriesContext(connection) as queries:
        services.file_report(
            reporter=reporter(email=f"r{timezone.now().timestamp()}@example.org"),
            incident=incident(),
            declaration_accepted=True,
            **changes,
        )
    return [q["sql"] for q in queries.captured_queries]


def test_filing_takes_a_bounded_number_of_statements_whatever_the_items(db):
    _statements(items=_items(1))  # the first makes the settings row and the year's counter
    five = _statements(items=_items(5))
    fifty = _statements(items=_items(50))

    listing = "\n".join(five)
    assert len(five) <= FILE_REPORT_MAX_STATEMENTS, f"{len(five)} statements:\n{listing}"
    assert len(fifty) == len(five), "items must go in one INSERT, whatever their number"
    touching_report = [s for s in five if '"police_policereport"' in s]
    assert len(touching_report) == 1 and touching_report[0].startswith("INSERT"), listing
    touching_items = [s for s in five if '"police_propertyitem"' in s]
    assert len(touching_items) == 1 and touching_items[0].startswith("INSERT"), listing


def _step_by_step(person, values) -> PoliceReport:
    report = services.start_report(reporter=person, eligibility={"channel": "online"})
    services.update_incident(
        report=report,
        kind=values.kind,
        occurred_from=values.occurred_from,
        occurred_to=values.occurred_to,
        location=values.location,
    )
    services.update_narrative(report=report, narrative=values.narrative)
    for item in [bike(), bike(serial_number="X 2", quantity=2, value_cents=1_250)]:
        services.add_item(report=report, item=item)
    services.submit_report(report=report, declaration_accepted=True)
    return report


REPORT_FIELDS = [
    "first_name",
    "last_name",
    "email",
    "phone",
    "address",
    "kind",
    "occurred_from",
    "occurred_to",
    "location",
    "latitude",
    "longitude",
    "narrative",
    "eligibility",
    "total_value_cents",
    "report_number",
]
ITEM_FIELDS = [
    "position",
    "category",
    "loss_type",
    "description",
    "brand",
    "model",
    "serial_number",
    "serial_normalized",
    "quantity",
    "value_cents",
    "photo",
]
CASE_FIELDS = [
    "service",
    "channel",
    "status",
    "contact_name",
    "contact_email",
    "contact_phone",
    "language",
    "applicant",
    "recorded_by",
]


def _snapshot(report: PoliceReport) -> dict:
    report = PoliceReport.objects.select_related("case").get(pk=report.pk)
    case = report.case
    return {
        "report": {f: getattr(report, f) for f in REPORT_FIELDS},
        "items": [
            {f: getattr(i, f) for f in ITEM_FIELDS}
            for i in PropertyItem.objects.filter(report=report)
        ],
        "case": {f: getattr(case, f) for f in CASE_FIELDS},
        "events": [
            (e.kind, e.from_status, e.to_status, e.actor_id, e.public, e.payload.get("outcome"))
            for e in CaseEvent.objects.filter(case=case).order_by("id")
        ],
        "emails": list(
            Notification.objects.filter(case=case).values_list("kind", "language", "status")
        ),
        "declared": report.declaration_accepted_at is not None,
        "clock": case.expected_decision_at - case.submitted_at,
    }


def test_a_report_filed_in_one_go_is_the_one_the_journey_makes(db):
    # As typed, spaces and capitals included: both paths clean them the same way.
    person = reporter(first_name=" Ana ", email=" Ana@Example.org ", address=" 1 Main St ")
    values = incident(narrative="  Taken from the rack.\n", location=" 200 N Spring St ")
    journey = _step_by_step(person, values)
    filed = services.file_report(
        reporter=person,
        incident=values,
        items=[bike(), bike(serial_number="X 2", quantity=2, value_cents=1_250)],
        declaration_accepted=True,
    )
    assert _snapshot(filed) == _snapshot(journey)
    assert filed.total_value_cents == 89_900 + 2_500
    # The instance returned follows the database, as the journey's does.
    assert filed.case.status == "submitted" and filed.case.submitted_at is not None
    assert filed.case.reference != journey.case.reference


def test_a_clerk_filing_at_the_counter_is_the_one_who_submits(db, make_user):
    clerk = make_user("clerk@staff.example.org", roles=["police_reviewer"])
    report = services.file_report(
        reporter=reporter(email=""),  # no email needed at a counter
        incident=incident(),
        items=[bike()],
        declaration_accepted=True,
        channel="counter",
        recorded_by=clerk,
    )
    submitted = report.case.events.get(to_status="submitted")
    assert submitted.actor == clerk
    assert report.case.events.get(kind="created").actor == clerk
    assert not Notification.objects.filter(case=report.case).exists()  # nobody to email


def _over_the_limit():
    settings = PoliceSettings.current()
    settings.online_value_limit_cents = 50_000
    settings.save()
    return {}


@pytest.mark.parametrize(
    ("changes", "error", "match"),
    [
        ({"items": []}, ReportError, "at least one item"),
        ({"items": _items(51)}, ReportError, "at most 50"),
        ({"reporter": reporter(phone="555-01")}, ValidationError, "digits|phone"),
        ({"incident": incident(kind="borrowed")}, ReportError, "lost or stolen"),
        (
            {"incident": incident(occurred_from=timezone.now() + timedelta(days=1))},
            ValidationError,
            "future",
        ),
        ({"items": [bike(category="99")]}, ReportError, "category"),
        ({"items": [bike(description="  ")]}, ReportError, "Describe"),
        ({"items": [bike(quantity=0)]}, ValidationError, "how many"),
        ({"declaration_accepted": False}, ReportError, "Confirm"),
        ({"incident": incident(narrative=" ")}, ReportError, "description of what happened"),
        ({"incident": incident(location="")}, ReportError, "when and where"),
        ({"reporter": reporter(email="")}, ReportError, "name and email"),
        ("over_limit", ReportError, "cannot be reported online"),
    ],
)
def test_a_refused_report_writes_nothing(db, changes, error, match):
    if changes == "over_limit":
        changes = _over_the_limit()
    arguments = {
        "reporter": reporter(),
        "incident": incident(),
        "items": [bike()],
        "declaration_accepted": True,
        **changes,
    }
    with pytest.raises(error, match=f"(?i){match}"):
        services.file_report(**arguments)
    assert not Case.objects.exists()
    assert not PoliceReport.objects.exists()
    assert not Notification.objects.exists()
