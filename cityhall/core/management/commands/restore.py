from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cityhall.core.backup import BackupError, restore_backup, verify


class Command(BaseCommand):
    help = (
        "Restore a `cityhall backup` archive into an empty database and file storage "
        "(checksums are verified first). Then run `cityhall migrate`."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace a database and files that are not empty (everything in them is lost).",
        )
        parser.add_argument(
            "--verify-only", action="store_true", help="Check the archive's checksums and stop."
        )

    def handle(self, *args, archive, force, verify_only, **options):
        path = Path(archive)
        if not path.is_file():
            raise CommandError(f"{path} does not exist.")
        try:
            if verify_only:
                manifest = verify(path)
                self.stdout.write(f"{path}: intact (made {manifest['created_at']}).")
                return
            restored = restore_backup(path, force=force)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Restored the backup made {restored.created_at} (CityHall {restored.app_version}) "
            f"with {restored.files} files. Now run: cityhall migrate"
        )
