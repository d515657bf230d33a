"""Hostile files: polyglots, active PDFs, SVG, decompression bombs, path tricks in
names, oversized bodies and a full disk are refused or made harmless."""

import io
import struct
import zlib
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from cityhall.cases import services
from cityhall.cases.models import Attachment
from cityhall.cases.uploads import MAX_NAME, UploadRejected, clean_upload, safe_name

from .test_uploads import _pdf, upload

SCRIPT = b"<script>alert(document.cookie)</script>"


def _jpeg(size=(32, 24)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(out, format="JPEG")
    return out.getvalue()


def _jpeg_with_comment(comment: bytes) -> bytes:
    """A JPEG whose COM segment holds `comment` (the classic JPEG/HTML polyglot)."""
    data = _jpeg()
    segment = b"\xff\xfe" + struct.pack(">H", len(comment) + 2) + comment
    return data[:2] + segment + data[2:]


def _png_header(width: int, height: int) -> bytes:
    """A PNG claiming width by height pixels, with a tiny (not even complete) body."""

    def chunk(kind, body):
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 1024))
        + chunk(b"IEND", b"")
    )


def _pdf_with(change) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(_pdf())))
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _document_javascript(writer) -> None:
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

    action = DictionaryObject(
        {
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject("app.alert('hi');"),
        }
    )
    names = ArrayObject([TextStringObject("hello"), writer._add_object(action)])
    tree = DictionaryObject({NameObject("/Names"): names})
    writer._root_object[NameObject("/Names")] = DictionaryObject(
        {NameObject("/JavaScript"): writer._add_object(tree)}
    )


def _open_action(writer, kind: str) -> None:
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    action = DictionaryObject({NameObject("/S"): NameObject(kind)})
    if kind == "/Launch":
        action[NameObject("/F")] = TextStringObject("cmd.exe")
    writer._root_object[NameObject("/OpenAction")] = action


# ---- polyglots and active content -----------------------------------------------


def test_a_jpeg_that_is_also_html_is_reencoded_without_the_html():
    polyglot = _jpeg_with_comment(b"<html><body>" + SCRIPT + b"</body></html>")
    with Image.open(io.BytesIO(polyglot)) as image:
        assert image.format == "JPEG"  # it really is a valid photo
    clean = clean_upload(upload(polyglot, "cat.jpg", "image/jpeg"))
    assert b"<script" not in clean.data and b"<html" not in clean.data


def test_a_png_text_chunk_with_html_is_dropped():
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", (b"<html>" + SCRIPT).decode())
    out = io.BytesIO()
    Image.new("RGB", (20, 20)).save(out, format="PNG", pnginfo=info)
    assert SCRIPT in out.getvalue()
    clean = clean_upload(upload(out.getvalue(), "map.png", "image/png"))
    assert b"<script" not in clean.data


def test_a_jpeg_carrying_a_pdf_or_a_zip_keeps_only_the_photo():
    carrier = _jpeg() + _pdf() + b"PK\x03\x04" + b"\x00" * 100
    clean = clean_upload(upload(carrier, "cat.jpg", "image/jpeg"))
    assert b"%PDF" not in clean.data and b"PK\x03\x04" not in clean.data


@pytest.mark.parametrize(
    ("data", "name", "content_type"),
    [
        (b"GIF89a/*\x00\x00*/=1;" + SCRIPT, "cat.jpg", "image/jpeg"),  # GIF/JavaScript
        (b"GIF89a" + b"\x00" * 30, "cat.gif", "image/gif"),  # GIFs are not taken at all
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "logo.svg",
            "image/svg+xml",
        ),
        (b'<?xml version="1.0"?><svg onload="alert(1)"/>', "logo.png", "image/png"),
        (b"<!DOCTYPE html><html>" + SCRIPT, "page.jpg", "image/jpeg"),
    ],
)
def test_gifs_svgs_and_html_are_refused(data, name, content_type):
    with pytest.raises(UploadRejected, match="is not a photo"):
        clean_upload(upload(data, name, content_type))


