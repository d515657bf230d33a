"""Issuing documents: render, fingerprint, store, record, note on the case timeline.

One transaction each. A Document is never updated: a correction is a new
Document that supersedes the current version.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Sequence

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation

from cityhall.cases.models import Case, EventKind
from cityhall.cases.services import add_event
from cityhall.core.city import city_name

from .codes import generate_code
from .errors import CorrectionReasonRequired, NotCurrentVersion, OtherCase
from .models import Document
from .pdf import render_pdf
from .spec import DocumentSpec, Section, Signature

CODE_ATTEMPTS = 5
_KIND = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")


def verification_url(code: str) -> str:
    """The address printed on the document and in its QR code: always the English one."""
    with translation.override(settings.LANGUAGE_CODE):
        return settings.CITY_SITE_URL + reverse("documents:verify-code", kwargs={"code": code})


def _unused_code() -> str:
    for _attempt in range(CODE_ATTEMPTS):
        code = generate_code()
        if not Document.objects.filter(verification_code=code).exists():
            return code
    raise RuntimeError("no unused verification code: is the random source broken?")


@transaction.atomic
def issue_document(
    *,
    case: Case | None,
    kind: str,
    title: str,
    sections: Sequence[Section],
    signature: Signature | None = None,
    language: str | None = None,
    reference: str | None = None,
    issued_by=None,
    supersedes: Document | None = None,
    correction_reason: str = "",
) -> Document:
    """Issues a PDF for a case (or, with `reference`, for no case) and notes it on the timeline.

    `language` defaults to the case's. With `supersedes`, the new document
    corrects that one: it must be the current version of a document of the
    same case, and `correction_reason` says what changed.
    """
    if not _KIND.fullmatch(kind):
        raise ValueError(f"kind must be a short slug, not {kind!r}")
    language = language or (case.language if case else settings.LANGUAGE_CODE)
    if language not in dict(settings.LANGUAGES):
        raise ValueError(f"unknown language {language!r}")
    reference = reference or (case.reference if case else "")
    if not reference:
        raise ValueError("a document needs a case or a reference")
    correction_reason = (correction_reason or "").strip()
    if supersedes is not None:
        # Locked, so two people correcting the same version cannot both win
        # (the unique constraint on `supersedes` is the last word).
        supersedes = Document.objects.select_for_update().get(pk=supersedes.pk)
        if supersedes.case_id != (case.pk if case else None):
            raise OtherCase()
        if not supersedes.is_current:
            raise NotCurrentVersion()
        if not correction_reason:
            raise CorrectionReasonRequired()
    elif correction_reason:
        raise ValueError("correction_reason is for corrections (give supersedes)")

    issued_at = timezone.now()
    for _attempt in range(CODE_ATTEMPTS):
        code = _unused_code()
        spec = DocumentSpec(
            city_name=city_name(language),
            title=title,
            reference=reference,
            issued_at=issued_at,
            language=language,
            sections=tuple(sections),
            signature=signature,
            verification_code=code,
            verification_url=verification_url(code),
        )
        pdf = render_pdf(spec)
        document = Document(
            case=case,
            kind=kind,
            title=title,
            language=language,
            verification_code=code,
            sha256=hashlib.sha256(pdf).hexdigest(),
            size=len(pdf),
            spec=spec.to_dict(),
            issued_at=issued_at,
            issued_by=issued_by,
            supersedes=supersedes,
            correction_reason=correction_reason,
        )
        document.file.save("document.pdf", ContentFile(pdf), save=False)
        try:
            with transaction.atomic():
                document.save()
            break
        except IntegrityError as error:
            document.file.delete(save=False)
            if Document.objects.filter(verification_code=code).exists():
                continue  # the rare collision with a code issued a moment ago
            if supersedes is None:
                raise
            raise NotCurrentVersion() from error  # someone corrected the same version first
        except BaseException:
            document.file.delete(save=False)
            raise
    else:
        raise RuntimeError("no unused verification code: is the random source broken?")

    if case is not None:
        payload = {"document": document.pk, "code": code, "kind": kind}
        if supersedes is not None:
            payload["supersedes"] = supersedes.verification_code
        try:
            add_event(
                case=case,
                kind=EventKind.DOCUMENT,
                actor=issued_by,
                reason=correction_reason,
                payload=payload,
                public=True,
            )
        except BaseException:
            document.file.delete(save=False)
            raise
    return document


def verify_upload(*, document: Document, data: bytes) -> bool:
    """True when `data` is byte for byte the file the city issued."""
    if len(data) != document.size:
        return False
    return hmac.compare_digest(hashlib.sha256(data).hexdigest(), document.sha256)
