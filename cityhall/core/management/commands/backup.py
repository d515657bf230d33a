from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from cityhall.core.backup import BackupError, create_backup


class Command(BaseCommand):
    help = "Back up the database and the files into one tar archive with a manifest."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            help="Archive path (default: var/backups/cityhall-<UTC time>.tar). Mode 600.",
        )

    def handle(self, *args, output, **options):
        stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
        path = Path(output or settings.VAR_DIR / "backups" / f"cityhall-{stamp}.tar")
        try:
            manifest = create_backup(path)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"{path}: database ({manifest['database']['method']}) and "
            f"{manifest['files']} files, made {manifest['created_at']}"
        )
        if manifest["missing_files"]:
            self.stderr.write(
                f"{len(manifest['missing_files'])} files were deleted during the backup "
                "(listed in the manifest)."
            )
