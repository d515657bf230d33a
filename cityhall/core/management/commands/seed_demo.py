from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from cityhall.core import demo
from cityhall.core.registry import registry


class Command(BaseCommand):
    help = "Load the demo city: staff users for every role, a resident, and each service's demo data. Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG off. Demo accounts have published passwords: never on a live city.",
        )
        parser.add_argument("--quiet", action="store_true", help="Do not print the logins.")

    def handle(self, *args, force, quiet, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed-demo creates accounts with a published password. Run it with DEBUG=true, "
                "or pass --force if this really is a demo installation."
            )
        logins = demo.seed_people()
        for _order, seeder in sorted(registry.demo_seeders, key=lambda pair: pair[0]):
            seeder(self.stdout)
        if not quiet:
            self.stdout.write(demo.format_logins(logins))
