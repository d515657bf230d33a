import time
from unittest import mock

import pytest
from django.urls import reverse

from cityhall.cases import services
from cityhall.cases.models import Case, PersonalDataView
from cityhall.cases.selectors import tracking_token
from cityhall.cases.workflow import APPLICANT


def _submit(n=1, **extra):
    made = []
    for i in range(n):
        case = services.open_case(
            service="sample", contact_name=f"Person {i}", contact_email=f"p{i}@example.org", **extra
        )
        services.transition_case(case=case, transition="submit", acting_as=APPLICANT)
        made.append(case)
    return made


def test_queue_lists_waiting_cases_oldest_first_without_n_plus_one(
    sample_service, staff_client, django_assert_max_num_queries
):
    client, officer = staff_client("permit_reviewer")
    cases = _submit(3)
    services.assign_case(case=cases[1], assignee=officer, actor=officer)
    client.get(reverse("cases:queue"))  # warm the session
    with django_assert_max_num_queries(13):  # + formbuilder's catalogue token, once a request
        first = client.get(reverse("cases:queue"))
    _submit(20)
    with django_assert_max_num_queries(13):  # + formbuilder's catalogue token, once a request
        response = client.get(reverse("cases:queue"))
    body = response.content.decode()
    assert first.status_code == response.status_code == 200
    assert body.index(cases[0].reference) < body.index(cases[2].reference)
    assert "23 cases" in body
    mine = client.get(reverse("cases:queue") + "?assignee=me").content.decode()
    assert cases[1].reference in mine and cases[0].reference not in mine


def test_queue_filters_bad_input_gracefully(sample_service, staff_client):
    client, _ = staff_client("permit_reviewer")
    response = client.get(reverse("cases:queue") + "?older_than_days=lots&status=nope&service=zzz")
    assert response.status_code == 200


def test_people_outside_the_service_get_404_not_403(sample_service, staff_client):
    [case] = _submit()
    client, _ = staff_client("finance_clerk")
    assert client.get(reverse("cases:staff-case", args=[case.reference])).status_code == 404
    assert case.reference not in client.get(reverse("cases:queue")).content.decode()
    assert not PersonalDataView.objects.exists()


def test_case_page_logs_the_view_and_decides(sample_service, staff_client):
    [case] = _submit()
    client, officer = staff_client("permit_reviewer")
    page = client.get(reverse("cases:staff-case", args=[case.reference]))
    assert page.status_code == 200 and "Person 0" in page.content.decode()
    assert PersonalDataView.objects.filter(case=case, viewer=officer).count() == 1
    missing = client.post(
        reverse("cases:transition", args=[case.reference]), {"transition": "reject"}, follow=True
    )
    assert "Give a reason" in missing.content.decode()
    assert Case.objects.get(pk=case.pk).status == "submitted"
    client.post(reverse("cases:transition", args=[case.reference]), {"transition": "approve"})
    assert Case.objects.get(pk=case.pk).status == "approved"
    again = client.post(
        reverse("cases:transition", args=[case.reference]), {"transition": "approve"}, follow=True
    )
    assert "has moved on" in again.content.decode()


def test_claim_and_release(sample_service, staff_client):
    [case] = _submit()
    client, officer = staff_client("permit_reviewer")
    client.post(reverse("cases:claim", args=[case.reference]))
    assert Case.objects.get(pk=case.pk).assigned_to == officer
    client.post(reverse("cases:claim", args=[case.reference]), {"release": "1"})
    assert Case.objects.get(pk=case.pk).assigned_to is None


def test_track_by_reference_and_email(sample_service, client, db):
    [case] = _submit()
    response = client.post(
        reverse("cases:track"), {"reference": case.reference.lower(), "email": "P0@Example.org"}
    )
    assert response.status_code == 302
    status = client.get(response["Location"])
    assert status.status_code == 200
    body = status.content.decode()
    assert case.reference in body and "Received" in body
    assert "Person 0" not in body  # no personal data on the status page


@pytest.mark.parametrize(
    ("reference", "email", "message"),
    [
        ("nonsense", "p0@example.org", "does not look like a reference"),
        ("SP-2026-00001-A", "wrong@example.org", "could not find"),
    ],
)
def test_track_errors_keep_what_was_typed(sample_service, client, db, reference, email, message):
    _submit()
    if "could not" in message:
        reference = Case.objects.get().reference
    response = client.post(reverse("cases:track"), {"reference": reference, "email": email})
    body = response.content.decode()
    assert response.status_code == 200 and message in body
    assert f'value="{email}"' in body


