"""Local file storage whose files are whole or absent.

Django's FileSystemStorage leaves the part it wrote when a write fails (disk
full, quota, I/O error). A half PDF would then sit in the media folder with
no row naming it, and backups would copy it. This removes it before the error
goes on (the caller's transaction, the task's retry, a clear message).
"""

from __future__ import annotations

import logging
import os

from django.core.files.storage import FileSystemStorage

logger = logging.getLogger(__name__)


class WholeFileSystemStorage(FileSystemStorage):
    def _save(self, name, content):
        full_path = self.path(name)
        existed = os.path.lexists(full_path)
        try:
            return super()._save(name, content)
        except FileExistsError:
            raise
        except OSError:
            if not existed and os.path.lexists(full_path):
                os.remove(full_path)
            raise


def open_stored(field_file):
    """A stored file, open for reading, for a download view.

    A file the storage has lost (deleted by hand, a restore without the media
    folder, a bucket emptied) is a 404 for the person asking, not a 500, and an
    error in the log for the operators.
    """
    from django.http import Http404

    try:
        return field_file.open("rb")
    except OSError as error:  # FileNotFoundError on disk; S3 storages raise it too
        logger.error("a stored file is missing: %s (%s)", field_file.name, error)
        raise Http404("stored file missing") from error
