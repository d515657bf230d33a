"""Reads for the verification pages."""

from __future__ import annotations

from .codes import InvalidCode, normalize_code
from .models import Document


def document_for_code(typed: str) -> Document | None:
    """The document with this verification code (typed in any case, with or without the dash)."""
    try:
        code = normalize_code(typed)
    except InvalidCode:
        return None
    return (
        Document.objects.select_related("case", "issued_by", "supersedes")
        .filter(verification_code=code)
        .first()
    )
