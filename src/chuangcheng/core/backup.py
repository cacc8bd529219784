"""Backup, restore and export of a whole installation.

A backup is one uncompressed tar archive: every table as Django-serialized JSON Lines (so an archive
made on SQLite restores into PostgreSQL and back), every stored file (photos, materials), the secret
key, and `manifest.json` with the SHA-256 of every member, the row count of every table and the
migration state. The rows are read from one consistent snapshot while the app keeps serving: on
SQLite a copy made with SQLite's online backup API, on PostgreSQL one read-only REPEATABLE READ
transaction. Files are copied after the snapshot: a photo uploaded meanwhile may be in the archive
without its row (harmless), never a row without its photo, since photos are written before their rows.

A restore goes only into an empty installation (a migrated database without rows of its own, an
empty file store) and checks the archive before writing anything.

An export is the campaign's data for another system: the same rows without password hashes,
sessions, tokens, keys and other secrets (`EXPORT_LEFT_OUT_MODELS`, `EXPORT_LEFT_OUT_FIELDS`)."""

from __future__ import annotations

import hashlib
import io
import json
import os
import sqlite3
import tarfile
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import IO, Any
from urllib.parse import urlsplit

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import Prefetch
from django.db.utils import load_backend
from django.utils.translation import gettext as _

import chuangcheng
from chuangcheng.core import clock
from chuangcheng.core.storage_config import file_storage

FORMAT = 1
MANIFEST = "manifest.json"
SECRET_MEMBER = "secret_key"  # noqa: S105 - the name of the archive member, not a secret
DB_DIR = "db/"
FILES_DIR = "files/"
SNAPSHOT_ALIAS = "backup_snapshot"
CHUNK = 1024 * 1024

# Rows a fresh `migrate` writes (content types, permissions, the holiday calendar, the standard
# catalogue, case categories): a database whose only rows are in these tables counts as empty, and
# a restore replaces them with the archive's (which may have been edited since).
SEEDED_APPS = {"standards"}
SEEDED_MODELS = {"contenttypes.contenttype", "auth.permission", "core.calendarday", "cases.category"}

# Left out of an export (docs/guide/backup.md names them for the reader).
EXPORT_LEFT_OUT_MODELS = {
    "sessions.session": "sign-in sessions",
    "org.apitoken": "API tokens",
    "org.loginattempt": "sign-in attempts (addresses)",
    "public.smscode": "text-message codes",
    "public.attempt": "rate-limit records",
}
EXPORT_LEFT_OUT_FIELDS = {
    "org.user": {"password"},
    "public.open311client": {"key_hash"},
    "notify.webhook": {"url", "secret"},
    "public.report": {"device"},
    "public.follower": {"device"},
    "surveys.response": {"device"},
}

Progress = Callable[[str], None]


class BackupError(Exception):
    """A backup or restore that cannot go on; the message is for the operator (translated)."""


def _quiet(_line: str) -> None:
    return None


# --- what is in the database ------------------------------------------------------------------


def data_models() -> list[type[models.Model]]:
    """The models whose rows are serialized (auto-created many-to-many tables ride with their owner)."""
    return [m for m in apps.get_models() if m._meta.managed and not m._meta.proxy]


def table_models() -> list[type[models.Model]]:
    """Every table the app owns, the many-to-many ones included: what the row counts cover."""
    return [m for m in apps.get_models(include_auto_created=True) if m._meta.managed and not m._meta.proxy]


def table_counts(alias: str = DEFAULT_DB_ALIAS) -> dict[str, int]:
    return {m._meta.db_table: m._base_manager.using(alias).count() for m in table_models()}


def applied_migrations(alias: str = DEFAULT_DB_ALIAS) -> list[str]:
    recorder = MigrationRecorder(connections[alias])
    if not recorder.has_table():
        return []
    return sorted(f"{app}.{name}" for app, name in recorder.applied_migrations())


def _is_seeded(model: type[models.Model]) -> bool:
    return model._meta.app_label in SEEDED_APPS or model._meta.label_lower in SEEDED_MODELS or (
        model._meta.auto_created is not False and _is_seeded(model._meta.auto_created)  # type: ignore[arg-type]
    )


def _label(model: type[models.Model]) -> str:
    return model._meta.label_lower


# --- stored files -----------------------------------------------------------------------------