def test_tracking_is_rate_limited(sample_service, client, db, settings):
    from django.core.cache import cache

    cache.clear()
    [case] = _submit()
    for _ in range(30):
        client.post(
            reverse("cases:track"), {"reference": case.reference, "email": "wrong@example.org"}
        )
    response = client.post(
        reverse("cases:track"), {"reference": case.reference, "email": "p0@example.org"}
    )
    assert "Too many look-ups" in response.content.decode()
    cache.clear()


def test_tampered_or_draft_links_are_404(sample_service, client, db):
    [case] = _submit()
    token = tracking_token(case)
    assert client.get(reverse("cases:track-status", args=[token + "x"])).status_code == 404
    draft = services.open_case(service="sample", contact_email="d@example.org")
    assert (
        client.get(reverse("cases:track-status", args=[tracking_token(draft)])).status_code == 404
    )


def _token_made_days_ago(case, days):
    with mock.patch("django.core.signing.time.time", return_value=time.time() - days * 86400):
        return tracking_token(case)


def test_status_links_expire_and_the_look_up_gives_a_fresh_one(sample_service, client, db):
    [case] = _submit()
    recent = _token_made_days_ago(case, 179)
    assert client.get(reverse("cases:track-status", args=[recent])).status_code == 200
    old = _token_made_days_ago(case, 181)
    response = client.get(reverse("cases:track-status", args=[old]))
    assert response.status_code == 410
    page = response.content.decode()
    assert "This link has expired" in page
    assert "work for 180 days" in page
    assert case.reference not in page  # an expired link reveals nothing of the request
    # The page's own form is the way back in: it posts to the look-up.
    assert f'action="{reverse("cases:track")}"' in page
    found = client.post(
        reverse("cases:track"), {"reference": case.reference, "email": "p0@example.org"}
    )
    assert client.get(found.url).status_code == 200
    assert client.post(reverse("cases:track-status", args=[old])).status_code == 405


def test_spanish_status_page(sample_service, client, db):
    [case] = _submit()
    response = client.get("/es" + reverse("cases:track-status", args=[tracking_token(case)]))
    assert response.status_code == 200
    assert '<html lang="es">' in response.content.decode()


def test_assign_to_a_colleague_who_works_the_service(sample_service, staff_client, make_user):
    [case] = _submit()
    client, _officer = staff_client("permit_reviewer")
    colleague = make_user(
        "colleague@staff.example.org", roles=["permit_reviewer"], full_name="Pat Colleague"
    )
    outsider = make_user("outsider@staff.example.org", roles=["finance_clerk"])
    page = client.get(reverse("cases:staff-case", args=[case.reference])).content.decode()
    assert "Pat Colleague" in page and "outsider@" not in page
    client.post(reverse("cases:claim", args=[case.reference]), {"assignee": colleague.pk})
    assert Case.objects.get(pk=case.pk).assigned_to == colleague
    response = client.post(
        reverse("cases:claim", args=[case.reference]), {"assignee": outsider.pk}, follow=True
    )
    assert "Choose someone who works on this service" in response.content.decode()
    assert Case.objects.get(pk=case.pk).assigned_to == colleague


def test_an_imported_case_without_its_services_record_opens_on_the_generic_page(
    staff_client, make_user, django_assert_max_num_queries
):
    """History brought over from an earlier system (the demo city's) has cases
    but no booking rows: the list links them to the generic case page, which
    shows them with no decisions, instead of the bookings page's 404. A case
    with its booking still goes to the bookings page."""
    from datetime import timedelta

    from django.utils import timezone

    from cityhall.reservations import services as bookings
    from cityhall.reservations.tests.conftest import at, day_ahead, make_facility, make_unit

    client, _manager = staff_client("facility_manager")
    imported = services.open_case(service="facility_booking", contact_name="Demo history")
    Case.objects.filter(pk=imported.pk).update(
        status="completed", submitted_at=timezone.now() - timedelta(days=300)
    )
    resident = make_user("ana@example.org", roles=["resident"])
    unit = make_unit(make_facility())
    day = day_ahead()
    booking = bookings.book_slot(
        user=resident,
        unit=unit,
        start=at(day, 10),
        end=at(day, 12),
        details=bookings.Details(attendees=5, purpose="Picnic"),
    )
    Case.objects.filter(pk=booking.case_id).update(status="completed")

    url = reverse("cases:queue") + "?service=facility_booking&status=completed"
    client.get(url)
    with django_assert_max_num_queries(13):
        page = client.get(url).content.decode()
    generic = reverse("cases:staff-case", args=[imported.reference])
    own = reverse("reservations:staff-booking", args=[booking.case.reference])
    assert f'href="{generic}"' in page and f'href="{own}"' in page

    shown = client.get(generic)
    assert shown.status_code == 200 and imported.reference in shown.content.decode()
    assert shown.context["actions"] == []
    assert client.get(reverse("cases:staff-case", args=[booking.case.reference])).url == own
