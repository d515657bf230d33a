"""The resident's pages with the Django test client: eligibility, every step's
bad inputs (a clear message, nothing typed lost), save for later, submit twice,
the back button, amending; and the officer's pages."""

import io
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from cityhall.cases.models import Case, PersonalDataView
from cityhall.notifications.models import Notification
from cityhall.police.models import PoliceReport

from .conftest import bike

ELIGIBLE = [
    ("emergency", "no"),
    ("kind", "stolen"),
    ("suspect", "no"),
    ("injury", "no"),
    ("location", "yes"),
]


def answer(client, code, value):
    return client.post(reverse("police:question", args=[code]), {"answer": value})


def eligible(client, answers=ELIGIBLE):
    client.post(reverse("police:begin"))
    for code, value in answers:
        response = answer(client, code, value)
    return response


def about_you(client, **changes):
    data = {
        "first_name": "Ana",
        "last_name": "García",
        "email": "ana@example.org",
        "phone": "(213) 555-0147",
        "address": "",
        "language": "es",
        **changes,
    }
    return client.post(reverse("police:about-you"), data)


def incident_data(**changes):
    day = timezone.localdate() - timedelta(days=2)
    data = {
        "kind": "stolen",
        "from_date_0": day.month,
        "from_date_1": day.day,
        "from_date_2": day.year,
        "from_time": "6:30 pm",
        "to_date_0": "",
        "to_date_1": "",
        "to_date_2": "",
        "to_time": "",
        "location": "200 N Spring St",
    }
    data.update(changes)
    return data


def item_data(**changes):
    data = {
        "category": "04",
        "description": "Road bicycle",
        "brand": "Trek",
        "model": "Domane",
        "serial_number": "WTU 123 G4567",
        "quantity": "1",
        "value": "$899.00",
    }
    data.update(changes)
    return data


def draft(client):
    eligible(client)
    about_you(client)
    client.post(reverse("police:incident"), incident_data())
    client.post(reverse("police:narrative"), {"narrative": "Taken from the rack."})
    client.post(reverse("police:item-add"), item_data())
    return PoliceReport.objects.get()


@pytest.mark.parametrize(
    ("answers", "reason"),
    [
        ([("emergency", "yes")], "emergency"),
        ([("emergency", "no"), ("kind", "stolen"), ("suspect", "yes")], "suspect"),
        ([("emergency", "no"), ("kind", "stolen"), ("suspect", "no"), ("injury", "yes")], "injury"),
        ([("emergency", "no"), ("kind", "lost"), ("location", "no")], "outside"),
    ],
)
def test_ineligible_answers_explain_and_record_nothing(client, db, answers, reason):
    response = eligible(client, answers)
    assert response["Location"] == reverse("police:ineligible", args=[reason])
    page = client.get(response["Location"])
    assert page.status_code == 200 and "Nothing you answered has been kept" in page.content.decode()
    assert not Case.objects.exists()
    assert client.get(reverse("police:about-you"))["Location"] == reverse("police:start")


def test_lost_property_skips_the_theft_questions(client, db):
    response = eligible(client, [("emergency", "no"), ("kind", "lost"), ("location", "unsure")])
    assert response["Location"] == reverse("police:about-you")


def test_questions_cannot_be_skipped(client, db):
    client.post(reverse("police:begin"))
    response = client.get(reverse("police:question", args=["location"]))
    assert response["Location"] == reverse("police:question", args=["emergency"])
    assert (
        answer(client, "emergency", "").status_code == 200
    )  # no answer: the question again, with a message


