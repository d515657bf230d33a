from django_tasks import task

from . import services


@task()
def process_deadlines() -> dict:
    """Reminders before deadlines and timeouts after them (idempotent)."""
    return services.process_deadlines()


@task()
def scan_attachment(attachment_id: int) -> str:
    """Sends one held file to clamd and releases or removes it (safe to run twice)."""
    from .files import scan_held_file

    return scan_held_file(attachment_id=attachment_id)


@task()
def requeue_held_scans() -> int:
    """Queues again the scans of held files whose task was lost."""
    from .files import requeue_held_scans

    return requeue_held_scans()
