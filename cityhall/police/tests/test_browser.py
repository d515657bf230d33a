"""The resident's and the officer's journeys in headless Chromium, in English
and Spanish, with axe-core (WCAG 2.2 AA rules) on every page on the way."""

import io
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from pypdf import PdfReader

from cityhall.cases.models import Case
from cityhall.police.models import PoliceReport
from cityhall.testing import assert_accessible, current_totp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = {
    "en": {
        "start": "Start your report",
        "continue": "Continue",
        "add": "Add an item",
        "save_item": "Save this item",
        "send": "Send the report",
        "sent": "Your report has been sent",
    },
    "es": {
        "start": "Empezar su reporte",
        "continue": "Continuar",
        "add": "Agregar un objeto",
        "save_item": "Guardar este objeto",
        "send": "Enviar el reporte",
        "sent": "Su reporte fue enviado",
    },
}


def choose(page, name, value):
    """Click the label of a USWDS radio or checkbox, as a person does."""
    page.locator(
        f"label[for='{page.locator(f'input[name={name}][value={value}]').get_attribute('id')}']"
    ).click()


def check_page(page, name):
    assert_accessible(page, name)


def run_resident_journey(page, language):
    t = TEXT[language]
    prefix = "/es" if language == "es" else ""
    page.goto(page.base + prefix + "/police/report/")
    assert page.locator("html").get_attribute("lang") == language
    check_page(page, f"{language}-start")
    page.get_by_role("button", name=t["start"], exact=True).click()
    for code, value in [
        ("emergency", "no"),
        ("kind", "stolen"),
        ("suspect", "no"),
        ("injury", "no"),
        ("location", "yes"),
    ]:
        page.wait_for_url(re.compile(f"/check/{code}/"))
        check_page(page, f"{language}-question-{code}")
        choose(page, "answer", value)
        page.get_by_role("button", name=t["continue"], exact=True).click()

    page.wait_for_url(re.compile("/about-you/"))
    # Continue without filling anything: clear messages, nothing lost.
    page.fill("[name=first_name]", "José")
    page.get_by_role("button", name=t["continue"], exact=True).click()
    page.locator("#error-summary").wait_for()
    assert page.input_value("[name=first_name]") == "José"
    check_page(page, f"{language}-about-you-errors")
    page.fill("[name=last_name]", "Núñez")
    page.fill("[name=email]", "jose@example.org")
    page.fill("[name=phone]", "213 555 0147")
    choose(page, "language", language)
    page.get_by_role("button", name=t["continue"], exact=True).click()

    page.wait_for_url(re.compile("/incident/"))
    check_page(page, f"{language}-incident")
    day = timezone.localdate() - timedelta(days=1)
    choose(page, "kind", "stolen")
    page.fill("[name=from_date_0]", str(day.month))
    page.fill("[name=from_date_1]", str(day.day))
    page.fill("[name=from_date_2]", str(day.year + 1))  # in the future: refused
    page.fill("[name=from_time]", "6:30 pm")
    page.fill("[name=location]", "200 N Spring St")
    page.get_by_role("button", name=t["continue"], exact=True).click()
    page.locator(".usa-error-message").first.wait_for()
    assert page.input_value("[name=location]") == "200 N Spring St"
    check_page(page, f"{language}-incident-errors")
    page.fill("[name=from_date_2]", str(day.year))
    page.get_by_role("button", name=t["continue"], exact=True).click()

    page.wait_for_url(re.compile("/description/"))
    check_page(page, f"{language}-narrative")
    page.fill("[name=narrative]", "Taken from the rack <script>alert(1)</script>")
    page.get_by_role("button", name=t["continue"], exact=True).click()

    page.wait_for_url(re.compile("/items/$"))
    check_page(page, f"{language}-items-empty")
    page.get_by_role("link", name=t["add"]).click()
    check_page(page, f"{language}-item-form")
    page.select_option("[name=category]", "04")
    page.fill("[name=description]", "Road bicycle")
    page.fill("[name=serial_number]", "WTU 123 G4567")
    page.fill("[name=value]", "899")
    page.get_by_role("button", name=t["save_item"], exact=True).click()
    page.wait_for_url(re.compile("/items/$"))
    check_page(page, f"{language}-items")
    page.get_by_role("button", name=t["continue"], exact=True).click()

    page.wait_for_url(re.compile("/check-your-answers/"))
    check_page(page, f"{language}-check")
    assert "<script>" not in page.inner_html("main").split("Taken from the rack")[0][-200:]
    assert page.get_by_text("Taken from the rack <script>alert(1)</script>").is_visible()
    page.locator("label[for=id_declaration]").click()
    page.get_by_role("button", name=t["send"], exact=True).click()

    page.wait_for_url(re.compile("/sent/"))
    check_page(page, f"{language}-sent")
    assert t["sent"] in page.inner_text("main")
    reference = page.get_by_test_id("tracking-number").inner_text().strip()
    case = Case.objects.get(reference=reference)
    assert case.status == "submitted" and case.language == language
    return case


