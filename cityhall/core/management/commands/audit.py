from django.core.management.base import BaseCommand, CommandError

from cityhall.core import audit


class Command(BaseCommand):
    help = (
        "The audit log: `verify` walks the hash chain and names the first broken link "
        "(exit status 1); `purge` deletes entries past the retention period."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="check every link of the chain")
        verify.add_argument("--batch-size", type=int, default=1000)
        sub.add_parser("purge", help="delete entries older than CITYHALL_AUDIT_RETENTION_DAYS")

    def handle(self, *args, action, **options):
        if action == "purge":
            deleted = audit.purge()
            self.stdout.write(f"Purged {deleted} audit entries.")
            return
        verdict = audit.verify(batch_size=options["batch_size"])
        if not verdict.ok:
            raise CommandError(
                f"Audit chain BROKEN after {verdict.checked} good entries: {verdict.problem}"
            )
        self.stdout.write(f"Audit chain intact: {verdict.checked} entries checked.")
