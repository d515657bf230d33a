"""The verification pages in headless Chromium, both languages, with axe-core."""

import pytest

from cityhall.testing import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_verification_pages_pass_axe_in_both_languages(page, issued):
    code = issued.verification_code
    page.goto(page.base + f"/verify/{code}/")
    page.get_by_role("heading", name="This document is genuine").wait_for()
    assert_accessible(page, "verify-code")
    page.goto(page.base + f"/es/verify/{code}/")
    assert page.locator("html").get_attribute("lang") == "es"
    assert_accessible(page, "verify-code-es")
    page.goto(page.base + f"/verify/{code}/")
    page.get_by_role("link", name="Read the document on this website").click()
    page.get_by_role("heading", level=1, name="Police report: lost or stolen property").wait_for()
    assert page.get_by_role("cell", name="$1,250.00").is_visible()
    assert_accessible(page, "document-html")


def test_typing_a_code_and_checking_a_tampered_file(page, issued, tmp_path):
    code = issued.verification_code
    page.goto(page.base + "/verify/")
    page.get_by_label("Verification code").fill("not a code")
    page.get_by_role("button", name="Check the code").click()
    assert page.get_by_role("alert").is_visible()
    assert page.get_by_label("Verification code").input_value() == "not a code"
    assert_accessible(page, "verify-form-error")

    page.get_by_label("Verification code").fill(code.lower().replace("-", " "))
    page.get_by_role("button", name="Check the code").click()
    page.get_by_role("heading", name="This document is genuine").wait_for()
    assert page.url.endswith(f"/verify/{code}/")

    with issued.file.open("rb") as f:
        data = bytearray(f.read())
    data[200] ^= 0x01
    tampered = tmp_path / "report.pdf"
    tampered.write_bytes(bytes(data))
    assert page.get_by_text("Your copy of the PDF").is_visible()
    # USWDS's file input script renames the input (in English): find it by type.
    page.locator("input[type=file][name=file]").set_input_files(str(tampered))
    page.get_by_role("button", name="Check the file").click()
    alert = page.get_by_role("alert")
    alert.wait_for()
    assert "does NOT match — this file has been changed" in alert.inner_text()
    assert_accessible(page, "verify-mismatch")


def test_an_unknown_code_page_passes_axe(page, db):
    response = page.goto(page.base + "/verify/ZZZZZ-99999/")
    assert response.status == 404
    page.get_by_role("heading", name="No document has this code").wait_for()
    assert_accessible(page, "verify-unknown")