@pytest.mark.parametrize("language", ["en", "es"])
def test_resident_reports_stolen_bicycle(mobile_page, language):
    case = run_resident_journey(mobile_page, language)
    report = PoliceReport.objects.get(case=case)
    assert (report.first_name, report.last_name) == ("José", "Núñez")
    assert report.narrative == "Taken from the rack <script>alert(1)</script>"
    assert report.items.get().serial_normalized == "WTU123G4567"


def _run_worker():
    call_command(
        "db_worker", batch=True, reload=False, startup_delay=False, verbosity=0, queue_name="*"
    )


@pytest.mark.parametrize("language", ["en", "es"])
def test_officer_reviews_and_resident_gets_the_pdf(page, browser, live_server, make_user, language):
    resident_context = browser.new_context(viewport={"width": 390, "height": 844})
    resident_page = resident_context.new_page()
    resident_page.base = live_server.url
    case = run_resident_journey(resident_page, language)
    resident_context.close()

    officer = make_user(
        "officer@staff.example.org",
        roles=["police_reviewer"],
        password="correct horse battery",
        full_name="Officer Dana Reyes",
    )
    device = TOTPDevice.objects.create(user=officer, name="phone", confirmed=True)
    prefix = "/es" if language == "es" else ""
    page.goto(page.base + prefix + "/staff/police/")
    page.fill("[name=username]", officer.email)
    page.fill("[name=password]", "correct horse battery")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile("/two-factor/"))
    check_page(page, f"{language}-two-factor")
    page.fill("[name=code]", current_totp(device))
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile("/staff/police/$"))
    check_page(page, f"{language}-officer-queue")
    page.get_by_role("link", name=case.reference).click()
    page.wait_for_url(re.compile(f"/staff/police/{case.reference}/"))
    check_page(page, f"{language}-officer-report")
    with page.expect_navigation():
        page.locator(f"form[action$='/{case.reference}/approve/'] button").click()
    check_page(page, f"{language}-officer-approved")
    report = PoliceReport.objects.get(case=case)
    assert report.report_number and report.report_number in page.inner_text("main")

    mail.outbox.clear()
    _run_worker()
    [email] = [m for m in mail.outbox if report.report_number in m.subject]
    assert email.to == ["jose@example.org"]
    [(filename, content, mimetype)] = email.attachments
    assert mimetype == "application/pdf" and filename.endswith(".pdf")
    text = " ".join(
        " ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(content)).pages
    )
    for expected in [
        report.report_number,
        case.reference,
        "José Núñez",
        "WTU 123 G4567",
        "$899.00",
        "Officer Dana Reyes",
        "200 N Spring St",
    ]:
        assert expected in text, expected

    # The resident checks the document on the verify page.
    code = report.case.documents.get().verification_code
    page.goto(page.base + prefix + f"/verify/{code}/")
    check_page(page, f"{language}-verify")


def test_use_my_current_location(browser, live_server):
    context = browser.new_context(
        geolocation={"latitude": 34.053691, "longitude": -118.242766}, permissions=["geolocation"]
    )
    page = context.new_page()
    page.goto(live_server.url + "/police/report/")
    page.get_by_role("button", name="Start your report", exact=True).click()
    for _code, value in [("emergency", "no"), ("kind", "lost"), ("location", "yes")]:
        choose(page, "answer", value)
        page.get_by_role("button", name="Continue", exact=True).click()
    page.fill("[name=first_name]", "Ana")
    page.fill("[name=last_name]", "Ruiz")
    page.fill("[name=email]", "ana@example.org")
    page.fill("[name=phone]", "2135550147")
    page.get_by_role("button", name="Continue", exact=True).click()
    page.wait_for_url(re.compile("/incident/"))
    page.get_by_role("button", name="Use my current location").click()
    page.get_by_text("Your location is pinned.").wait_for()
    assert page.input_value("[name=latitude]") == "34.053691"
    check_page(page, "geolocation")
    context.close()


@pytest.mark.parametrize("language", ["en", "es"])
def test_other_resident_pages_pass_axe(page, language, file_report_factory=None):
    from cityhall.cases.selectors import tracking_token
    from cityhall.police import services

    from .conftest import bike, incident, reporter

    prefix = "/es" if language == "es" else ""
    t = TEXT[language]
    page.goto(page.base + prefix + "/police/report/")
    page.get_by_role("button", name=t["start"], exact=True).click()
    choose(page, "answer", "yes")
    page.get_by_role("button", name=t["continue"], exact=True).click()
    page.wait_for_url(re.compile("/not-online/emergency/"))
    check_page(page, f"{language}-ineligible")
    assert not Case.objects.exists()

    report = services.file_report(
        reporter=reporter(language=language),
        incident=incident(),
        items=[bike()],
        declaration_accepted=True,
    )
    page.goto(page.base + prefix + f"/track/{tracking_token(report.case)}/")
    check_page(page, f"{language}-status")
    page.goto(page.base + prefix + "/track/")
    check_page(page, f"{language}-track-form")
    page.fill("[name=reference]", "LP-2026-00001-Q")
    page.fill("[name=email]", "nobody@example.org")
    page.locator("main form button[type=submit]").click()
    page.locator("#error-summary").wait_for()
    check_page(page, f"{language}-track-errors")


