from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from cityhall.core import demo


class Command(BaseCommand):
    help = "Print the current authenticator code of a demo staff user (DEBUG only)."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email, **options):
        if not settings.DEBUG:
            raise CommandError("demo-code works only with DEBUG=true.")
        code = demo.current_code(email)
        if code is None:
            raise CommandError(f"{email} has no authenticator set up.")
        self.stdout.write(code)
