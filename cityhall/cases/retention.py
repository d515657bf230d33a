"""Deleting whole cases past their retention period, with their files.

Used by each service's nightly purge (police reports, permit drafts); what is
kept for how long is listed in docs/operations.md ("Retention").
"""

from __future__ import annotations

from django.db import transaction

from .models import Case


@transaction.atomic
def delete_case(pk: int, *, first=None) -> bool:
    """Deletes the case, its timeline and its attachments; the attachments' files
    go only once the rows are gone for good (a backup taken meanwhile never names
    a file that is missing, see core/backup.py). `first(case)` deletes the
    service's rows that protect the case's own (same transaction)."""
    case = Case.objects.select_for_update().filter(pk=pk).first()
    if case is None:
        return False
    files = [a.file for a in case.attachments.all()]
    if first is not None:
        first(case)
    case.delete()
    transaction.on_commit(lambda: [f.storage.delete(f.name) for f in files if f.name])
    return True


def purge_drafts(*, service: str, draft_status: str, created_before, first=None) -> int:
    """Drafts of one service never sent and started before `created_before`."""
    doomed = Case.objects.filter(
        service=service, status=draft_status, created_at__lt=created_before
    ).values_list("pk", flat=True)
    return sum(delete_case(pk, first=first) for pk in list(doomed))