def test_about_you_errors_keep_what_was_typed(client, db):
    eligible(client)
    response = about_you(client, email="ana@", phone="555", first_name="José 🚲")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Enter an email address like name@example.com." in body
    assert "area code" in body
    assert 'value="José 🚲"' in body and 'value="ana@"' in body and 'value="555"' in body
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"from_date_2": str(timezone.localdate().year + 1)}, "This date is in the future"),
        ({"from_date_0": "2", "from_date_1": "30"}, "This date does not exist"),
        ({"from_date_1": ""}, "Enter the month, day and year"),
        ({"from_date_2": "26"}, "4-digit year"),
        ({"from_time": "25:99"}, "Enter a time like 6:30 PM"),
        ({"to_date_0": "1", "to_date_1": "1", "to_date_2": "2026"}, "must be after the first date"),
        ({"kind": ""}, "Choose lost or stolen"),
        ({"location": ""}, "Enter where it happened"),
    ],
)
def test_incident_errors(client, db, changes, message):
    eligible(client)
    about_you(client)
    data = incident_data(**changes)
    response = client.post(reverse("police:incident"), data)
    body = response.content.decode()
    assert response.status_code == 200, response.get("Location")
    assert message in body
    assert f'value="{data["location"]}"' in body or not data["location"]
    assert PoliceReport.objects.get().occurred_from is None


def test_time_range_when_unknown(client, db):
    eligible(client)
    about_you(client)
    day = timezone.localdate() - timedelta(days=3)
    later = day + timedelta(days=1)
    client.post(
        reverse("police:incident"),
        incident_data(
            from_date_0=day.month,
            from_date_1=day.day,
            from_date_2=day.year,
            from_time="",
            to_date_0=later.month,
            to_date_1=later.day,
            to_date_2=later.year,
            to_time="9am",
        ),
    )
    report = PoliceReport.objects.get()
    assert timezone.localtime(report.occurred_from).date() == day
    assert timezone.localtime(report.occurred_to).hour == 9


def test_html_in_the_narrative_is_shown_as_text(client, db):
    report = draft(client)
    client.post(
        reverse("police:narrative"), {"narrative": "<script>alert('x')</script> <b>bold</b>"}
    )
    page = client.get(reverse("police:check")).content.decode()
    assert "<script>alert(" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    report.refresh_from_db()
    assert report.narrative == "<script>alert('x')</script> <b>bold</b>"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"value": "-5"}, "cannot be negative"),
        ({"value": "1000000000"}, "more than $1,000,000"),
        ({"value": "lots"}, "Enter an amount in dollars"),
        ({"quantity": "0"}, "Enter 1 or more"),
        ({"category": ""}, "Choose what kind of item it is"),
        ({"category": "13"}, "Select a valid choice"),  # firearms cannot be reported online
        ({"description": ""}, "Describe the item"),
    ],
)
def test_item_errors_keep_what_was_typed(client, db, changes, message):
    eligible(client)
    about_you(client)
    data = item_data(**changes)
    response = client.post(reverse("police:item-add"), data)
    body = response.content.decode()
    assert response.status_code == 200 and message in body
    assert 'value="WTU 123 G4567"' in body
    assert not PoliceReport.objects.get().items.exists()


