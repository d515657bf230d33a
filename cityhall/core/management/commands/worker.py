from django.core.management import call_command
from django.core.management.base import BaseCommand
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

    def handle(self, *args, batch, interval, queue_name, verbosity, **options):
        worker_id = f"{get_random_string(12)}"
        scheduler = SchedulerThread(worker_id=worker_id)
        if not batch:
            scheduler.start()
        try:
            call_command(
                "db_worker",
                queue_name=queue_name,
                interval=interval,
                batch=batch,
                reload=False,
                worker_id=worker_id,
                verbosity=verbosity,
            )
        finally:
            scheduler.stop()
            forget_worker(worker_id)