def _staff_sign_in(page, make_user, role, email):
    user = make_user(email, roles=[role], password="correct horse battery")
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    page.goto(page.base + "/accounts/sign-in/")
    page.fill("[name=username]", email)
    page.fill("[name=password]", "correct horse battery")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile("/two-factor/"))
    page.fill("[name=code]", current_totp(device))
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile("/staff/"))
    return user


@pytest.mark.parametrize("language", ["en", "es"])
def test_save_remove_and_expired_link_pages_pass_axe(page, language):
    from unittest import mock

    from django.core import signing

    from cityhall.police.journey import RESUME_SALT

    t = TEXT[language]
    prefix = "/es" if language == "es" else ""
    page.goto(page.base + prefix + "/police/report/")
    page.get_by_role("button", name=t["start"], exact=True).click()
    for value in ["no", "lost", "yes"]:
        choose(page, "answer", value)
        page.get_by_role("button", name=t["continue"], exact=True).click()
    page.fill("[name=first_name]", "Ana")
    page.fill("[name=last_name]", "Ruiz")
    page.fill("[name=email]", "ana@example.org")
    page.fill("[name=phone]", "2135550147")
    with page.expect_navigation():
        page.locator("button[name=save_for_later]").click()
    assert PoliceReport.objects.exists()
    check_page(page, f"{language}-saved")
    page.goto(page.base + prefix + "/police/report/items/add/")
    page.select_option("[name=category]", "25")
    page.fill("[name=description]", "Wallet")
    page.fill("[name=value]", "20")
    page.get_by_role("button", name=t["save_item"], exact=True).click()
    page.wait_for_url(re.compile("/items/$"))
    page.locator("a[href*='/remove/']").first.click()
    page.wait_for_url(re.compile("/remove/"))
    check_page(page, f"{language}-remove-item")

    report = PoliceReport.objects.get()
    with mock.patch("django.core.signing.time.time", return_value=0):
        old = signing.dumps(report.case.public_id.hex, salt=RESUME_SALT)
    page.goto(page.base + prefix + f"/police/report/resume/{old}/")
    check_page(page, f"{language}-link-expired")


def test_officer_forms_serial_search_and_export_errors_pass_axe(page, make_user):
    from cityhall.police import services
    from cityhall.police.models import RmsExport

    from .conftest import bike, incident, reporter

    report = services.file_report(
        reporter=reporter(), incident=incident(), items=[bike()], declaration_accepted=True
    )
    _staff_sign_in(page, make_user, "police_supervisor", "sergeant@staff.example.org")
    page.goto(page.base + f"/staff/police/{report.case.reference}/")
    for summary in page.locator("main details summary").all():
        summary.click()
    check_page(page, "officer-forms-open")
    page.goto(page.base + "/staff/police/serial-search/?serial=wtu-123-g4567")
    check_page(page, "serial-search")
    from cityhall.police import decisions

    officer = make_user("o2@staff.example.org", roles=["police_supervisor"], full_name="Sgt Two")
    decisions.approve_report(report=report, officer=officer)
    RmsExport.objects.filter(report=report).update(
        status=RmsExport.Status.FAILED, attempts=6, last_error="HTTP 503"
    )
    page.goto(page.base + "/staff/police/export-errors/")
    assert report.report_number in page.inner_text("main")
    check_page(page, "export-errors")


def test_officer_sees_held_and_removed_photos_and_the_page_passes_axe(page, make_user):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from cityhall.cases import services as cases
    from cityhall.cases.models import ScanStatus
    from cityhall.cases.uploads import clean_upload
    from cityhall.police import services

    from .conftest import bike, incident, reporter

    report = services.file_report(
        reporter=reporter(),
        incident=incident(),
        items=[bike(value_cents=20_000), bike(serial_number="SECOND-2", value_cents=20_000)],
        declaration_accepted=True,
    )
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, format="JPEG")
    for item, status in zip(
        report.items.all(), [ScanStatus.HELD, ScanStatus.INFECTED], strict=True
    ):
        photo = clean_upload(SimpleUploadedFile("bike.jpg", out.getvalue(), "image/jpeg"))
        item.photo = cases.attach_file(case=report.case, clean=photo, purpose="item-photo")
        item.photo.scan_status = status
        item.photo.save(update_fields=["scan_status"])
        item.save(update_fields=["photo"])
    _staff_sign_in(page, make_user, "police_supervisor", "sergeant2@staff.example.org")
    page.goto(page.base + f"/staff/police/{report.case.reference}/")
    main = page.inner_text("main").lower()  # USWDS tags show in capitals
    assert "waiting for virus scan" in main and "removed, a virus was found" in main
    assert page.locator("main a[href*='/attachments/']").count() == 0
    check_page(page, "officer-held-photos")
