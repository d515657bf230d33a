"""The permit journeys in headless Chromium, in English and Spanish, with
axe-core (WCAG 2.2 AA rules) on every page on the way:

1. a resident applies for a fence permit (issued the moment it is paid),
   pays in the sandbox and downloads the permit PDF, whose text is checked;
2. a resident applies for a small construction job; building and zoning
   review it in parallel, building asks for a correction, the resident
   uploads a new version, both approve, and an inspector records the final
   inspection the resident booked.

Elements are found by test ids, names and URLs, not by their words, so the
journeys do not depend on the Spanish catalogue being up to date."""

from __future__ import annotations

import io
import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from pypdf import PdfReader

from cityhall.permits.models import Department, Permit, PermitApplication
from cityhall.testing import assert_accessible, current_totp, pay_in_sandbox

from .conftest import on_the_day, pdf_bytes, run_worker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _site(settings, live_server):
    settings.CITY_SITE_URL = live_server.url  # payments send the payer back here


@pytest.fixture
def plan(tmp_path):
    path = tmp_path / "site-plan.pdf"
    path.write_bytes(pdf_bytes())
    return path


def prefix_of(language):
    return "/es" if language == "es" else ""


def choose(page, name, value):
    radio = page.locator(f"input[name='{name}'][value='{value}']")
    page.locator(f"label[for='{radio.get_attribute('id')}']").click()


def step(page, name, language, pattern):
    page.wait_for_url(re.compile(pattern))
    assert page.locator("html").get_attribute("lang") == language
    if language == "es":
        assert "/es/" in page.url
    assert_accessible(page, f"{language}-{name}")


def sign_in(page, email, password=PASSWORD):
    page.fill("[name=username]", email)
    page.fill("[name=password]", password)
    page.locator("main form button[type=submit]").click()


def start_application(page, make_user, language, code):
    prefix = prefix_of(language)
    make_user("ana@example.org", roles=["resident"], password=PASSWORD, full_name="Ana García")
    page.goto(page.base + prefix + "/permits/")
    step(page, "start", language, "/permits/$")
    page.get_by_test_id(f"type-{code}").click()
    step(page, f"type-{code}", language, f"/permits/types/{code}/")
    page.get_by_test_id("start").click()
    step(page, "sign-in-step", language, "/permits/sign-in/")
    page.get_by_test_id("sign-in").click()
    page.wait_for_url(re.compile("/accounts/sign-in/"))
    sign_in(page, "ana@example.org")
    page.wait_for_url(re.compile(f"/permits/types/{code}/"))
    page.get_by_test_id("start").click()
    step(page, "details", language, "/work/$")


def address_and_contacts(page, language, with_contractor=False):
    page.fill("[name=street]", "12 Elm St")
    page.fill("[name=zip_code]", "10001")  # outside the city
    page.get_by_test_id("continue").click()
    page.locator("#error-summary").wait_for()
    assert page.input_value("[name=street]") == "12 Elm St"
    assert_accessible(page, f"{language}-address-errors")
    page.fill("[name=street]", "200 N Harbor Blvd")
    page.fill("[name=zip_code]", "90731")
    page.get_by_test_id("continue").click()
    step(page, "contacts", language, "/who/$")
    choose(page, "applicant_role", "owner")
    page.fill("[name=owner_phone]", "(213) 555-0147")
    if with_contractor:
        page.fill("[name=contractor_name]", "Bob Builder")
        page.fill("[name=contractor_company]", "Builders Inc")
        page.fill("[name=contractor_licence_number]", "C-123456")
    page.get_by_test_id("continue").click()
    step(page, "documents", language, "/documents/$")


def upload(page, code, path):
    page.set_input_files(f"#id_{code}-file", str(path))
    page.get_by_test_id(f"upload-{code}").click()
    page.get_by_test_id(f"uploaded-{code}").wait_for()


