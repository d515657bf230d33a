"""Issuing documents: render, fingerprint, store, record, note on the case timeline.

Rendering needs no database; storing is one transaction. A Document is
never updated: a correction is a new Document that supersedes the current
version.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

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


@dataclass(frozen=True)
class RenderedDocument:
    """A PDF with its verification code, ready to be stored.

    Rendered with no database work, so that the transaction storing it (and
    on SQLite the database's single write lock) is not held through reportlab:
    render first, then open the transaction (see police.tasks)."""

    case: Case | None
    kind: str
    spec: DocumentSpec
    pdf: bytes

    def with_another_code(self) -> RenderedDocument:
        return _render(self.case, self.kind, self.spec)


def _render(case: Case | None, kind: str, spec: DocumentSpec) -> RenderedDocument:
    code = generate_code()
    spec = replace(spec, verification_code=code, verification_url=verification_url(code))
    return RenderedDocument(case=case, kind=kind, spec=spec, pdf=render_pdf(spec))


def render_document(
    *,
    case: Case | None,
    kind: str,
    title: str,
    sections: Sequence[Section],
    signature: Signature | None = None,
    language: str | None = None,
    reference: str | None = None,
) -> RenderedDocument:
    """The PDF of a document for a case (or, with `reference`, for no case), not stored yet.

    `language` defaults to the case's."""
    if not _KIND.fullmatch(kind):
        raise ValueError(f"kind must be a short slug, not {kind!r}")
    language = language or (case.language if case else settings.LANGUAGE_CODE)
    if language not in dict(settings.LANGUAGES):
        raise ValueError(f"unknown language {language!r}")
    reference = reference or (case.reference if case else "")
    if not reference:
        raise ValueError("a document needs a case or a reference")
    spec = DocumentSpec(
        city_name=city_name(language),
        title=title,
        reference=reference,
        issued_at=timezone.now(),
        language=language,
        sections=tuple(sections),
        signature=signature,
    )
    return _render(case, kind, spec)


def issue_document(
    *,
    issued_by=None,
    supersedes: Document | None = None,
    correction_reason: str = "",
    **content,
) -> Document:
    """Issues a PDF for a case (or, with `reference`, for no case) and notes it on the timeline.

    `content`: the keyword arguments of `render_document` (case, kind, title,
    sections, signature, language, reference). Renders, then stores in one
    transaction (`store_document`). With `supersedes`, the new document
    corrects that one: it must be the current version of a document of the
    same case, and `correction_reason` says what changed.
    """
    if supersedes is None and (correction_reason or "").strip():
        raise ValueError("correction_reason is for corrections (give supersedes)")
    return store_document(
        render_document(**content),
        issued_by=issued_by,
        supersedes=supersedes,
        correction_reason=correction_reason,
    )


@transaction.atomic
def store_document(
    rendered: RenderedDocument,
    *,
    issued_by=None,
    supersedes: Document | None = None,
    correction_reason: str = "",
) -> Document:
    """Stores a rendered PDF, records it and notes it on the case timeline."""
    case = rendered.case
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

    # The unique index on the code is the check (no look-up first): a code
    # drawn twice (one chance in 10**15 per document) fails the INSERT and is
    # drawn again.
    for _attempt in range(CODE_ATTEMPTS):
        spec = rendered.spec
        document = Document(
            case=case,
            kind=rendered.kind,
            title=spec.title,
            language=spec.language,
            verification_code=spec.verification_code,
            sha256=hashlib.sha256(rendered.pdf).hexdigest(),
            size=len(rendered.pdf),
            spec=spec.to_dict(),
            issued_at=spec.issued_at,
            issued_by=issued_by,
            supersedes=supersedes,
            correction_reason=correction_reason,
        )
        document.file.save("document.pdf", ContentFile(rendered.pdf), save=False)
        try:
            with transaction.atomic():
                document.save()
            break
        except IntegrityError as error:
            document.file.delete(save=False)
            if Document.objects.filter(verification_code=spec.verification_code).exists():
                rendered = rendered.with_another_code()
                continue
            if supersedes is None:
                raise
            raise NotCurrentVersion() from error  # someone corrected the same version first
        except BaseException:
            document.file.delete(save=False)
            raise
    else:
        raise RuntimeError("no unused verification code: is the random source broken?")

    if case is not None:
        payload = {
            "document": document.pk,
            "code": document.verification_code,
            "kind": rendered.kind,
        }
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
