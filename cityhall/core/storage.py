"""Local file storage whose files are whole or absent.

Django's FileSystemStorage leaves the part it wrote when a write fails (disk
full, quota, I/O error). A half PDF would then sit in the media folder with
no row naming it, and backups would copy it. This removes it before the error
goes on (the caller's transaction, the task's retry, a clear message).
"""

from __future__ import annotations

import os

from django.core.files.storage import FileSystemStorage


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