def check_submit_and_pay(page, language):
    page.get_by_test_id("continue").click()
    step(page, "check", language, "/check/$")
    assert page.get_by_test_id("no-problems").is_visible()
    page.locator("label[for=id_declaration]").click()
    page.get_by_test_id("submit").click()
    step(page, "payment-due", language, r"/applications/PM-[\w-]+/$")
    assert page.get_by_test_id("status").get_attribute("data-state") == "payment_due"
    reference = page.get_by_test_id("reference").inner_text().strip()
    page.get_by_test_id("pay").click()
    pay_in_sandbox(page)
    return reference


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_fence_permit_is_applied_for_paid_and_downloaded(page, types, make_user, plan, language):
    start_application(page, make_user, language, "residential-fence")
    # Too high: refused next to the field, and what was typed is kept.
    page.fill("[name=description]", "Cedar fence along the back of the lot")
    page.fill("[name=height_ft]", "12")
    page.fill("[name=length_ft]", "80")
    page.get_by_test_id("continue").click()
    page.locator("#error-summary").wait_for()
    assert page.input_value("[name=length_ft]") == "80"
    assert_accessible(page, f"{language}-details-errors")
    page.fill("[name=height_ft]", "6")
    choose(page, "material", "wood")
    choose(page, "front_yard", "no")
    page.get_by_test_id("continue").click()
    step(page, "address", language, "/address/$")
    address_and_contacts(page, language)
    # Going on without the sketch: the check lists it and offers no payment.
    page.get_by_test_id("continue").click()
    step(page, "check-problems", language, "/check/$")
    assert (
        page.locator("[data-testid=problems] li[data-field='documents.site-sketch']").count() == 1
    )
    assert page.get_by_test_id("submit").count() == 0
    page.goto(page.url.replace("/check/", "/documents/"))
    upload(page, "site-sketch", plan)
    assert_accessible(page, f"{language}-documents-uploaded")
    reference = check_submit_and_pay(page, language)
    assert_accessible(page, f"{language}-paid")

    application = PermitApplication.objects.get(case__reference=reference)
    assert application.case.status == "issued"
    assert application.case.language == language
    run_worker()
    page.goto(page.base + prefix_of(language) + f"/permits/applications/{reference}/")
    step(page, "issued", language, f"/permits/applications/{reference}/")
    assert page.get_by_test_id("status").get_attribute("data-state") == "issued"
    number = page.get_by_test_id("permit-number").inner_text().strip()
    href = page.get_by_test_id("permit-pdf").get_attribute("href")
    response = page.context.request.get(page.base + href)  # with the applicant's session
    assert response.ok and response.headers["content-type"] == "application/pdf"
    data = response.body()
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(data)).pages)
    material = "Madera" if language == "es" else "Wood"
    for expected in (
        number,
        "200 N Harbor Blvd",
        "Cedar fence along the back of the lot",
        material,
    ):
        assert expected in text, expected
    page.goto(page.base + prefix_of(language) + "/permits/mine/")
    step(page, "mine", language, "/permits/mine/")
    page.goto(page.base + prefix_of(language) + "/permits/search/?address=200+harbor")
    step(page, "search", language, "/permits/search/")
    assert number in page.get_by_test_id("results").inner_text()
    page.goto(page.base + prefix_of(language) + f"/permits/issued/{number}/")
    step(page, "public-permit", language, "/permits/issued/")
    assert "Ana" not in page.inner_text("main")


def staff_sign_in(browser, live_server, make_user, language, email, department):
    user = make_user(
        email, roles=["permit_reviewer"], password=PASSWORD, full_name=email.split("@")[0].title()
    )
    Department.objects.get(code=department).members.add(user)
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(live_server.url + prefix_of(language) + "/staff/permits/")
    sign_in(page, email)
    page.wait_for_url(re.compile("/two-factor/"))
    page.fill("[name=code]", current_totp(device))
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile("/staff/permits/"))
    return page


def open_from_queue(page, language, reference, name):
    page.goto(page.url.split("/staff/")[0] + "/staff/permits/")
    assert_accessible(page, f"{language}-{name}-queue")
    page.get_by_role("link", name=reference).click()
    page.wait_for_url(re.compile(f"/staff/permits/applications/{reference}/"))
    for summary in page.locator("main details summary").all():
        summary.click()
    assert_accessible(page, f"{language}-{name}-application")


