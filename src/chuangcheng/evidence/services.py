"""Every write to evidence photos. Who may attach a photo to what is the caller's rule (cases,
inspections, points): these functions check the photo itself, not the person."""

from __future__ import annotations

import hashlib
import logging
from decimal import Decimal
from pathlib import PurePosixPath
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction

from chuangcheng.core import audit, clock
from chuangcheng.core.models import AuditEvent
from chuangcheng.evidence import pipeline
from chuangcheng.evidence.models import Photo

logger = logging.getLogger(__name__)


def accept_photo(data: bytes, *, filename: str, by: Any, watermark: str = "", caption: str = "") -> Photo:
    """Check, store and describe one uploaded photo; the same bytes twice give the same Photo.

    `watermark` is the line drawn on the display version (time, place, who), written by the
    caller. Raises a translated django ValidationError (codes: empty, too_large, not_an_image,
    unsupported_format, too_many_pixels, truncated) and then nothing is stored."""
    digest = hashlib.sha256(data).hexdigest()
    existing = Photo.objects.filter(sha256=digest).first()
    if existing is not None:
        return existing
    derived = pipeline.make_derivatives(data, filename=filename, watermark=watermark)
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
