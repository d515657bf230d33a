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
        parser.add_argument(
            "--scale",
            type=int,
            default=None,
            metavar="N",
            help="How much history to generate (e.g. N cases over 24 months for the dashboards).",
        )

    def handle(self, *args, force, quiet, scale, **options):
        if scale is not None and scale < 0:
            raise CommandError("--scale must be 0 or more.")
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed-demo creates accounts with a published password. Run it with DEBUG=true, "
                "or pass --force if this really is a demo installation."
            )
        logins = demo.seed_people()
        for _order, seeder, scaled in sorted(registry.demo_seeders, key=lambda entry: entry[0]):
            if scaled:
                seeder(self.stdout, scale=scale)
            else:
                seeder(self.stdout)
        if not quiet:
            self.stdout.write(demo.format_logins(logins))
