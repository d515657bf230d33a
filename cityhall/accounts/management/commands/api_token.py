from django.core.management.base import BaseCommand, CommandError

from cityhall.accounts import services
from cityhall.accounts.models import ApiToken, User


class Command(BaseCommand):
    help = "Print a new API token for a user (shown once), or revoke one with --revoke PREFIX."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--name", default="", help="What the token is for.")
        parser.add_argument("--revoke", metavar="PREFIX", help="Revoke the token with this prefix.")

    def handle(self, *args, email, name, revoke, **options):
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            raise CommandError(f"No user with the email {email}.")
        if revoke:
            token = ApiToken.objects.filter(user=user, prefix=revoke).first()
            if token is None:
                raise CommandError(f"{email} has no token with the prefix {revoke}.")
            services.revoke_api_token(token=token)
            self.stdout.write(f"Revoked {revoke}.")
            return
        issued = services.issue_api_token(user=user, name=name)
        self.stdout.write(issued.raw)
