"""Static files for a phone: collected once per installed version into the data directory, each
under a name that carries a hash of its content (so a browser may keep it a year), and stored
beside its gzip and brotli compressions (WhiteNoise sends whichever the browser accepts).

`serve` (and so `demo`) calls `ensure_collected` before it starts: it compares a fingerprint of
the static files the installed packages ship (name, size, modification time) with the one
written after the last collection, and runs `collectstatic` only when they differ. Nothing is
asked of whoever installs or upgrades. Until files are collected (a test run, a bare WSGI server),
templates name the plain files and WhiteNoise serves them from the packages."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage
from whitenoise.storage import CompressedManifestStaticFilesStorage

logger = logging.getLogger(__name__)

# The files collectstatic leaves out by default, and the packages' source maps and unminified
# sources (several megabytes nobody's phone asks for; WhiteNoise still serves them uncollected).
IGNORE_PATTERNS = ["CVS", ".*", "*~", "*.map", "*-src.js", "*-src.esm.js"]


class CollectedStaticStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's compressed, hashed storage, tolerant in two ways: a reference to a file the
    package does not ship (the source maps named at the end of leaflet.markercluster.js) is left as
    it is instead of failing the collection, and a name missing from the manifest (nothing
    collected yet) is given unhashed, to be served from the packages."""

    manifest_strict = True

    def url_converter(self, name: str, hashed_files: dict[str, Any], template: str | None = None) -> Any:
        convert = super().url_converter(name, hashed_files, template)

        def tolerant(matchobj: Any) -> str:
            try:
                return str(convert(matchobj))
            except ValueError:
                return str(matchobj[0])

        return tolerant

    def read_manifest(self) -> str | None:
        try:
            return super().read_manifest()
        except OSError:  # the folder cannot be read (or is not one): as if nothing were collected
            return None

    def stored_name(self, name: str) -> str:
        try:
            return str(super().stored_name(name))
        except ValueError:
            return name


class PackageFileFinder(BaseFinder):
    """Single files out of a package folder that holds much else (plotly ships 10 MB of data and
    widgets beside the one script we use): settings.STATIC_PACKAGE_FILES maps a static name to the
    file's path."""

    def _files(self) -> dict[str, str]:
        return dict(getattr(settings, "STATIC_PACKAGE_FILES", {}))

    def check(self, **kwargs: Any) -> list[Any]:
        return []

    def find(self, path: str, find_all: bool = False, **kwargs: Any) -> Any:
        found = self._files().get(path)
        if find_all:
            return [found] if found else []
        return found or []

    def list(self, ignore_patterns: Any) -> Iterator[tuple[str, FileSystemStorage]]:
        for name, source in self._files().items():
            folder, base = os.path.split(source)
            storage = FileSystemStorage(location=folder)
            storage.prefix = os.path.dirname(name)  # type: ignore[attr-defined]
            yield base, storage


def fingerprint() -> str:
    """What the installed packages ship as static files, and how they would be stored."""
    from django.contrib.staticfiles.finders import get_finders

    import chuangcheng

    rows = []
    for finder in get_finders():
        for path, storage in finder.list(IGNORE_PATTERNS):
            prefix = getattr(storage, "prefix", None) or ""
            stat = os.stat(storage.path(path))
            rows.append(f"{prefix}/{path}\0{stat.st_size}\0{stat.st_mtime_ns}")
    digest = hashlib.sha256()
    digest.update(f"{chuangcheng.__version__}\0{settings.STORAGES['staticfiles']['BACKEND']}\n".encode())
    for row in sorted(rows):
        digest.update(row.encode() + b"\n")
    return digest.hexdigest()


def _stamp_path(root: Path) -> Path:
    return root.with_name(root.name + ".collected")


@contextlib.contextmanager
def _lock(root: Path) -> Iterator[None]:
    """One collection at a time for this data directory (two servers started together)."""
    path = root.with_name(root.name + ".lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    handle: IO[str] = open(path, "a")  # noqa: SIM115
    try:
        try:
            import fcntl
        except ImportError:  # Windows: no second server there
            yield
            return
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    finally:
        handle.close()


def is_collected() -> bool:
    root = settings.STATIC_ROOT
    if not root:
        return False
    stamp = _stamp_path(Path(root))
    return stamp.exists() and stamp.read_text().strip() == fingerprint()


def ensure_collected(say: Any = None) -> bool:
    """Collect the static files when this version's are not collected yet; True when it did.
    `say(text)` is told before a collection starts (it takes a little while: brotli)."""
    from django.contrib.staticfiles.storage import staticfiles_storage
    from django.core.files.storage import storages
    from django.core.management import call_command
    from django.utils.functional import empty
    from django.utils.translation import gettext as _

    if not settings.STATIC_ROOT:
        return False
    root = Path(settings.STATIC_ROOT)
    wanted = fingerprint()
    stamp = _stamp_path(root)
    if stamp.exists() and stamp.read_text().strip() == wanted:
        return False
    try:
        with _lock(root):
            if stamp.exists() and stamp.read_text().strip() == wanted:  # another server did it meanwhile
                return False
            if say is not None:
                say(_("Preparing the static files (compressed, once per version)…"))
            # Not cleared: a server still running the previous version keeps finding its own hashed names.
            call_command("collectstatic", interactive=False, verbosity=0, ignore_patterns=IGNORE_PATTERNS,
                         use_default_ignore_patterns=False)
            stamp.write_text(wanted + "\n")
    except OSError as exc:
        # A full or read-only data directory: the pages still work, with the plain files.
        logger.error("static files could not be collected into %s: %s", root, exc)
        return False
    # A storage made before the collection holds an empty manifest: the next use reads the new one.
    storages._storages.pop("staticfiles", None)  # type: ignore[attr-defined]
    staticfiles_storage._wrapped = empty  # type: ignore[attr-defined]
    return True