def test_a_pdf_that_is_also_a_web_page_is_refused():
    polyglot = _pdf().replace(b"%PDF-1.3\n", b"%PDF-1.3\n%<html><body>" + SCRIPT + b"\n", 1)
    with pytest.raises(UploadRejected, match="web page code"):
        clean_upload(upload(polyglot, "form.pdf", "application/pdf"))


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(_document_javascript, id="document-javascript"),
        pytest.param(lambda w: w.add_attachment("invoice.exe", b"MZ\x90\x00"), id="embedded-file"),
        pytest.param(lambda w: _open_action(w, "/Launch"), id="launch-action"),
        pytest.param(lambda w: _open_action(w, "/JavaScript"), id="open-action-javascript"),
    ],
)
def test_pdfs_with_scripts_or_files_inside_are_refused(change):
    with pytest.raises(UploadRejected, match="scripts or other files inside"):
        clean_upload(upload(_pdf_with(change), "form.pdf", "application/pdf"))


def test_escaped_names_do_not_hide_javascript():
    # /J#61vaScript is /JavaScript to every PDF reader.
    data = _pdf_with(_document_javascript)
    hidden = data.replace(b"/JavaScript", b"/J#61vaScript").replace(b"/JS ", b"/J#53 ")
    assert b"/JavaScript" not in hidden
    with pytest.raises(UploadRejected, match="scripts or other files inside"):
        clean_upload(upload(hidden, "form.pdf", "application/pdf"))


def test_an_ordinary_pdf_still_passes():
    assert clean_upload(upload(_pdf(pages=3), "plans.pdf", "application/pdf")).data == _pdf(3)


# ---- decompression bombs ----------------------------------------------------------


@pytest.mark.parametrize(
    "size",
    [
        (7_000, 7_000),  # 49 megapixels: Pillow only warns below twice its limit
        (30_000, 30_000),  # 900 megapixels: Pillow's DecompressionBombError
        (65_535, 65_535),
    ],
)
@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")  # the point of the test
def test_decompression_bombs_get_a_clear_message_before_decoding(size):
    bomb = _png_header(*size)
    assert len(bomb) < 2_000
    with pytest.raises(UploadRejected, match="too many pixels"):
        clean_upload(upload(bomb, "bomb.png", "image/png"))


def test_a_bomb_through_a_form_is_a_message_not_a_500(client, db):
    from cityhall.police.tests.test_views import about_you, eligible, item_data

    eligible(client)
    about_you(client)
    bomb = SimpleUploadedFile("bomb.png", _png_header(30_000, 30_000), "image/png")
    response = client.post(
        reverse("police:item-add"), {**item_data(serial_number="BOMB-1"), "photo": bomb}
    )
    assert response.status_code == 200
    assert "too many pixels" in response.content.decode()
    assert 'value="BOMB-1"' in response.content.decode()


# ---- names ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("../../etc/passwd.jpg", "passwd.jpg"),
        ("..\\..\\windows\\system32\\evil.jpg", "evil.jpg"),
        ("/var/lib/cityhall/media/x.pdf", "x.pdf"),
        ("C:\\Users\\ana\\plan.pdf", "plan.pdf"),
        ("photo\x00.jpg", "photo.jpg"),
        ("photo\u202egpj.exe", "photogpj.exe"),  # shows as "photoexe.jpg" with the override
        ("bike\u200b\u2066.jpg", "bike.jpg"),
        ("CON.jpg", "_CON.jpg"),
        ("lpt1.tar.pdf", "_lpt1.tar.pdf"),
        ("..", "file"),
        (".htaccess", "htaccess"),
        ("   ", "file"),
        ("line\r\nbreak.pdf", "linebreak.pdf"),
        ('quote".pdf', 'quote".pdf'),  # harmless: the download header quotes it
        ("Ana Garci\u0301a.jpg", "Ana García.jpg"),  # one form of é
    ],
)
def test_file_names_are_neutralised(raw, expected):
    assert safe_name(raw) == expected


def test_very_long_names_are_cut_keeping_the_extension():
    name = safe_name("a" * 5_000 + ".jpeg")
    assert len(name) <= MAX_NAME and name.endswith(".jpeg")


def test_an_rtl_override_cannot_pass_an_exe_off_as_a_photo():
    with pytest.raises(UploadRejected, match="not what its name says"):
        clean_upload(upload(_jpeg(), "photo\u202egpj.exe", "image/jpeg"))


