"""Checking a file a resident uploads before the city keeps it.

- size limit; an allow-list of types (photos and PDFs);
- the type is read from the bytes, and must agree with what the browser said
  and with the file name's extension (an executable renamed .jpg is refused);
- photos are decoded and re-encoded, which drops every metadata block (GPS
  position, camera serial) and anything appended to the image;
- PDFs must parse, and are refused if encrypted (staff could not open them),
  if they carry scripts, launch actions or embedded files, or if they are also
  an HTML page (a polyglot);
- the file name is only a label: directories, control and bidirectional
  characters, Windows device names and excess length are taken out (the
  stored name is a random one, see cases.models.attachment_path);
- a photo with more pixels than any camera makes is refused before it is
  decoded (a decompression bomb).
See docs/uploads.md.
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.conf import settings
from django.utils.translation import gettext as _

IMAGE_TYPES = {"image/jpeg", "image/png", "image/webp"}
PDF_TYPE = "application/pdf"
EXTENSIONS = {
    "image/jpeg": {".jpg", ".jpeg", ".jfif"},
    "image/png": {".png"},
    "image/webp": {".webp"},
    PDF_TYPE: {".pdf"},
}
MAX_PIXELS = 40_000_000  # bigger than any phone camera; stops decompression bombs
MAX_NAME = 120
# Windows gives these names to devices, whatever the extension.
RESERVED_NAMES = {"con", "prn", "aux", "nul"} | {
    f"{p}{n}" for p in ("com", "lpt") for n in range(10)
}
# PDF keys that run something or carry another file inside the PDF.
ACTIVE_PDF_KEYS = {"/JS", "/JavaScript", "/Launch", "/EmbeddedFile", "/EmbeddedFiles", "/RichMedia"}
HTML_MARKERS = re.compile(rb"<\s*(script|html|svg|iframe|object|embed)\b", re.IGNORECASE)


class UploadRejected(ValueError):
    pass


@dataclass(frozen=True)
class CleanFile:
    name: str
    content_type: str
    data: bytes

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def sniff(head: bytes) -> str | None:
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.lstrip()[:5] == b"%PDF-":
        return PDF_TYPE
    return None


def safe_name(raw: str | None) -> str:
    """A file name fit to show and to put in a download header: no directories, no control,
    format or bidirectional characters (U+202E can make "gpj.exe" read as "exe.jpg"),
    no Windows device name, no leading dots, at most MAX_NAME characters, extension kept."""
    name = unicodedata.normalize("NFC", raw or "")
    name = PurePosixPath(name.replace("\\", "/")).name
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] not in {"C"})
    name = " ".join(name.split()).strip(" .")
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    if stem.split(".")[0].strip().lower() in RESERVED_NAMES:
        stem = f"_{stem}"
    extension = extension[:10]
    stem = stem[: MAX_NAME - len(extension) - 1] if extension else stem[:MAX_NAME]
    name = f"{stem}.{extension}" if extension else stem
    return name or "file"


def _human_size(limit: int) -> str:
    return f"{limit / 1_000_000:.0f} MB"


def clean_upload(
    upload, *, allowed: set[str] | None = None, max_bytes: int | None = None
) -> CleanFile:
    """The checked (and for photos, re-encoded) file, or UploadRejected with a message for the person."""
    allowed = allowed or (IMAGE_TYPES | {PDF_TYPE})
    # Never more than the hard limit: past it the upload handler dropped the rest.
    max_bytes = min(
        max_bytes or settings.CITYHALL_UPLOAD_MAX_BYTES, settings.CITYHALL_UPLOAD_HARD_MAX_BYTES
    )
    name = safe_name(upload.name)
    if upload.size is not None and upload.size > max_bytes:
        raise UploadRejected(
            _("%(name)s is too big. Files must be smaller than %(limit)s.")
            % {"name": name, "limit": _human_size(max_bytes)}
        )
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise UploadRejected(
            _("%(name)s is too big. Files must be smaller than %(limit)s.")
            % {"name": name, "limit": _human_size(max_bytes)}
        )
    if not data:
        raise UploadRejected(_("%(name)s is empty.") % {"name": name})
    actual = sniff(data[:64])
    kinds = (
        _("a photo (JPEG, PNG or WebP) or a PDF")
        if PDF_TYPE in allowed and allowed & IMAGE_TYPES
        else (_("a PDF") if allowed == {PDF_TYPE} else _("a photo (JPEG, PNG or WebP)"))
    )
    if actual not in allowed:
        raise UploadRejected(_("%(name)s is not %(kinds)s.") % {"name": name, "kinds": kinds})
    declared = (getattr(upload, "content_type", "") or "").split(";")[0].strip().lower()
    extension = PurePosixPath(name).suffix.lower()
    if declared and declared not in {actual, "application/octet-stream"}:
        raise UploadRejected(_("%(name)s is not what its type says it is.") % {"name": name})
    if extension not in EXTENSIONS[actual]:
        raise UploadRejected(_("%(name)s is not what its name says it is.") % {"name": name})
    if actual == PDF_TYPE:
        _check_pdf(data, name)
        return CleanFile(name=name, content_type=actual, data=data)
    return CleanFile(name=name, content_type=actual, data=_reencode(data, actual, name))


def _check_pdf(data: bytes, name: str) -> None:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    if HTML_MARKERS.search(data):
        # Also a web page: harmless as a download, but no reason to keep it.
        raise UploadRejected(
            _("%(name)s has web page code in it. Save it again as a plain PDF.") % {"name": name}
        )
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise UploadRejected(
                _("%(name)s is password-protected. Upload a copy without a password.")
                % {"name": name}
            )
        if len(reader.pages) < 1:
            raise UploadRejected(_("%(name)s has no pages.") % {"name": name})
        active = _active_content(reader)
    except UploadRejected:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, RecursionError) as error:
        raise UploadRejected(
            _("%(name)s could not be opened as a PDF.") % {"name": name}
        ) from error
    if active:
        raise UploadRejected(
            _(
                "%(name)s has scripts or other files inside it. Print it to a new PDF "
                "(or save it as PDF) and upload that."
            )
            % {"name": name}
        )


def _active_content(reader, limit: int = 200_000) -> bool:
    """Whether any object reachable from the trailer runs code or embeds a file.
    pypdf decodes escaped names (/J#61vaScript) and opens object streams."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

    seen: set[tuple[int, int]] = set()
    stack = [reader.trailer]
    while stack:
        if len(seen) > limit:
            return True  # stranger than any real form or plan: refuse rather than guess
        item = stack.pop()
        if isinstance(item, IndirectObject):
            key = (item.idnum, item.generation)
            if key in seen:
                continue
            seen.add(key)
            item = item.get_object()
        if isinstance(item, DictionaryObject):
            if ACTIVE_PDF_KEYS & set(item.keys()):
                return True
            if item.get("/S") in {NameObject("/JavaScript"), NameObject("/Launch")}:
                return True
            stack.extend(item.values())
        elif isinstance(item, ArrayObject):
            stack.extend(item)
    return False


def _reencode(data: bytes, content_type: str, name: str) -> bytes:
    from PIL import Image, ImageOps, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    too_many_pixels = UploadRejected(
        _(
            "%(name)s has too many pixels (more than %(megapixels)d megapixels). Send a smaller photo."
        )
        % {"name": name, "megapixels": MAX_PIXELS // 1_000_000}
    )
    try:
        with Image.open(io.BytesIO(data)) as image:
            # Pillow only refuses at twice its limit: check before decoding anything.
            if image.width * image.height > MAX_PIXELS:
                raise too_many_pixels
            image.load()
            image = ImageOps.exif_transpose(image)  # keep it upright once EXIF is gone
            # Pillow writes back comments, ICC and XMP blocks it read: a JPEG comment
            # can hold a whole HTML page (a polyglot). Only the pixels go on.
            image.info = {}
            out = io.BytesIO()
            if content_type == "image/jpeg":
                image.convert("RGB").save(out, format="JPEG", quality=88, optimize=True)
            elif content_type == "image/png":
                image.save(out, format="PNG", optimize=True)
            else:
                image.save(out, format="WEBP", quality=88)
    except UploadRejected:
        raise
    except Image.DecompressionBombError as error:
        raise too_many_pixels from error
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError) as error:
        raise UploadRejected(
            _("%(name)s could not be opened as a photo.") % {"name": name}
        ) from error
    return out.getvalue()


def to_jpeg(data: bytes) -> bytes:
    """A photo already checked by clean_upload, as a JPEG (for places that serve only JPEG)."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        if image.format == "JPEG":
            return data
        out = io.BytesIO()
        image.convert("RGB").save(out, format="JPEG", quality=88, optimize=True)
        return out.getvalue()
