"""Every write to evidence photos. Who may attach a photo to what is the caller's rule (cases,
inspections, points): these functions check the photo itself, not the person."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from decimal import Decimal
from pathlib import PurePosixPath
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from chuangcheng.core import audit, clock, faults, images
from chuangcheng.core.models import AuditEvent
from chuangcheng.evidence import pipeline
from chuangcheng.evidence.models import Photo

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PreparedPhoto:
    """An upload checked and processed, ready to store: the original bytes untouched, their SHA-256,
    and the display and thumbnail versions (None when a photo with these bytes is stored already).
    Made by `prepare_photo` before any transaction, so decoding never holds the write lock."""

    data: bytes
    filename: str
    sha256: str
    watermark: str
    derived: pipeline.Derivatives | None


def prepare_photo(data: bytes, *, filename: str, watermark: str = "") -> PreparedPhoto:
    """All the CPU work on one upload (type, decode, orientation, resize, watermark, thumbnail,
    EXIF, hash), outside any transaction. Raises a translated django ValidationError (codes: empty,
    too_large, not_an_image, unsupported_format, too_many_pixels, truncated)."""
    pipeline.check_size(data, filename)
    digest = hashlib.sha256(data).hexdigest()
    if Photo.objects.filter(sha256=digest).exists():
        return PreparedPhoto(data=data, filename=filename, sha256=digest, watermark=watermark, derived=None)
    derived = pipeline.make_derivatives(data, filename=filename, watermark=watermark)
    return PreparedPhoto(data=data, filename=filename, sha256=digest, watermark=watermark, derived=derived)


def store_photo(prepared: PreparedPhoto, *, by: Any, caption: str = "") -> Photo:
    """Write a prepared photo's files and its row; the same bytes twice give the same Photo.
    Only writes: call it inside the step's transaction, after `prepare_photo` outside it."""
    data, digest, watermark = prepared.data, prepared.sha256, prepared.watermark
    existing = Photo.objects.filter(sha256=digest).first()
    if existing is not None:
        return existing
    derived = prepared.derived
    if derived is None:  # the row seen while preparing is gone (a rolled-back request): derive now
        derived = pipeline.make_derivatives(data, filename=prepared.filename, watermark=watermark)
    info = derived.info
    uploaded_at = clock.now()
    folder = PurePosixPath("evidence") / clock.local(uploaded_at).strftime("%Y/%m")
    written: list[str] = []
    try:
        original = _write(folder / f"{digest}.{info.suffix}", data, written)
        display = _write(folder / f"{digest}-display.jpg", derived.display, written)
        thumbnail = _write(folder / f"{digest}-thumb.jpg", derived.thumbnail, written)
        with transaction.atomic():
            photo = Photo.objects.create(
                original=original, sha256=digest, size=len(data), format=info.format,
                width=info.width, height=info.height, taken_at=info.taken_at,
                lon=_coordinate(info.lon), lat=_coordinate(info.lat),
                display=display, thumbnail=thumbnail,
                watermark=" ".join(watermark.split())[:200], caption=caption.strip()[:200],
                uploaded_at=uploaded_at, uploaded_by=by if getattr(by, "is_authenticated", False) else None,
            )
            audit.record(actor=by, action=AuditEvent.Action.CREATE, instance=photo,
                         changes={"sha256": [None, digest], "size": [None, len(data)], "format": [None, info.format]})
    except OSError as exc:
        # The disk is full or read-only (or the folder not writable): nothing is half-written
        # (core.files writes under a temporary name first); the files already written go.
        _remove(written)
        faults.log_once_a_minute(f"photo store {type(exc).__name__} errno {exc.errno}",
                                 "photo store cannot be written: %s", exc, metric="photo_store")
        raise ValidationError(_("The photo could not be saved: the photo store is full or cannot be written. "
                                "Nothing was saved; tell your administrator and try again later."),
                              code="storage_unavailable") from exc
    except IntegrityError:
        # The same bytes were accepted at the same moment by another request: that row is the photo.
        # Its files may carry the very names this request wrote (same digest, same folder): keep those.
        winner = Photo.objects.get(sha256=digest)
        kept = {winner.original.name, winner.display.name, winner.thumbnail.name}
        _remove([name for name in written if name not in kept])
        return winner
    except BaseException:
        _remove(written)
        raise
    return photo


def accept_photo(data: bytes, *, filename: str, by: Any, watermark: str = "", caption: str = "") -> Photo:
    """Check, store and describe one uploaded photo: `prepare_photo` then `store_photo`. For the
    CLI, jobs and the demo; a request with a transaction prepares first (see evidence.uploads).

    `watermark` is the line drawn on the display version (time, place, who), written by the
    caller. Raises a translated django ValidationError and then nothing is stored."""
    return store_photo(prepare_photo(data, filename=filename, watermark=watermark), by=by, caption=caption)


def regenerate_derivatives(photo: Photo) -> Photo:
    """Make the display version and thumbnail again from the original (a new watermark font,
    a lost file, a changed size). The original and its SHA-256 are read, never written."""
    with photo.original.open("rb") as handle:
        data = handle.read()
    if hashlib.sha256(data).hexdigest() != photo.sha256:
        logger.error("Photo %s: the stored original no longer matches its SHA-256", photo.pk)
    derived = pipeline.make_derivatives(data, filename=photo.original.name or "", watermark=photo.watermark)
    folder = PurePosixPath(photo.original.name or "").parent
    old = [name for name in (photo.display.name, photo.thumbnail.name) if name]
    _remove(old)
    written: list[str] = []
    display = _write(folder / f"{photo.sha256}-display.jpg", derived.display, written)
    thumbnail = _write(folder / f"{photo.sha256}-thumb.jpg", derived.thumbnail, written)
    Photo.objects.filter(pk=photo.pk).update(display=display, thumbnail=thumbnail)
    photo.display.name, photo.thumbnail.name = display, thumbnail
    return photo


def medium_name(photo: Photo) -> str:
    folder = PurePosixPath(photo.original.name or "").parent
    return str(folder / f"{photo.sha256}-medium.jpg")


def medium(photo: Photo) -> str:
    """The storage name of the photo's medium version (long edge 1024, from the display version,
    so with its watermark), made on the first request and kept. The original is not read."""
    name = medium_name(photo)
    if default_storage.exists(name):
        return name
    try:
        with photo.display.open("rb") as handle:
            display = handle.read()
    except (FileNotFoundError, ValueError):
        regenerate_derivatives(photo)
        with photo.display.open("rb") as handle:
            display = handle.read()
    data = images.shrink(display, pipeline.MEDIUM_LONG_EDGE, pipeline.MEDIUM_QUALITY)
    try:
        return _write(PurePosixPath(name), data, [])
    except OSError:  # another request made it meanwhile (or the disk is full): serve what is there
        if default_storage.exists(name):
            return name
        raise


def _write(name: PurePosixPath, content: bytes, written: list[str]) -> str:
    saved = default_storage.save(str(name), ContentFile(content))
    written.append(saved)
    return saved


def _remove(names: list[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            logger.warning("Could not remove %s", name)


def _coordinate(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(f"{value:.6f}")
