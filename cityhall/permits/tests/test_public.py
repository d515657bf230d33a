"""The public search (no personal data) and the BLDS permits dataset."""

import re

import pytest
from django.urls import reverse

from cityhall.permits import public
from cityhall.permits.inspections import open_slots, record_result, request_inspection

from .conftest import (
    complete_application,
    issued_construction,
    on_the_day,
    paid_application,
    submit_and_pay,
)

pytestmark = pytest.mark.django_db

ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@pytest.fixture
def permits(types, applicant, reviewer):
    fence = submit_and_pay(
        complete_application(applicant, types["residential-fence"]), applicant
    ).permit
    construction = issued_construction(applicant, types["small-construction"], reviewer)
    return {"fence": fence, "construction": construction}


def test_search_by_address_or_number_shows_no_personal_data(client, permits, types, applicant):
    in_review = paid_application(applicant, types["block-party"])  # not issued: not public
    response = client.get(reverse("permits:search"), {"address": "200 harbor"})
    page = response.content.decode()
    assert permits["fence"].number in page and permits["construction"].number in page
    assert in_review.case.reference not in page
    for private in ("Ana García", "ana@example.org", "555", "Bob Builder"):
        assert private not in page, private
    page = client.get(
        reverse("permits:search"), {"number": permits["fence"].number.lower()}
    ).content.decode()
    assert permits["fence"].number in page and permits["construction"].number not in page
    page = client.get(
        reverse("permits:search"), {"address": "200 Harbor Blvd 90732"}
    ).content.decode()
    assert 'data-testid="no-results"' in page  # wrong ZIP
    record = client.get(reverse("permits:public-permit", args=[permits["construction"].number]))
    assert record.status_code == 200
    assert "Ana García" not in record.content.decode() and "C-123456" not in record.content.decode()
    assert (
        client.get(reverse("permits:public-permit", args=["PMT-2026-99999-X"])).status_code == 404
    )


def test_search_needs_something_to_look_for(client, permits):
    page = client.get(reverse("permits:search")).content.decode()
    assert 'data-testid="results"' not in page and "no-results" not in page
    assert public.search(address="   ") == []


def test_the_blds_export_has_every_required_field_filled(permits, applicant, reviewer):
    construction = permits["construction"]
    kind = construction.application.permit_type.inspection_types.get(code="final")
    inspection = on_the_day(
        request_inspection(
            permit=construction,
            inspection_type=kind,
            slot=open_slots()[0],
            actor=applicant,
        )
    )
    record_result(
        inspection=inspection,
        actor=reviewer,
        results={"complete": "pass", "smoke": "pass", "grading": "pass"},
    )
    records = {r["PermitNum"]: r for r in public.blds_permits()}
    assert set(records) == {permits["fence"].number, construction.number}
    for record in records.values():
        assert tuple(record) == public.BLDS_FIELDS  # the BLDS names, in order
        for field in public.BLDS_REQUIRED:
            assert isinstance(record[field], str) and record[field].strip(), field
        for field in ("AppliedDate", "IssuedDate", "ExpiresDate", "StatusDate"):
            assert ISO_DAY.match(record[field]), (field, record[field])
        assert record["OriginalCity"] == "Port Alder" and record["OriginalState"] == "CA"
        assert record["OriginalZip"] == "90731"
        assert record["PermitClassMapped"] in {"Residential", "Non-Residential"}
        assert record["StatusCurrentMapped"] in {
            "Application Accepted",
            "In Review",
            "Permit Issued",
            "Inspection Phase",
            "Permit Finaled",
            "Permit Cancelled",
        }
    finished = records[construction.number]
    assert finished["StatusCurrentMapped"] == "Permit Finaled"
    assert ISO_DAY.match(finished["CompletedDate"])  # required once completed
    assert finished["EstProjectCost"] == "25000.00" and finished["TotalSqFt"] == "300"
    assert finished["ContractorLicNum"] == "C-123456"
    assert finished["ContractorCompanyName"] == "Builders Inc"
    assert records[permits["fence"].number]["StatusCurrentMapped"] == "Permit Issued"
    assert records[permits["fence"].number]["CompletedDate"] == ""
    flat = " ".join(v for r in records.values() for v in r.values())
    for private in ("Ana García", "ana@example.org", "+1213", "Bob Builder"):
        assert private not in flat, private


def test_the_streamed_export_gives_the_same_records_as_the_pages(permits, applicant, reviewer):
    construction = permits["construction"]
    kind = construction.application.permit_type.inspection_types.get(code="final")
    inspection = on_the_day(
        request_inspection(
            permit=construction, inspection_type=kind, slot=open_slots()[0], actor=applicant
        )
    )
    record_result(
        inspection=inspection,
        actor=reviewer,
        results={"complete": "pass", "smoke": "pass", "grading": "pass"},
    )
    from_objects = sorted(tuple(r.values()) for r in public.blds_permits())
    streamed = list(public.blds_rows(public.blds_queryset()))
    assert streamed == from_objects  # ordered by permit number, field for field
    after_first = list(public.blds_rows(public.blds_queryset(after=streamed[0][0])))
    assert after_first == streamed[1:]
    fences = public.blds_queryset(filters={"PermitType": "Fence"})
    assert [r[0] for r in public.blds_rows(fences)] == [permits["fence"].number]