def stored_files() -> Iterator[str]:
    """Every file in the default storage (local directory or bucket), as storage names."""
    pending = [""]
    while pending:
        folder = pending.pop()
        try:
            subfolders, files = default_storage.listdir(folder)
        except FileNotFoundError:
            continue
        for name in sorted(files):
            yield str(PurePosixPath(folder) / name) if folder else name
        pending.extend(str(PurePosixPath(folder) / sub) if folder else sub for sub in sorted(subfolders, reverse=True))


class _HashingReader(io.RawIOBase):
    """Reads through to a file and hashes what passes, so each byte is read once."""

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle
        self.sha256 = hashlib.sha256()
        self.size = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self.sha256.update(data)
        self.size += len(data)
        return data


def _hash_stream(handle: IO[bytes]) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    while block := handle.read(CHUNK):
        digest.update(block)
        size += len(block)
    return digest.hexdigest(), size


# --- a consistent snapshot --------------------------------------------------------------------


@contextmanager
def _snapshot() -> Iterator[str]:
    """The alias of a connection that sees the database as it was at one moment."""
    conn = connections[DEFAULT_DB_ALIAS]
    conn.ensure_connection()
    if conn.vendor == "sqlite":
        # The online backup API copies the pages in one step under a read lock; in WAL mode
        # writers carry on meanwhile. The copy is then read at leisure.
        with tempfile.TemporaryDirectory(prefix="chuangcheng-backup-") as folder:
            path = Path(folder) / "snapshot.sqlite3"
            target = sqlite3.connect(path)
            try:
                conn.connection.backup(target)
            finally:
                target.close()
            # A connection of this thread only, not an entry in settings.DATABASES.
            snapshot = load_backend(conn.settings_dict["ENGINE"]).DatabaseWrapper(
                {**conn.settings_dict, "NAME": str(path), "OPTIONS": {}}, SNAPSHOT_ALIAS
            )
            connections[SNAPSHOT_ALIAS] = snapshot
            try:
                yield SNAPSHOT_ALIAS
            finally:
                snapshot.close()
                del connections[SNAPSHOT_ALIAS]
    elif conn.vendor == "postgresql":
        with transaction.atomic(using=DEFAULT_DB_ALIAS):
            with conn.cursor() as cursor:
                # The first statement of the transaction: every later read sees the same snapshot.
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield DEFAULT_DB_ALIAS
    else:
        raise BackupError(_("Backups support SQLite and PostgreSQL, not %(vendor)s.") % {"vendor": conn.vendor})


def _serialize(model: type[models.Model], alias: str, handle: IO[str], fields: list[str] | None = None) -> int:
    rows = 0

    def counted(objects: Iterable[models.Model]) -> Iterator[models.Model]:
        nonlocal rows
        for obj in objects:
            rows += 1
            yield obj

    queryset = model._base_manager.using(alias).order_by("pk")
    # Many-to-many ids fetched per chunk of rows, not one query per row.
    queryset = queryset.prefetch_related(*(
        Prefetch(field.name, queryset=field.related_model._base_manager.only("pk"))
        for field in model._meta.local_many_to_many
        if fields is None or field.name in fields
    ))
    serializers.serialize("jsonl", counted(queryset.iterator(chunk_size=2000)), stream=handle, fields=fields)
    return rows


# --- backup -----------------------------------------------------------------------------------


