"""The local file store: Django's FileSystemStorage, except that a file appears under its name
only once it is complete. Each file is written to a hidden temporary name in the same folder,
flushed to disk, then linked to its final name (which, like Django's O_EXCL, never overwrites a
file already there) and the temporary name removed. A full or read-only disk therefore leaves
nothing behind: no half-written photo that keeps the disk full or is served later as if whole."""

from __future__ import annotations

import contextlib
import os
import tempfile
from typing import Any

from django.core.files.storage import FileSystemStorage
from django.core.files.storage.filesystem import safe_makedirs  # type: ignore[attr-defined]


class AtomicFileSystemStorage(FileSystemStorage):
    def _save(self, name: str, content: Any) -> str:
        full_path = self.path(name)
        directory = os.path.dirname(full_path)
        if self.directory_permissions_mode is not None:
            safe_makedirs(directory, self.directory_permissions_mode, exist_ok=True)
        else:
            os.makedirs(directory, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=directory, prefix=".incoming-", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in content.chunks():
                    out.write(chunk if isinstance(chunk, bytes) else chunk.encode())
                out.flush()
                os.fsync(out.fileno())
            mode = self.file_permissions_mode
            if mode is None:  # what a plain open(…, 0o666) would have given
                umask = os.umask(0)
                os.umask(umask)
                mode = 0o666 & ~umask
            os.chmod(temporary, mode)
            while True:
                try:
                    if getattr(self, "_allow_overwrite", False):
                        os.replace(temporary, full_path)
                    else:
                        os.link(temporary, full_path)
                    break
                except FileExistsError:
                    name = self.get_available_name(name)
                    full_path = self.path(name)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
        self._ensure_location_group_id(full_path)  # type: ignore[attr-defined]
        return str(os.path.relpath(full_path, self.location)).replace("\\", "/")
