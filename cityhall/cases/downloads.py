"""Sending a case's file to staff: the one way an uploaded file leaves the city."""

from __future__ import annotations

from django.http import FileResponse

from cityhall.core.storage import open_stored

from .models import Attachment


def attachment_response(attachment: Attachment) -> FileResponse:
    """The file as a download, never rendered as a page of ours: even a file that
    slipped past the checks could run no script and reach nothing (docs/uploads.md).
    The caller has checked who asks and that the scan released it."""
    response = FileResponse(
        open_stored(attachment.file),
        content_type=attachment.content_type,
        as_attachment=True,
        filename=attachment.original_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
