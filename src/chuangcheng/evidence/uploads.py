"""Photo acceptance for any app: the photos that come with a step (a case action, a task's
progress, a volunteer action, a publicity item, an inspection, a resident's report), from a page
or the API. Each upload goes through the evidence pipeline with a watermark saying when, where and
by whom, and is stored in one transaction with the step, leaving nothing behind if the step fails.

Decoding is slow and needs memory, and SQLite's write lock is taken when a transaction opens: so
`prepare_uploads` does all the work on the pictures before the step's transaction, and
`accepted_uploads`, inside it, only writes. A caller that opens its own transaction prepares
first and passes the `PreparedPhoto` list in."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from chuangcheng.core import clock
from chuangcheng.evidence.models import Photo
from chuangcheng.evidence.services import PreparedPhoto, prepare_photo, store_photo

# A report or a step carries a handful of photos, as a phone's picker allows.
MAX_PHOTOS = 9


def watermark_for(place: str, by: Any) -> str:
    """The line drawn on the display version: time · place · who."""
    who = getattr(by, "display_name", "") or getattr(by, "username", "")
    return " · ".join(part for part in (f"{clock.local(clock.now()):%Y-%m-%d %H:%M}", place, who) if part)


def place_of(thing: Any) -> str:
    """Where a case, a report or any row with a point, an address or a grid is, for the
    watermark: the point's name, else the address, else the grid's (or region's) name."""
    if getattr(thing, "point_id", None):
        return str(thing.point.name)
    if getattr(thing, "address", ""):
        return str(thing.address)
    for region in ("grid", "region", "community", "street"):
        if getattr(thing, f"{region}_id", None):
            return str(getattr(thing, region).name)
    return ""


def prepare_uploads(uploads: Iterable[Any] | None, *, by: Any, place: str) -> list[PreparedPhoto]:
    """Check and process the uploads (decode, resize, watermark, hash) before any transaction.
    A refused photo raises a ValidationError on "photos" naming the file once. Items that are
    prepared already pass through."""
    files = list(uploads or [])
    if len(files) > MAX_PHOTOS:
        raise ValidationError({"photos": _("Send at most %(n)d photos at a time.") % {"n": MAX_PHOTOS}})
    watermark = watermark_for(place, by)
    limit = int(settings.PHOTO_MAX_BYTES)
    prepared: list[PreparedPhoto] = []
    for upload in files:
        if isinstance(upload, PreparedPhoto):
            prepared.append(upload)
            continue
        name = getattr(upload, "name", "") or "photo"
        # One byte over the limit is enough for the pipeline to refuse it as too large.
        data = upload.read(limit + 1)
        try:
            prepared.append(prepare_photo(data, filename=name, watermark=watermark))
        except ValidationError as exc:
            # The pipeline's messages name the file already: say it once.
            raise ValidationError({"photos": exc.messages}) from exc
    return prepared


@contextmanager
def accepted_uploads(uploads: Iterable[Any] | None, *, by: Any, place: str) -> Iterator[list[Photo]]:
    """Store the uploads in one transaction with the step that uses them (the `with` body): if the
    step fails, no row stays, and the files written for photos that are not kept are removed.
    Uploads not prepared yet are prepared first, before this transaction; inside a caller's own
    transaction pass `prepare_uploads(...)`'s list instead, so no decoding holds the write lock."""
    prepared = prepare_uploads(uploads, by=by, place=place)
    accepted: list[Photo] = []
    try:
        with transaction.atomic():
            try:
                accepted.extend(store_photo(photo, by=by) for photo in prepared)
            except ValidationError as exc:  # the photo store is full or read-only
                raise ValidationError({"photos": exc.messages}) from exc
            yield accepted
    except BaseException:
        _discard_files(accepted)
        raise


def _discard_files(photos: Sequence[Photo]) -> None:
    for photo in photos:
        if Photo.objects.filter(pk=photo.pk).exists():
            continue  # it was there before this request (the same bytes), or another request kept it
        for field in (photo.original, photo.display, photo.thumbnail):
            if field.name:
                field.storage.delete(field.name)