@pytest.mark.parametrize("language", ["en", "es"])
def test_two_departments_review_in_parallel_with_a_correction_and_an_inspection(
    page, browser, live_server, types, make_user, plan, tmp_path, language
):
    start_application(page, make_user, language, "small-construction")
    page.fill("[name=description]", "Rear deck, 300 square feet")
    choose(page, "work_kind", "deck")
    page.fill("[name=valuation]", "0")  # refused: zero
    page.get_by_test_id("continue").click()
    page.locator("#error-summary").wait_for()
    page.fill("[name=valuation]", "25,000")
    page.fill("[name=floor_area]", "300")
    page.fill("[name=stories]", "1")
    page.get_by_test_id("continue").click()
    step(page, "address", language, "/address/$")
    address_and_contacts(page, language, with_contractor=True)
    upload(page, "site-plan", plan)
    upload(page, "drawings", plan)
    reference = check_submit_and_pay(page, language)
    page.goto(page.base + prefix_of(language) + f"/permits/applications/{reference}/")
    step(page, "in-review", language, "/permits/applications/")
    assert page.get_by_test_id("status").get_attribute("data-state") == "in_review"
    assert page.get_by_test_id("expected").is_visible()

    building = staff_sign_in(
        browser, live_server, make_user, language, "building@staff.example.org", "building"
    )
    open_from_queue(building, language, reference, "building")
    building.fill("[name=correct-message]", "Show the distance to the rear property line.")
    building.locator("label[for=id_correct-documents_0]").click()
    building.get_by_test_id("corrections-building").click()
    building.wait_for_load_state()
    assert building.get_by_test_id("staff-status").get_attribute("data-state") == "corrections"

    zoning = staff_sign_in(
        browser, live_server, make_user, language, "zoning@staff.example.org", "zoning"
    )
    zoning.goto(live_server.url + prefix_of(language) + f"/staff/permits/applications/{reference}/")
    assert zoning.get_by_test_id("approve-zoning").count() == 0  # waiting for the applicant

    page.reload()
    assert page.get_by_test_id("status").get_attribute("data-state") == "corrections"
    page.get_by_test_id("corrections").click()
    step(page, "corrections", language, "/corrections/$")
    page.get_by_test_id("send-corrections").click()  # without the new version: refused
    page.locator("#error-summary").wait_for()
    assert_accessible(page, f"{language}-corrections-errors")
    revised = tmp_path / "site-plan-v2.pdf"
    revised.write_bytes(pdf_bytes(pages=2))
    page.set_input_files("#id_site-plan-file", str(revised))
    page.get_by_test_id("upload-site-plan").click()
    page.get_by_test_id("new-site-plan").wait_for()
    page.fill("[name=answer]", "Added: 12 ft to the rear line.")
    page.get_by_test_id("send-corrections").click()
    step(page, "corrections-sent", language, f"/permits/applications/{reference}/$")

    zoning.reload()
    zoning.get_by_test_id("approve-zoning").click()
    zoning.wait_for_load_state()
    building.reload()
    assert building.locator("[data-testid=staff-documents] a[data-version='2']").count() == 1
    building.get_by_test_id("approve-building").click()
    building.wait_for_load_state()
    assert building.get_by_test_id("staff-status").get_attribute("data-state") == "issued"
    run_worker()

    page.reload()
    assert page.get_by_test_id("status").get_attribute("data-state") == "issued"
    assert_accessible(page, f"{language}-construction-issued")
    from cityhall.permits.inspections import ensure_slots

    ensure_slots()
    page.get_by_test_id("book-final").click()
    step(page, "book-inspection", language, "/inspections/final/$")
    first = page.locator("input[name=slot]").first
    page.locator(f"label[for='{first.get_attribute('id')}']").click()
    page.fill("[name=access_notes]", "Side gate")
    page.get_by_test_id("book").click()
    step(page, "inspection-booked", language, f"/permits/applications/{reference}/$")

    permit = Permit.objects.get(application__case__reference=reference)
    inspection = on_the_day(permit.inspections.get())
    building.goto(live_server.url + prefix_of(language) + "/staff/permits/inspections/")
    assert_accessible(building, f"{language}-day-list")
    building.get_by_test_id(f"inspection-{inspection.pk}").click()
    building.wait_for_url(re.compile(f"/staff/permits/inspections/{inspection.pk}/"))
    assert_accessible(building, f"{language}-inspection")
    for item in ("complete", "smoke", "grading"):
        building.locator(f"label[for=id_item_{item}_0]").click()
    building.get_by_test_id("record").click()
    building.wait_for_url(re.compile("/staff/permits/inspections/"))
    permit.refresh_from_db()
    assert permit.status == "completed"
    page.reload()
    assert page.get_by_test_id("status").get_attribute("data-state") == "completed"
    assert_accessible(page, f"{language}-completed")
    building.context.close()
    zoning.context.close()
