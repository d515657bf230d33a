"""Inspections: booking a place in a half-day slot, results against the
checklist (pass, fail with notes and photos, partial), re-booking after a
failure, and the final inspection completing the permit."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from cityhall.cases.errors import NotAllowed
from cityhall.notifications.models import Notification
from cityhall.permits import inspections
from cityhall.permits.errors import PermitError
from cityhall.permits.models import InspectionSlot, InspectionStatus, PermitStatus
from cityhall.testing import in_parallel

from .conftest import issued_construction, on_the_day, paid_application, png_upload

pytestmark = pytest.mark.django_db

ALL_PASS = {"forms": "pass", "rebar": "pass", "depth": "na"}


@pytest.fixture
def permit(types, applicant, reviewer):
    return issued_construction(applicant, types["small-construction"], reviewer)


def kind(permit, code):
    return permit.application.permit_type.inspection_types.get(code=code)


def book(permit, code, user, slot=None):
    slot = slot or inspections.open_slots()[0]
    return inspections.request_inspection(
        permit=permit, inspection_type=kind(permit, code), slot=slot, actor=user
    )


def test_the_holder_books_from_the_free_slots(permit, applicant):
    rows = inspections.inspections_of(permit)
    assert [r["type"].code for r in rows] == ["foundation", "framing", "final"]
    assert all(r["bookable"] for r in rows)
    slots = inspections.open_slots()
    assert slots and all(s.day.weekday() < 5 for s in slots)
    inspection = book(permit, "foundation", applicant, slots[0])
    slots[0].refresh_from_db()
    assert slots[0].booked == 1
    assert inspection.status == InspectionStatus.SCHEDULED
    assert Notification.objects.filter(kind="permit_inspection_booked").exists()
    with pytest.raises(PermitError) as error:
        book(permit, "foundation", applicant)
    assert "already booked" in str(error.value)


def test_a_full_slot_cannot_be_booked(permit, applicant):
    slot = inspections.open_slots()[0]
    InspectionSlot.objects.filter(pk=slot.pk).update(booked=slot.capacity)
    with pytest.raises(PermitError) as error:
        book(permit, "foundation", applicant, slot)
    assert "just taken" in str(error.value)
    assert slot not in inspections.open_slots()


def test_inspections_only_for_an_issued_permit(types, applicant):
    application = paid_application(applicant, types["small-construction"])
    assert not hasattr(application, "permit")
    inspections.ensure_slots()
    assert inspections.ensure_slots() == 0  # idempotent


def test_a_failed_inspection_needs_notes_keeps_photos_and_can_be_rebooked(
    permit, applicant, reviewer
):
    inspection = on_the_day(book(permit, "foundation", applicant))
    with pytest.raises(ValidationError) as error:
        inspections.record_result(inspection=inspection, actor=reviewer, results={"forms": "pass"})
    assert {"item_rebar", "item_depth"} <= set(error.value.message_dict)
    failing = {"forms": "fail", "rebar": "fail", "depth": "fail"}
    with pytest.raises(PermitError) as error:
        inspections.record_result(inspection=inspection, actor=reviewer, results=failing)
    assert error.value.field == "notes"
    with pytest.raises(PermitError):
        inspections.record_result(
            inspection=inspection,
            actor=reviewer,
            results=failing,
            notes="x",
            photos=[png_upload("a.exe")],
        )
    inspections.record_result(
        inspection=inspection,
        actor=reviewer,
        results=failing,
        notes="Footings too shallow.",
        photos=[png_upload()],
    )
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.FAILED
    assert inspection.photos.count() == 1
    assert (
        "Footings too shallow."
        in Notification.objects.get(kind="permit_inspection_result").body_text
    )
    with pytest.raises(PermitError):
        inspections.record_result(inspection=inspection, actor=reviewer, results=ALL_PASS)
    row = next(r for r in inspections.inspections_of(permit) if r["type"].code == "foundation")
    assert row["bookable"] and not row["passed"]
    again = on_the_day(book(permit, "foundation", applicant))
    inspections.record_result(inspection=again, actor=reviewer, results=ALL_PASS)
    row = next(r for r in inspections.inspections_of(permit) if r["type"].code == "foundation")
    assert row["passed"] and not row["bookable"]


def test_partial_results_and_who_may_record(permit, applicant, reviewer, make_user):
    inspection = book(permit, "framing", applicant)
    with pytest.raises(PermitError) as error:
        inspections.record_result(inspection=inspection, actor=reviewer, results={})
    assert "on the day" in str(error.value)
    inspection = on_the_day(inspection)
    clerk = make_user("clerk@staff.example.org", roles=["finance_clerk"])
    with pytest.raises(NotAllowed):
        inspections.record_result(inspection=inspection, actor=clerk, results={})
    inspections.record_result(
        inspection=inspection,
        actor=reviewer,
        results={"members": "pass", "nailing": "fail", "fireblocking": "pass"},
        notes="Missing hold-downs at the corners.",
    )
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.PARTIAL


def test_the_final_inspection_completes_the_permit(permit, applicant, reviewer):
    inspection = on_the_day(book(permit, "final", applicant))
    inspections.record_result(
        inspection=inspection,
        actor=reviewer,
        results={"complete": "pass", "smoke": "pass", "grading": "pass"},
    )
    permit.refresh_from_db()
    assert permit.status == PermitStatus.COMPLETED
    case = permit.application.case
    case.refresh_from_db()
    assert case.status == "completed" and case.closed_at
    assert Notification.objects.filter(kind="permit_completed").exists()
    with pytest.raises(PermitError):
        book(permit, "framing", applicant)


@pytest.mark.django_db(transaction=True)
def test_two_holders_racing_for_the_last_place_cannot_both_get_it(
    types, applicant, reviewer, make_user
):
    first = issued_construction(applicant, types["small-construction"], reviewer)
    other = make_user("other@example.org", roles=["resident"])
    second = issued_construction(other, types["small-construction"], reviewer)
    slot = inspections.open_slots()[0]
    InspectionSlot.objects.filter(pk=slot.pk).update(booked=slot.capacity - 1)
    pairs = [(first, applicant), (second, other)]

    def work(i):
        permit, user = pairs[i]
        return book(permit, "foundation", user, InspectionSlot.objects.get(pk=slot.pk)).pk

    results, errors = in_parallel(work, 2)
    assert len(results) == 1 and len(errors) == 1
    assert isinstance(next(iter(errors.values())), PermitError)
    slot.refresh_from_db()
    assert slot.booked == slot.capacity


def test_booking_and_recording_through_the_pages(staff_client, permit, applicant):
    client = Client()  # the holder's browser; staff_client signs in on the default one
    client.force_login(applicant)
    reference = permit.application.case.reference
    page = client.get(reverse("permits:application", args=[reference])).content.decode()
    assert 'data-testid="book-foundation"' in page
    url = reverse("permits:book-inspection", args=[reference, "foundation"])
    response = client.post(url, {"access_notes": "Side gate"})
    assert "Choose a time." in response.content.decode()
    slot = inspections.open_slots()[0]
    response = client.post(url, {"slot": str(slot.pk), "access_notes": "Side gate"})
    assert response.status_code == 302
    inspection = on_the_day(permit.inspections.get())
    inspector, _user = staff_client("permit_reviewer", email="inspector@staff.example.org")
    day = inspector.get(reverse("permits:inspections")).content.decode()
    assert f'data-testid="inspection-{inspection.pk}"' in day and "200 N Harbor Blvd" in day
    for odd in ["9999-12-31", "0001-01-01", "2026-02-30", "x"]:  # today instead, never a 500
        assert inspector.get(reverse("permits:inspections"), {"date": odd}).status_code == 200
    page_url = reverse("permits:inspection", args=[inspection.pk])
    response = inspector.post(
        page_url, {"item_forms": "fail", "item_rebar": "pass", "item_depth": "pass"}
    )
    page = response.content.decode()
    assert response.status_code == 200 and "error-summary" in page and "Say what failed" in page
    response = inspector.post(
        page_url,
        {
            "item_forms": "fail",
            "item_rebar": "pass",
            "item_depth": "pass",
            "notes": "Move the forms 2 ft",
            "photos": [png_upload()],
        },
    )
    assert response.status_code == 302
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.PARTIAL and inspection.photos.count() == 1
    page = client.get(reverse("permits:application", args=[reference])).content.decode()
    assert 'data-result="partial"' in page and "Book again" in page


def test_only_mine_lists_mine_and_the_unassigned_not_a_colleagues(
    staff_client, types, applicant, reviewer
):
    permit = issued_construction(applicant, types["small-construction"], reviewer)
    framing = on_the_day(book(permit, "framing", applicant))
    done = on_the_day(book(permit, "foundation", applicant))
    inspections.record_result(inspection=done, actor=reviewer, results=ALL_PASS)  # Rita's
    client, _user = staff_client("permit_inspector", email="ivan@staff.example.org")
    url = reverse("permits:inspections")
    everyone = client.get(url).content.decode()
    assert f'data-testid="inspection-{framing.pk}"' in everyone
    assert f'data-testid="inspection-{done.pk}"' in everyone
    mine = client.get(url, {"mine": "1"}).content.decode()
    assert f'data-testid="inspection-{framing.pk}"' in mine  # unassigned: anyone's to take
    assert f'data-testid="inspection-{done.pk}"' not in mine  # a colleague's
