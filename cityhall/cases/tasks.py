from django_tasks import task

from . import services


@task()
def process_deadlines() -> dict:
    """Reminders before deadlines and timeouts after them (idempotent)."""
    return services.process_deadlines()
