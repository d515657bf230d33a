import time

from django.core.management.base import BaseCommand

from cityhall.insights import rollups


class Command(BaseCommand):
    help = (
        "Recompute every insights rollup exactly from the cases and survey answers "
        "(the periodic fold keeps them up to date; run this after a bulk import or to check)."
    )

    def handle(self, *args, **options):
        started = time.monotonic()
        rows = rollups.rebuild()
        self.stdout.write(f"{rows} rollup rows rebuilt in {time.monotonic() - started:.1f} s\n")