def _jpeg(size=(40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (0, 90, 200)).save(out, format="JPEG")
    return out.getvalue()


def test_photo_upload_ok_and_bad_photos_refused(client, db, settings):
    eligible(client)
    about_you(client)
    photo = SimpleUploadedFile("bike.jpg", _jpeg(), content_type="image/jpeg")
    assert (
        client.post(reverse("police:item-add"), {**item_data(), "photo": photo}).status_code == 302
    )
    item = PoliceReport.objects.get().items.get()
    assert item.photo and item.photo.content_type == "image/jpeg"

    exe = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00" + b"\x00" * 500, content_type="image/jpeg")
    response = client.post(
        reverse("police:item-add"), {**item_data(serial_number="B2"), "photo": exe}
    )
    assert "is not a photo" in response.content.decode()
    assert 'value="B2"' in response.content.decode()

    big = SimpleUploadedFile(
        "huge.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 10_000_000, content_type="image/jpeg"
    )
    response = client.post(
        reverse("police:item-add"), {**item_data(serial_number="B3"), "photo": big}
    )
    assert "too big" in response.content.decode()
    assert PoliceReport.objects.get().items.count() == 1


def test_fifty_first_item_is_refused_with_a_message(client, db):
    report = draft(client)
    from cityhall.police.models import PropertyItem

    PropertyItem.objects.bulk_create(
        PropertyItem(report=report, position=n + 2, category="04", description=f"Bike {n}")
        for n in range(49)
    )
    response = client.get(reverse("police:item-add"), follow=True)
    assert "at most 50 items" in response.content.decode()
    response = client.post(reverse("police:item-add"), item_data(serial_number="N51"))
    assert "at most 50 items" in response.content.decode()
    assert report.items.count() == 50


def test_items_step_needs_an_item(client, db):
    eligible(client)
    about_you(client)
    response = client.post(reverse("police:items"), follow=True)
    assert "Add at least one item" in response.content.decode()


def test_check_submit_twice_and_back_button(client, db):
    report = draft(client)
    page = client.get(reverse("police:check")).content.decode()
    assert "Ana García" in page and "(213) 555-0147" in page and "$899.00" in page
    missing = client.post(reverse("police:check"), {})
    assert "Confirm that the information is true" in missing.content.decode()
    first = client.post(reverse("police:check"), {"declaration": "on"})
    second = client.post(reverse("police:check"), {"declaration": "on"})  # double click
    assert first["Location"] == second["Location"] == reverse("police:sent")
    report.refresh_from_db()
    assert report.case.status == "submitted"
    assert report.case.events.filter(to_status="submitted").count() == 1
    assert Notification.objects.filter(kind="police_received").count() == 1
    sent = client.get(reverse("police:sent")).content.decode()
    assert report.case.reference in sent
    # The back button: every step now leads to the confirmation, nothing is editable.
    for name in ["about-you", "incident", "narrative", "items", "item-add", "check"]:
        assert client.get(reverse(f"police:{name}"))["Location"] == reverse("police:sent")
    assert client.post(reverse("police:narrative"), {"narrative": "changed"})[
        "Location"
    ] == reverse("police:sent")
    report.refresh_from_db()
    assert report.narrative == "Taken from the rack."


def test_save_and_come_back_later(client, db, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    eligible(client)
    response = about_you(client, save_for_later="1")
    assert "Your report is saved" in response.content.decode()
    email = Notification.objects.get(kind="police_resume")
    link = re.search(r"https?://\S+/resume/\S+/", email.body_text).group(0)
    other = client.__class__()  # another device: a fresh session
    response = other.get(link.split("8000", 1)[1])
    assert response["Location"] == reverse("police:incident")  # the first step not done
    assert other.get(reverse("police:incident")).status_code == 200
    assert other.get("/police/report/resume/bogus/").status_code == 404
    assert len(mail.outbox) == 0  # delivery happens in the worker, not in the request


def test_amend_after_a_request_for_information(client, db, make_user):
    from cityhall.cases.selectors import tracking_token
    from cityhall.police import decisions

    report = draft(client)
    client.post(reverse("police:check"), {"declaration": "on"})
    officer = make_user("o@staff.example.org", roles=["police_reviewer"])
    decisions.request_information(report=report, officer=officer, message="What colour is it?")
    resident = client.__class__()
    token = tracking_token(report.case)
    status = resident.get(reverse("cases:track-status", args=[token])).content.decode()
    assert "We need more information from you" in status
    response = resident.get(reverse("police:amend", args=[token]))
    assert response["Location"] == reverse("police:check")
    page = resident.get(reverse("police:check")).content.decode()
    assert "What colour is it?" in page
    resident.post(reverse("police:narrative"), {"narrative": "Taken from the rack. Red."})
    assert resident.post(reverse("police:check"), {"declaration": "on"})["Location"] == reverse(
        "police:sent"
    )
    assert Case.objects.get(pk=report.case_id).status == "submitted"


# ---- officers -------------------------------------------------------------


def test_officer_queue_page_and_decisions(
    staff_client, file_report, rejection_reason, django_assert_max_num_queries
):
    reports = [
        file_report(
            reporter_changes={"email": f"r{i}@example.org", "phone": f"(213) 555-01{i:02d}"},
            items=[bike(serial_number=f"SER{i}")],
        )
        for i in range(5)
    ]
    client, officer = staff_client("police_reviewer")
    client.get(reverse("police:queue"))
    with django_assert_max_num_queries(15):
        queue = client.get(reverse("police:queue"))
    more = [
        file_report(
            reporter_changes={"email": f"s{i}@example.org", "phone": f"(310) 555-01{i:02d}"},
            items=[bike(serial_number=f"MORE{i}")],
        )
        for i in range(10)
    ]
    with django_assert_max_num_queries(15):
        queue = client.get(reverse("police:queue"))
    assert queue.status_code == 200 and "15 reports waiting" in queue.content.decode()

    first = reports[0]
    page = client.get(reverse("police:staff-report", args=[first.case.reference]))
    assert (
        page.status_code == 200
        and "WTU" not in page.content.decode()
        and "SER0" in page.content.decode()
    )
    assert PersonalDataView.objects.filter(case=first.case, viewer=officer).exists()

    client.post(reverse("police:approve", args=[first.case.reference]))
    first.refresh_from_db()
    assert first.report_number and first.case.status == "approved"

    second = reports[1]
    bad = client.post(
        reverse("police:reject", args=[second.case.reference]), {"reject-reason": ""}, follow=True
    )
    assert "Choose a reason" in bad.content.decode()
    client.post(
        reverse("police:reject", args=[second.case.reference]),
        {"reject-reason": rejection_reason.pk, "reject-note": "Glendale"},
    )
    assert Case.objects.get(pk=second.case_id).status == "rejected"

    third = reports[2]
    client.post(
        reverse("police:request-info", args=[third.case.reference]), {"info-message": "Colour?"}
    )
    assert Case.objects.get(pk=third.case_id).status == "info_requested"
    assert len(more) == 10


def test_serial_search_page(staff_client, file_report):
    report = file_report()
    client, _ = staff_client("police_reviewer")
    body = client.get(reverse("police:serial-search") + "?serial=wtu-123-g4567").content.decode()
    assert report.case.reference in body and "1 match" in body


def test_residents_and_other_staff_cannot_open_police_pages(
    client, resident, staff_client, file_report
):
    report = file_report()
    client.force_login(resident)
    assert (
        client.get(reverse("police:staff-report", args=[report.case.reference])).status_code == 403
    )
    other, _ = staff_client("permit_reviewer", email="permits@staff.example.org")
    assert other.get(reverse("police:queue")).status_code == 403
    assert other.post(reverse("police:approve", args=[report.case.reference])).status_code == 403
    assert Case.objects.get(pk=report.case_id).status == "submitted"
    assert not PersonalDataView.objects.exists()


def test_counter_filing_records_the_clerk(staff_client):
    client, officer = staff_client("police_reviewer")
    client.post(reverse("police:counter-start"), {"channel": "phone"})
    about_you(client)
    client.post(reverse("police:incident"), incident_data())
    client.post(reverse("police:narrative"), {"narrative": "Lost on the bus."})
    client.post(reverse("police:item-add"), item_data())
    client.post(reverse("police:check"), {"declaration": "on"})
    case = Case.objects.get()
    assert (case.channel, case.recorded_by, case.applicant, case.status) == (
        "phone",
        officer,
        None,
        "submitted",
    )


def test_location_pin_is_kept_and_checked(client, db):
    eligible(client)
    about_you(client)
    client.post(
        reverse("police:incident"), incident_data(latitude="34.053691", longitude="-118.242766")
    )
    report = PoliceReport.objects.get()
    assert (str(report.latitude), str(report.longitude)) == ("34.053691", "-118.242766")
    response = client.post(reverse("police:incident"), incident_data(latitude="200", longitude="0"))
    assert response.status_code == 200  # refused, with the message in the summary
    report.refresh_from_db()
    assert str(report.latitude) == "34.053691"


def test_the_generic_case_pages_cannot_bypass_the_police_rules(staff_client, file_report):
    report = file_report()
    client, _ = staff_client("police_reviewer")
    page = client.get(reverse("cases:staff-case", args=[report.case.reference]))
    assert page["Location"] == reverse("police:staff-report", args=[report.case.reference])
    response = client.post(
        reverse("cases:transition", args=[report.case.reference]), {"transition": "approve"}
    )
    assert response.status_code == 404
    report.refresh_from_db()
    assert report.case.status == "submitted" and report.report_number is None


def test_error_summary_links_reach_radio_and_date_fields(client, db):
    eligible(client)
    about_you(client)
    body = client.post(
        reverse("police:incident"), incident_data(kind="", from_date_1="")
    ).content.decode()
    assert 'href="#id_kind_0"' in body and 'id="id_kind_0"' in body
    assert 'href="#id_from_date_0"' in body and 'id="id_from_date_0"' in body
    assert "<title>Error:" in body


def test_date_boxes_with_an_error_say_so(client, db):
    eligible(client)
    about_you(client)
    body = client.post(reverse("police:incident"), incident_data(from_date_1="")).content.decode()
    box = re.search(r'<input[^>]*name="from_date_1"[^>]*>', body).group(0)
    assert (
        'aria-invalid="true"' in box and "usa-input--error" in box and "id_from_date_error" in box
    )


def test_a_phone_caller_without_email_can_be_filed_for(staff_client):
    client, _officer = staff_client("police_reviewer")
    client.post(reverse("police:counter-start"), {"channel": "phone"})
    response = about_you(client, email="")
    assert response.status_code == 302, response.content.decode()[:500]
    client.post(reverse("police:incident"), incident_data())
    client.post(reverse("police:narrative"), {"narrative": "Lost on the bus."})
    client.post(reverse("police:item-add"), item_data())
    client.post(reverse("police:check"), {"declaration": "on"})
    case = Case.objects.get()
    assert (case.channel, case.status, case.contact_email) == ("phone", "submitted", "")
    assert not Notification.objects.filter(case=case).exists()


def test_online_reports_still_need_an_email(client, db):
    eligible(client)
    assert "Enter your email address." in about_you(client, email="").content.decode()


def test_officers_open_issued_reports_through_a_logged_page(staff_client, file_report):
    from cityhall.police import decisions
    from cityhall.police.tasks import issue_approved_report

    report = file_report()
    client, officer = staff_client("police_reviewer")
    decisions.approve_report(report=report, officer=officer)
    issue_approved_report.call(report.pk)
    code = report.case.documents.get().verification_code
    page = client.get(reverse("police:staff-report", args=[report.case.reference])).content.decode()
    url = reverse("police:document", args=[report.case.reference, code])
    assert url in page
    PersonalDataView.objects.all().delete()
    response = client.get(url)
    assert response["Content-Type"] == "application/pdf"
    assert PersonalDataView.objects.get().what == f"document {code}"


def test_a_photo_can_be_replaced_or_removed(client, db):
    eligible(client)
    about_you(client)
    photo = SimpleUploadedFile("bike.jpg", _jpeg(), content_type="image/jpeg")
    client.post(reverse("police:item-add"), {**item_data(), "photo": photo})
    item = PoliceReport.objects.get().items.get()
    assert item.photo
    page = client.get(reverse("police:item-edit", args=[item.pk])).content.decode()
    assert "Remove the photo" in page
    client.post(reverse("police:item-edit", args=[item.pk]), {**item_data(), "remove_photo": "on"})
    item.refresh_from_db()
    assert item.photo is None
