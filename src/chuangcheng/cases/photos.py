"""Photos that come with a case action, from a page or the API: each upload goes through the
evidence pipeline with a watermark saying when, where and by whom."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from chuangcheng.core import clock
from chuangcheng.evidence.models import Photo
from chuangcheng.evidence.services import accept_photo

MAX_PHOTOS = 9


def watermark_for(place: str, by: Any) -> str:
    """The line drawn on the display version: time · place · who."""
    who = getattr(by, "display_name", "") or getattr(by, "username", "") or _("resident")
    return f"{clock.local(clock.now()):%Y-%m-%d %H:%M} · {place} · {who}"


def accept_uploads(files: Iterable[Any], *, by: Any, place: str, field: str = "photos") -> list[Photo]:
    """Accept every uploaded file or none: the first bad one raises a ValidationError on `field`
    naming the file. Call inside the transaction of the action the photos belong to."""
    files = list(files)
    if len(files) > MAX_PHOTOS:
        raise ValidationError({field: _("Send at most %(n)d photos at a time.") % {"n": MAX_PHOTOS}})
    watermark = watermark_for(place, by)
    photos: list[Photo] = []
    for upload in files:
        name = getattr(upload, "name", "") or "photo"
        try:
            photos.append(accept_photo(upload.read(), filename=name, by=by, watermark=watermark))
        except ValidationError as exc:
            raise ValidationError({field: [f"{name}: {message}" for message in exc.messages]}) from exc
    return photos


def place_of(case: Any) -> str:
    return case.point.name if case.point_id else (case.address or case.grid.name)
