"""Workflow hooks that email the resident, for services to plug into their tables:

workflow.enter("approved", email_applicant("police_report_approved", attach=approved_pdf))
"""

from __future__ import annotations

from collections.abc import Callable

from .services import Attachment, notify


def email_applicant(kind: str, *, attach: Callable | None = None, context: Callable | None = None):
    """A hook emailing the case's contact in the case's language.

    `attach(case, event)` may return Attachments (an issued PDF);
    `context(case, event)` extra template variables.
    """

    def hook(case, event):
        if not case.contact_email:
            return None
        extra = {"event": event, "reason": event.reason}
        if context:
            extra.update(context(case, event))
        files: list[Attachment] = list(attach(case, event)) if attach else []
        return notify(
            to=case.contact_email,
            kind=kind,
            language=case.language,
            case=case,
            context=extra,
            attachments=files,
        )

    hook.__name__ = f"email_applicant_{kind}"
    return hook