def make_backup(target: Path, *, progress: Progress = _quiet) -> dict[str, Any]:
    """Write the archive to `target` (via a temporary name, so a failed run leaves no half archive)."""
    target = Path(target)
    partial = target.with_name(target.name + ".partial")
    members: dict[str, dict[str, Any]] = {}
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "app": "chuangcheng",
        "version": chuangcheng.__version__,
        "created_at": clock.local(clock.now()).isoformat(),
        "database": connections[DEFAULT_DB_ALIAS].vendor,
    }
    try:
        with tarfile.open(partial, "w", format=tarfile.PAX_FORMAT) as archive:
            progress(_("Database: taking a consistent snapshot"))
            with _snapshot() as alias, tempfile.TemporaryDirectory(prefix="chuangcheng-backup-") as folder:
                manifest["migrations"] = applied_migrations(alias)
                manifest["tables"] = table_counts(alias)
                todo = data_models()
                for number, model in enumerate(todo, start=1):
                    dump = Path(folder) / "rows.jsonl"
                    with dump.open("w", encoding="utf-8") as handle:
                        rows = _serialize(model, alias, handle)
                    name = f"{DB_DIR}{_label(model)}.jsonl"
                    members[name] = _add_file(archive, name, dump)
                    members[name]["rows"] = rows
                    if number % 10 == 0 or number == len(todo):
                        progress(_("Database: %(done)d of %(total)d tables") % {"done": number, "total": len(todo)})
            files: dict[str, str] = {}
            names = list(stored_files())
            progress(_("Files: %(total)d to copy") % {"total": len(names)})
            for number, name in enumerate(names, start=1):
                member = FILES_DIR + name
                members[member] = _add_stored(archive, member, name)
                files[name] = members[member]["sha256"]
                if number % 200 == 0 or number == len(names):
                    progress(_("Files: %(done)d of %(total)d") % {"done": number, "total": len(names)})
            manifest["files"] = files
            members[SECRET_MEMBER] = _add_bytes(archive, SECRET_MEMBER, settings.SECRET_KEY.encode("utf-8"))
            manifest["members"] = members
            _add_bytes(archive, MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8"))
        # The archive holds password hashes and the secret key: owner-only, like the key file.
        os.chmod(partial, 0o600)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    progress(_("Written %(path)s") % {"path": target})
    return manifest


def _tar_info(name: str, size: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mode = 0o600
    info.mtime = int(clock.now().timestamp())
    return info


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> dict[str, Any]:
    archive.addfile(_tar_info(name, len(data)), io.BytesIO(data))
    return {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}


def _add_file(archive: tarfile.TarFile, name: str, path: Path) -> dict[str, Any]:
    with path.open("rb") as handle:
        reader = _HashingReader(handle)
        archive.addfile(_tar_info(name, path.stat().st_size), reader)
    return {"sha256": reader.sha256.hexdigest(), "size": reader.size}


def _add_stored(archive: tarfile.TarFile, member: str, name: str) -> dict[str, Any]:
    size = default_storage.size(name)
    with default_storage.open(name, "rb") as handle:
        reader = _HashingReader(handle)
        archive.addfile(_tar_info(member, size), reader)
    if reader.size != size:
        raise BackupError(_("The file %(name)s changed while it was copied; run the backup again.") % {"name": name})
    return {"sha256": reader.sha256.hexdigest(), "size": size}


# --- checking an archive ----------------------------------------------------------------------


def verify_archive(path: Path, *, progress: Progress = _quiet) -> dict[str, Any]:
    """The manifest, once every member's SHA-256 matches it; else BackupError. Reads only."""
    progress(_("Checking the archive"))
    try:
        archive = tarfile.open(path, "r:")  # noqa: SIM115 - closed by the `with` below
    except (OSError, tarfile.TarError) as exc:
        raise BackupError(_("%(path)s is not a Chuangcheng backup archive.") % {"path": path}) from exc
    try:
        with archive:
            return _verify_members(archive, path, progress)
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise BackupError(_("%(path)s is damaged (%(error)s). Nothing was restored.")
                          % {"path": path, "error": exc}) from exc


def _verify_members(archive: tarfile.TarFile, path: Path, progress: Progress) -> dict[str, Any]:
    """Every member hashed against the manifest; the manifest itself is the reference."""
    manifest = _read_manifest(archive, path)
    expected: dict[str, dict[str, Any]] = manifest["members"]
    seen: set[str] = set()
    for info in archive:
        if info.name == MANIFEST:
            continue
        if info.name not in expected or not info.isfile() or info.name in seen:
            raise BackupError(_("The archive holds %(name)s, which its manifest does not list: "
                                "it was altered.") % {"name": info.name})
        handle = archive.extractfile(info)
        assert handle is not None  # noqa: S101 - a regular file always has contents
        digest, size = _hash_stream(handle)
        if digest != expected[info.name]["sha256"] or size != expected[info.name]["size"]:
            raise BackupError(_("%(name)s in the archive does not match its checksum: the archive is "
                                "damaged or was altered. Nothing was restored.") % {"name": info.name})
        seen.add(info.name)
    missing = sorted(set(expected) - seen)
    if missing:
        raise BackupError(_("The archive lacks %(name)s: it is incomplete. Nothing was restored.")
                          % {"name": missing[0]})
    progress(_("Archive checked: %(members)d parts, all checksums match") % {"members": len(seen)})
    return manifest


def _read_manifest(archive: tarfile.TarFile, path: Path) -> dict[str, Any]:
    try:
        handle = archive.extractfile(MANIFEST)
        manifest = json.load(handle) if handle is not None else None
    except (KeyError, ValueError, tarfile.TarError):
        manifest = None
    if not isinstance(manifest, dict) or manifest.get("app") != "chuangcheng" or "members" not in manifest:
        raise BackupError(_("%(path)s is not a Chuangcheng backup archive.") % {"path": path})
    if manifest.get("format") != FORMAT:
        raise BackupError(_("The archive has format %(format)s; this version reads format %(ours)s.")
                          % {"format": manifest.get("format"), "ours": FORMAT})
    return manifest


# --- restore ----------------------------------------------------------------------------------


def check_files_empty() -> None:
    """Refuse (BackupError) when the file store holds any file."""
    first = next(stored_files(), None)
    if first is not None:
        raise BackupError(_("The file store is not empty (it holds %(name)s). Restore only into an empty data "
                            "directory; nothing was changed.") % {"name": first})


def check_database_empty() -> None:
    """Refuse (BackupError) unless the database holds only rows that `migrate` wrote."""
    full = [m._meta.db_table for m in table_models() if not _is_seeded(m) and m._base_manager.exists()]
    if full:
        raise BackupError(_("The database is not empty (%(tables)s hold rows). Restore only into a new, empty "
                            "database; nothing was changed.") % {"tables": ", ".join(full[:5])})


def restore_backup(path: Path, *, progress: Progress = _quiet) -> dict[str, Any]:
    """Restore the archive into this (empty) installation and check the row counts and file hashes."""
    manifest = verify_archive(path, progress=progress)
    check_files_empty()
    if not applied_migrations():
        progress(_("Database: creating the tables (migrate)"))
        call_command("migrate", interactive=False, verbosity=0)
    ours = set(applied_migrations())
    theirs = set(manifest.get("migrations", []))
    if ours != theirs:
        raise BackupError(_("The archive was made by a version at another migration state (%(theirs)d migrations "
                            "applied there, %(ours)d here, %(differ)d differ). Restore it with Chuangcheng "
                            "%(version)s; nothing was changed.")
                          % {"theirs": len(theirs), "ours": len(ours), "differ": len(ours ^ theirs),
                             "version": manifest.get("version", "?")})
    check_database_empty()
    written: list[str] = []
    try:
        with tarfile.open(path, "r:") as archive:
            _restore_files(archive, manifest, written, progress)
            _restore_rows(archive, manifest, progress)
    except BaseException:
        for name in written:
            default_storage.delete(name)
        raise
    _restore_secret_key(path, progress)
    progress(_("Restored: %(rows)d rows in %(tables)d tables, %(files)d files; counts and checksums match")
             % {"rows": sum(manifest["tables"].values()), "tables": len(manifest["tables"]),
                "files": len(manifest["files"])})
    return manifest


def _restore_files(archive: tarfile.TarFile, manifest: dict[str, Any], written: list[str],
                   progress: Progress) -> None:
    files: dict[str, str] = manifest["files"]
    for number, (name, digest) in enumerate(sorted(files.items()), start=1):
        handle = archive.extractfile(FILES_DIR + name)
        assert handle is not None  # noqa: S101 - checked in verify_archive
        saved = default_storage.save(name, File(handle, name=PurePosixPath(name).name))
        written.append(saved)
        if saved != name:
            raise BackupError(_("The file store renamed %(name)s on restore; it was not empty.") % {"name": name})
        with default_storage.open(saved, "rb") as stored:
            if _hash_stream(stored)[0] != digest:
                raise BackupError(_("%(name)s reads back different from the archive.") % {"name": name})
        if number % 200 == 0 or number == len(files):
            progress(_("Files: %(done)d of %(total)d restored") % {"done": number, "total": len(files)})


def _restore_rows(archive: tarfile.TarFile, manifest: dict[str, Any], progress: Progress) -> None:
    conn = connections[DEFAULT_DB_ALIAS]
    by_label = {_label(m): m for m in data_models()}
    dumps = [name for name in manifest["members"] if name.startswith(DB_DIR)]
    unknown = [name for name in dumps if name[len(DB_DIR):-len(".jsonl")] not in by_label]
    if unknown:
        raise BackupError(_("The archive holds rows of %(name)s, which this version does not have.")
                          % {"name": unknown[0]})
    with transaction.atomic(using=DEFAULT_DB_ALIAS):
        with conn.cursor() as cursor:
            # Foreign keys are checked at commit (Django creates them deferrable), so the order of
            # the deletes and inserts below does not matter.
            for model in table_models():
                if _is_seeded(model):
                    cursor.execute(f"DELETE FROM {conn.ops.quote_name(model._meta.db_table)}")  # noqa: S608
        for number, name in enumerate(dumps, start=1):
            handle = archive.extractfile(name)
            assert handle is not None  # noqa: S101 - checked in verify_archive
            model = by_label[name[len(DB_DIR):-len(".jsonl")]]
            try:
                with transaction.atomic(using=DEFAULT_DB_ALIAS):
                    _load(model, io.TextIOWrapper(handle, encoding="utf-8"))
            except DatabaseError as exc:
                # E.g. SQLite kept a value longer than its column allows, which PostgreSQL refuses.
                raise BackupError(_("The rows of %(table)s could not be written (%(error)s); nothing was restored.")
                                  % {"table": model._meta.db_table, "error": str(exc).strip()}) from exc
            if number % 10 == 0 or number == len(dumps):
                progress(_("Database: %(done)d of %(total)d tables restored") % {"done": number, "total": len(dumps)})
        with conn.cursor() as cursor:
            for statement in conn.ops.sequence_reset_sql(no_style(), data_models()):
                cursor.execute(statement)
        conn.check_constraints(table_names=[m._meta.db_table for m in table_models()])
        counts = table_counts()
        differ = sorted(t for t in set(counts) | set(manifest["tables"])
                        if counts.get(t) != manifest["tables"].get(t))
        if differ:
            raise BackupError(_("After the restore %(table)s holds %(ours)s rows, the archive %(theirs)s; "
                                "nothing was restored.")
                              % {"table": differ[0], "ours": counts.get(differ[0]),
                                 "theirs": manifest["tables"].get(differ[0])})


def _load(model: type[models.Model], lines: IO[str], batch: int = 500) -> None:
    pending: list[models.Model] = []
    links: dict[Any, list[models.Model]] = {}

    conn = connections[DEFAULT_DB_ALIAS]
    fields = list(model._meta.local_concrete_fields)

    def flush() -> None:
        if pending:
            # A raw insert, as loaddata's raw save: the values as stored, so auto_now and
            # auto_now_add fields keep their times (bulk_create would set them to now).
            size = max(1, min(batch, conn.ops.bulk_batch_size(fields, pending)))
            for start in range(0, len(pending), size):
                model._base_manager.using(DEFAULT_DB_ALIAS)._insert(  # type: ignore[attr-defined]
                    pending[start:start + size], fields=fields, raw=True, using=DEFAULT_DB_ALIAS
                )
            pending.clear()
        for through, rows in links.items():
            through._base_manager.using(DEFAULT_DB_ALIAS).bulk_create(rows, batch_size=batch)
            rows.clear()

    inherited = bool(model._meta.parents)
    for item in serializers.deserialize("jsonl", lines, using=DEFAULT_DB_ALIAS):
        if inherited:
            # A raw save writes this table's row only (the parent's rows are in their own member).
            item.save(using=DEFAULT_DB_ALIAS)
            continue
        pending.append(item.object)
        for field_name, targets in (item.m2m_data or {}).items():
            field = model._meta.get_field(field_name)
            through = field.remote_field.through  # type: ignore[union-attr]
            source, target = field.m2m_field_name(), field.m2m_reverse_field_name()  # type: ignore[union-attr]
            links.setdefault(through, []).extend(
                through(**{f"{source}_id": item.object.pk, f"{target}_id": pk}) for pk in targets
            )
        if len(pending) >= batch:
            flush()
    flush()


def _restore_secret_key(path: Path, progress: Progress) -> None:
    with tarfile.open(path, "r:") as archive:
        handle = archive.extractfile(SECRET_MEMBER)
        assert handle is not None  # noqa: S101 - checked in verify_archive
        key = handle.read().decode("utf-8").strip()
    key_file = Path(settings.DATA_DIR) / "secret_key"
    key_file.parent.mkdir(parents=True, exist_ok=True)
    partial = key_file.with_name("secret_key.partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(key)
    os.replace(partial, key_file)
    if os.environ.get("SECRET_KEY") and os.environ["SECRET_KEY"] != key:
        progress(_("Warning: SECRET_KEY is set in the environment and differs from the restored key in %(path)s; "
                   "set SECRET_KEY to the restored key to keep sessions and signed links valid.")
                 % {"path": key_file})
    else:
        progress(_("Secret key restored to %(path)s") % {"path": key_file})


# --- a copy in object storage -----------------------------------------------------------------


def parse_s3_url(url: str) -> Any:
    """The parts of `s3://bucket/prefix`; BackupError for anything else (checked before a backup starts)."""
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.netloc:
        raise BackupError(_("%(url)s is not an S3 address (s3://bucket/prefix).") % {"url": url})
    return parts


def upload_to_s3(path: Path, url: str, env: Mapping[str, str], *, progress: Progress = _quiet) -> str:
    """Copy the archive to `s3://bucket/prefix/<its file name>`, reached with the same S3_ENDPOINT_URL,
    S3_REGION, S3_ACCESS_KEY/S3_SECRET_KEY and S3_ADDRESSING_STYLE as the photo storage."""
    parts = parse_s3_url(url)
    try:
        import boto3  # type: ignore[import-untyped]
    except ImportError as exc:  # pragma: no cover - depends on the installed extras
        raise BackupError(_("Uploading to S3 needs the s3 extra (pip install 'chuangcheng[s3]').")) from exc
    options = file_storage({**env, "S3_BUCKET": parts.netloc})["OPTIONS"]
    client = boto3.client(
        "s3", endpoint_url=options.get("endpoint_url"), region_name=options.get("region_name"),
        aws_access_key_id=options.get("access_key"), aws_secret_access_key=options.get("secret_key"),
        config=options["client_config"],
    )
    key = "/".join(part for part in (parts.path.strip("/"), Path(path).name) if part)
    size = Path(path).stat().st_size
    client.upload_file(str(path), parts.netloc, key)
    if client.head_object(Bucket=parts.netloc, Key=key)["ContentLength"] != size:
        raise BackupError(_("The copy in %(url)s is incomplete.") % {"url": f"s3://{parts.netloc}/{key}"})
    target = f"s3://{parts.netloc}/{key}"
    progress(_("Uploaded to %(url)s") % {"url": target})
    return target


# --- export -----------------------------------------------------------------------------------


def export_data(target: Path, *, progress: Progress = _quiet) -> dict[str, int]:
    """All campaign data as JSON Lines, without secrets: a header line, then one object per line."""
    target = Path(target)
    partial = target.with_name(target.name + ".partial")
    counts: dict[str, int] = {}
    try:
        with _snapshot() as alias, partial.open("w", encoding="utf-8") as handle:
            header = {
                "app": "chuangcheng", "export": FORMAT, "version": chuangcheng.__version__,
                "created_at": clock.local(clock.now()).isoformat(),
                "left_out_tables": sorted(EXPORT_LEFT_OUT_MODELS),
                "left_out_fields": {label: sorted(names) for label, names in sorted(EXPORT_LEFT_OUT_FIELDS.items())},
            }
            handle.write(json.dumps(header, ensure_ascii=False) + "\n")
            todo = [m for m in data_models() if _label(m) not in EXPORT_LEFT_OUT_MODELS]
            for number, model in enumerate(todo, start=1):
                hidden = EXPORT_LEFT_OUT_FIELDS.get(_label(model), set())
                fields = None
                if hidden:
                    fields = [f.name for f in [*model._meta.local_fields, *model._meta.local_many_to_many]
                              if f.name not in hidden and not f.primary_key]
                counts[_label(model)] = _serialize(model, alias, handle, fields)
                if number % 10 == 0 or number == len(todo):
                    progress(_("Export: %(done)d of %(total)d tables") % {"done": number, "total": len(todo)})
        os.chmod(partial, 0o600)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    progress(_("Written %(path)s") % {"path": target})
    return counts
