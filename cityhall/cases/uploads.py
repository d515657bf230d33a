"""Checking a file a resident uploads before the city keeps it.

- size limit; an allow-list of types (photos and PDFs);
- the type is read from the bytes, and must agree with what the browser said
  and with the file name's extension (an executable renamed .jpg is refused);
- photos are decoded and re-encoded, which drops every metadata block (GPS
  position, camera serial) and anything appended to the image;
- PDFs must parse, and are refused if encrypted (staff could not open them).
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import PurePath

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


def _human_size(limit: int) -> str:
    return f"{limit / 1_000_000:.0f} MB"


def clean_upload(
    upload, *, allowed: set[str] | None = None, max_bytes: int | None = None
) -> CleanFile:
    """The checked (and for photos, re-encoded) file, or UploadRejected with a message for the person."""
    allowed = allowed or (IMAGE_TYPES | {PDF_TYPE})
    max_bytes = max_bytes or settings.CITYHALL_UPLOAD_MAX_BYTES
    name = PurePath(upload.name or "file").name[:200]
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
    extension = PurePath(name).suffix.lower()
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

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise UploadRejected(
                _("%(name)s is password-protected. Upload a copy without a password.")
                % {"name": name}
            )
        if len(reader.pages) < 1:
            raise UploadRejected(_("%(name)s has no pages.") % {"name": name})
    except UploadRejected:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as error:
        raise UploadRejected(
            _("%(name)s could not be opened as a PDF.") % {"name": name}
        ) from error


def _reencode(data: bytes, content_type: str, name: str) -> bytes:
    from PIL import Image, ImageOps, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            image = ImageOps.exif_transpose(image)  # keep it upright once EXIF is gone
            out = io.BytesIO()
            if content_type == "image/jpeg":
                image.convert("RGB").save(out, format="JPEG", quality=88, optimize=True)
            elif content_type == "image/png":
                image.save(out, format="PNG", optimize=True)
            else:
                image.save(out, format="WEBP", quality=88)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as error:
        raise UploadRejected(
            _("%(name)s could not be opened as a photo.") % {"name": name}
        ) from error
    return out.getvalue()
