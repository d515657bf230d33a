import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.formats import date_format

from cityhall.documents import views
from cityhall.documents.models import Document

from .test_services import correct


def pdf_bytes(document) -> bytes:
    with document.file.open("rb") as f:
        return f.read()


def url(document, suffix=""):
    return f"/verify/{document.verification_code}/{suffix}"


def test_a_genuine_code_shows_what_was_issued(client, issued, case):
    response = client.get(url(issued))
    assert response.status_code == 200
    page = response.content.decode()
    assert "This document is genuine" in page
    assert "Police report: lost or stolen property" in page
    assert "<dd>Police report</dd>" in page  # the kind, in words
    assert case.reference in page
    assert "City of Port Alder, issued by Dana Whitfield" in page
    assert issued.sha256 in page
    assert "Current version" in page
    local = timezone.localtime(issued.issued_at)  # the city's zone, named
    assert f"{date_format(local, 'DATETIME_FORMAT')} {local.tzname()}" in page
    assert f'href="/verify/{issued.verification_code}/document/"' in page
    assert f'href="/verify/{issued.verification_code}/document.pdf"' in page
    assert response["Cache-Control"].startswith("max-age=0")


def test_a_code_typed_loosely_goes_to_its_page(client, issued):
    loose = issued.verification_code.lower().replace("-", "")
    response = client.get(f"/verify/{loose}/")
    assert response.status_code == 302 and response["Location"] == url(issued)


def test_the_form_sends_a_good_code_to_its_page(client, issued):
    typed = " " + issued.verification_code.lower().replace("-", " ") + " "
    response = client.post("/verify/", {"code": typed})
    assert response.status_code == 302 and response["Location"] == url(issued)
    response = client.get("/verify/", {"code": typed})
    assert response.status_code == 302 and response["Location"] == url(issued)


def test_a_malformed_code_is_explained_next_to_the_field_and_kept(client, db):
    response = client.post("/verify/", {"code": "ABC-1O"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "A code has 10 letters and numbers, like ABCDE-23456." in page
    assert 'id="id_code_error"' in page
    assert 'value="ABC-1O"' in page
    assert client.get("/verify/").status_code == 200


def test_an_unknown_code_is_a_clear_404(client, issued):
    response = client.get("/verify/ZZZZZ-99999/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "No document has this code" in page
    assert "ZZZZZ-99999" in page and 'name="code"' in page  # the form to try again, filled in
    for path in [
        "/verify/ZZZZZ-99999/document/",
        "/verify/ZZZZZ-99999/document.pdf",
        "/verify/<b>x/",
    ]:
        response = client.get(path)
        assert response.status_code == 404
        assert b"No document has this code" in response.content
        assert b"<b>x" not in response.content


def test_the_exact_pdf_is_identical(client, issued):
    upload = SimpleUploadedFile("report.pdf", pdf_bytes(issued), content_type="application/pdf")
    response = client.post(url(issued), {"file": upload})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'role="status"' in page
    assert "Your file is identical to the one the city issued" in page
    assert "does NOT match" not in page


def test_a_pdf_with_one_byte_changed_does_not_match(client, issued):
    data = bytearray(pdf_bytes(issued))
    data[-100] ^= 0x20
    upload = SimpleUploadedFile("report.pdf", bytes(data), content_type="application/pdf")
    response = client.post(url(issued), {"file": upload})
    page = response.content.decode()
    assert 'role="alert"' in page
    assert "Your file does NOT match — this file has been changed" in page
    assert "is identical" not in page


def test_checking_without_a_file_asks_for_one(client, issued):
    response = client.post(url(issued), {})
    assert response.status_code == 200
    assert "Choose the PDF file to check." in response.content.decode()


def test_an_old_version_says_it_was_replaced_and_links_to_the_current_one(client, issued):
    new = correct(issued)
    page = client.get(url(issued)).content.decode()
    assert "This document is genuine but no longer valid" in page
    assert "A corrected version replaces this document" in page
    assert "Current version" not in page
    assert f'href="/verify/{new.verification_code}/"' in page
    page = client.get(url(new)).content.decode()
    assert "Current version" in page
    assert issued.verification_code in page and "Serial number of the laptop was wrong." in page
    page = client.get(url(issued, "document/")).content.decode()
    assert f'href="/verify/{new.verification_code}/document/"' in page


def test_the_html_view_is_the_document_as_semantic_html(client, issued, case):
    response = client.get(url(issued, "document/"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>Police report: lost or stolen property</h1>" in page
    assert "<h2>Report</h2>" in page and "<h2>Property</h2>" in page
    assert "<dt>Reported by</dt><dd>José Núñez</dd>" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    assert '<caption class="usa-sr-only">Property</caption>' in page
    assert '<th scope="col">Item</th>' in page and '<th scope="row">Laptop</th>' in page
    assert '<td class="text-right">$1,250.00</td>' in page
    assert "<tfoot>" in page and case.reference in page
    assert "<strong>Dana Whitfield</strong><br>Police officer" in page
    assert f'href="/verify/{issued.verification_code}/document.pdf"' in page


def test_the_html_view_of_a_spanish_document_is_marked_spanish(client, case):
    from cityhall.documents import services

    case.language = "es"
    document = services.issue_document(
        case=case, kind="police_report", title="Informe", sections=[]
    )
    page = client.get(url(document, "document/")).content.decode()
    assert '<article lang="es">' in page
    page = client.get("/es" + url(document, "document/")).content.decode()
    assert "<article>" in page  # the page is Spanish already


def test_the_pdf_is_served_as_stored(client, issued):
    response = client.get(url(issued, "document.pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'inline; filename="police_report-{issued.verification_code}.pdf"'
    )
    assert b"".join(response.streaming_content) == pdf_bytes(issued)


def test_spanish_pages_live_under_es(client, issued):
    response = client.get("/es" + url(issued))
    assert response.status_code == 200
    assert b'lang="es"' in response.content
    assert client.get("/es/verify/").status_code == 200


def test_look_ups_are_limited_per_address(client, issued, monkeypatch):
    monkeypatch.setattr(views, "LOOKUPS_PER_HOUR", 3)
    for _ in range(3):
        assert client.get(url(issued)).status_code == 200
    for path in [url(issued), url(issued, "document/"), "/verify/ZZZZZ-99999/"]:
        response = client.get(path)
        assert response.status_code == 429
        assert b"Try again in an hour" in response.content
    other = client.get(url(issued), REMOTE_ADDR="192.0.2.7")
    assert other.status_code == 200


@pytest.mark.parametrize("method", ["put", "delete"])
def test_only_reading_and_checking(client, issued, method):
    assert getattr(client, method)(url(issued)).status_code == 405


def test_admin_lists_documents_read_only(staff_client, issued):
    from django.contrib import admin
    from django.test import RequestFactory

    client, user = staff_client("city_admin")
    user.is_superuser = True
    user.save(update_fields=["is_superuser"])
    response = client.get("/admin/documents/document/")
    assert response.status_code == 200
    assert issued.verification_code in response.content.decode()
    response = client.get(f"/admin/documents/document/{issued.pk}/change/")
    assert response.status_code == 200
    assert b'name="title"' not in response.content  # nothing to edit
    model_admin = admin.site._registry[Document]
    request = RequestFactory().get("/")
    request.user = user
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, issued)
    assert not model_admin.has_delete_permission(request, issued)
