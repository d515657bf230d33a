import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from cityhall.cases import services
from cityhall.cases.uploads import UploadRejected, clean_upload


def _jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0112] = 6  # Orientation: rotate 90
    gps = {1: "N", 2: (34.0, 3.0, 0.0), 3: "W", 4: (118.0, 14.0, 0.0)}
    exif[0x8825] = gps
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def _pdf(pages=1) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def upload(data: bytes, name: str, content_type: str):
    return SimpleUploadedFile(name, data, content_type=content_type)


def test_photo_is_reencoded_without_metadata_and_kept_upright():
    original = _jpeg_with_gps()
    assert b"PhoneMaker" in original
    clean = clean_upload(upload(original, "bike.JPG", "image/jpeg"))
    assert clean.content_type == "image/jpeg"
    assert b"PhoneMaker" not in clean.data
    with Image.open(io.BytesIO(clean.data)) as image:
        assert not image.getexif()
        assert image.size == (48, 64)  # the EXIF rotation was applied before it was dropped


def test_pdf_passes_unchanged():
    data = _pdf()
    assert clean_upload(upload(data, "receipt.pdf", "application/pdf")).data == data


@pytest.mark.parametrize(
    ("data", "name", "content_type", "message"),
    [
        (b"MZ\x90\x00" + b"\x00" * 200, "photo.jpg", "image/jpeg", "is not a photo"),
        (b"#!/bin/sh\nrm -rf /\n", "photo.png", "image/png", "is not a photo"),
        (_jpeg_with_gps(), "photo.exe", "image/jpeg", "not what its name says"),
        (_jpeg_with_gps(), "photo.jpg", "application/pdf", "not what its type says"),
        (
            b"%PDF-1.4\nthis is not really a pdf",
            "form.pdf",
            "application/pdf",
            "could not be opened as a PDF",
        ),
        (
            b"\xff\xd8\xff\xe0" + b"garbage" * 20,
            "broken.jpg",
            "image/jpeg",
            "could not be opened as a photo",
        ),
        (b"", "empty.jpg", "image/jpeg", "is empty"),
    ],
)
def test_bad_files_get_a_clear_message(data, name, content_type, message):
    with pytest.raises(UploadRejected, match=message):
        clean_upload(upload(data, name, content_type))


def test_ten_megabyte_photo_is_too_big(settings):
    settings.CITYHALL_UPLOAD_MAX_BYTES = 8_000_000
    big = b"\xff\xd8\xff\xe0" + b"\x00" * 10_000_000
    with pytest.raises(UploadRejected, match="too big"):
        clean_upload(upload(big, "huge.jpg", "image/jpeg"))


def test_encrypted_pdf_is_refused():
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(_pdf())))
    writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(UploadRejected, match="password"):
        clean_upload(upload(out.getvalue(), "locked.pdf", "application/pdf"))


def test_only_allowed_types(db):
    with pytest.raises(UploadRejected, match="is not a PDF"):
        clean_upload(
            upload(_jpeg_with_gps(), "plan.jpg", "image/jpeg"), allowed={"application/pdf"}
        )


def test_attach_stores_file_and_download_is_staff_only(sample_service, staff_client, client, db):
    from django.urls import reverse

    from cityhall.cases.workflow import APPLICANT

    case = services.open_case(service="sample", contact_email="a@example.org")
    services.transition_case(case=case, transition="submit", acting_as=APPLICANT)
    clean = clean_upload(upload(_pdf(), "receipt.pdf", "application/pdf"))
    attachment = services.attach_file(case=case, clean=clean, purpose="receipt")
    assert attachment.sha256 == clean.sha256 and attachment.file.name.endswith(".pdf")
    url = reverse("cases:attachment", args=[case.reference, attachment.pk])
    assert client.get(url).status_code == 302  # anonymous: sign in first
    staff, _ = staff_client("permit_reviewer")
    response = staff.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == clean.data
