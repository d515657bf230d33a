"""Bounds what one uploaded file can cost before any view sees it.

Django streams a file to memory, then to a temporary file, whatever its size.
This handler goes first and passes on only the first CITYHALL_UPLOAD_HARD_MAX_BYTES + 1
bytes of each file; the rest is read off the network and dropped. The rest of
the form is parsed as usual, so the view still gets every field as typed and
`clean_upload` says "too big" next to the file (it refuses anything over the
hard limit), instead of the request failing as a whole.
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler


class CappedUploadHandler(FileUploadHandler):
    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        allowed = settings.CITYHALL_UPLOAD_HARD_MAX_BYTES + 1 - self.received
        if allowed <= 0:
            return None  # later handlers never see these bytes
        self.received += len(raw_data)
        return raw_data[:allowed]

    def file_complete(self, file_size):
        return None  # the next handler (memory or temporary file) builds the file