def test_stored_path_never_comes_from_the_name(submitted_case):
    clean = clean_upload(upload(_jpeg(), "../../../../etc/cron.d/x.jpg", "image/jpeg"))
    attachment = services.attach_file(case=submitted_case, clean=clean)
    assert attachment.original_name == "x.jpg"
    assert attachment.file.name.startswith(f"attachments/{submitted_case.public_id}/")
    assert ".." not in attachment.file.name and "cron" not in attachment.file.name
    stored = Path(default_storage.path(attachment.file.name)).resolve()
    assert stored.is_relative_to(Path(default_storage.location).resolve())


# ---- how files are served -----------------------------------------------------------


def test_downloads_are_attachments_with_nosniff_and_a_sandbox(submitted_case, staff_client):
    clean = clean_upload(upload(_pdf(), "plan\u202efdp.html.pdf", "application/pdf"))
    attachment = services.attach_file(case=submitted_case, clean=clean)
    staff, _ = staff_client("permit_reviewer")
    response = staff.get(
        reverse("cases:attachment", args=[submitted_case.reference, attachment.pk])
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "\u202e" not in disposition and "\n" not in disposition
    assert response["X-Content-Type-Options"] == "nosniff"
    policy = response["Content-Security-Policy"]
    assert "sandbox" in policy and "default-src 'none'" in policy
    assert "no-store" in response["Cache-Control"]


# ---- sizes ------------------------------------------------------------------------------


def test_past_the_hard_limit_bytes_are_dropped_as_they_arrive_and_the_form_says_too_big(
    client, db, settings
):
    from cityhall.police.models import PoliceReport
    from cityhall.police.tests.test_views import about_you, eligible, item_data

    settings.CITYHALL_UPLOAD_HARD_MAX_BYTES = 200_000
    settings.CITYHALL_UPLOAD_MAX_BYTES = 8_000_000  # the smaller limit wins
    eligible(client)
    about_you(client)
    seen = {}
    from cityhall.cases import upload_handlers

    original = upload_handlers.CappedUploadHandler.receive_data_chunk

    def spy(self, raw_data, start):
        kept = original(self, raw_data, start)
        seen["kept"] = seen.get("kept", 0) + (len(kept) if kept else 0)
        return kept

    upload_handlers.CappedUploadHandler.receive_data_chunk = spy
    try:
        huge = SimpleUploadedFile(
            "huge.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 3_000_000, "image/jpeg"
        )
        response = client.post(
            reverse("police:item-add"), {**item_data(serial_number="BIG-7"), "photo": huge}
        )
    finally:
        upload_handlers.CappedUploadHandler.receive_data_chunk = original
    assert seen["kept"] == 200_001  # 3 MB were sent; only the limit and one byte were kept
    page = response.content.decode()
    assert response.status_code == 200 and "too big" in page and "0 MB" in page
    assert 'value="BIG-7"' in page  # what was typed is still there
    assert PoliceReport.objects.get().items.count() == 0
    assert Attachment.objects.count() == 0


# ---- a full disk -------------------------------------------------------------------------


@pytest.fixture
def full_disk(monkeypatch):
    from cityhall.cases.testing import simulate_full_disk

    return simulate_full_disk(monkeypatch)


def test_a_full_disk_gives_a_clear_message_and_stores_nothing(submitted_case, full_disk):
    clean = clean_upload(upload(_pdf(), "plan.pdf", "application/pdf"))
    events = submitted_case.events.count()
    with pytest.raises(UploadRejected, match="no space left"):
        services.attach_file(case=submitted_case, clean=clean, purpose="plan")
    assert full_disk and not default_storage.exists(full_disk[0])  # no half file left
    assert Attachment.objects.count() == 0
    assert submitted_case.events.count() == events


def test_a_full_disk_in_the_police_form_keeps_what_was_typed(client, db, full_disk):
    from cityhall.police.models import PoliceReport
    from cityhall.police.tests.test_views import about_you, eligible, item_data

    eligible(client)
    about_you(client)
    photo = SimpleUploadedFile("bike.jpg", _jpeg(), content_type="image/jpeg")
    response = client.post(
        reverse("police:item-add"), {**item_data(serial_number="DISK-9"), "photo": photo}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "no space left" in page and 'value="DISK-9"' in page
    assert PoliceReport.objects.get().items.count() == 0  # the item waits for the photo
    assert Attachment.objects.count() == 0
    assert not default_storage.exists(full_disk[0])
