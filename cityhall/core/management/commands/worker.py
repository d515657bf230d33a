import logging

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.crypto import get_random_string

from cityhall.core.scheduler import SchedulerThread, forget_worker


class Command(BaseCommand):
    help = "Run background tasks (email, PDFs, periodic jobs) and report a heartbeat."

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true", help="Run what is queued, then exit.")
        parser.add_argument(
            "--interval", type=float, default=0.5, help="Seconds between polls when idle."
        )
        parser.add_argument(
            "--queue-name", default="*", help="Queues to run (comma-separated, * for all)."
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=settings.CITYHALL_WORKER_THREADS,
            help="Tasks run at once by this process: one runs while another waits on the "
            "database or the mail server (default: CITYHALL_WORKER_THREADS, 2).",
        )

    def handle(self, *args, batch, interval, queue_name, threads, verbosity, **options):
        from django_tasks_db.compat import DEFAULT_TASK_BACKEND_ALIAS

        from cityhall.core.worker import ThreadedWorker

        if not 1 <= threads <= 32:
            raise CommandError("--threads must be between 1 and 32.")
        if interval < 0:
            raise CommandError("--interval must be zero or more seconds.")
        _log_tasks(verbosity)
        worker_id = f"{get_random_string(12)}"
        scheduler = SchedulerThread(worker_id=worker_id)
        if not batch:
            scheduler.start()
        try:
            ThreadedWorker(
                threads=threads,
                queue_names=queue_name.split(","),
                interval=interval,
                batch=batch,
                backend_name=DEFAULT_TASK_BACKEND_ALIAS,
                startup_delay=not batch,
                max_tasks=None,
                worker_id=worker_id,
                excluded_queue_names=[],
            ).run()
        finally:
            scheduler.stop()
            forget_worker(worker_id)


def _log_tasks(verbosity: int) -> None:
    """As django-tasks-db's own command: each task's start and end at -v 1 and up."""
    from django_tasks_db.compat import TASKS_LOGGER

    level = {0: logging.CRITICAL, 1: logging.INFO}.get(verbosity, logging.DEBUG)
    for name in (TASKS_LOGGER, "django_tasks_db"):
        logging.getLogger(name).setLevel(level)
