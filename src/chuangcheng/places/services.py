"""Every write to points (点位) and their reference photos."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterable
from decimal import Decimal
from pathlib import PurePosixPath
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from chuangcheng.core import audit, geo
from chuangcheng.core.models import AuditEvent
from chuangcheng.core.services import save_audited
from chuangcheng.org import permissions
from chuangcheng.org.models import Person, Region, Unit
from chuangcheng.places.models import Point, PointPhoto

POINT_FIELDS = ("name", "point_type", "grid", "lon", "lat", "address", "primary_unit", "zero_loss", "note",
                "active")
ACCEPTED_IMAGE_FORMATS = {"JPEG", "PNG", "WEBP"}
MAX_PIXELS = 50_000_000


def locate_grid(lon: float, lat: float, *, within: Region | None = None) -> Region | None:
    """The grid whose boundary contains the location, or None when no boundary does."""
    grids = Region.objects.filter(level=Region.Level.GRID).exclude(boundary="")
    if within is not None:
        grids = grids.filter(path__startswith=within.path)
    for grid in grids.only("id", "code", "name", "boundary", "path", "parent_id", "level"):
        if grid.contains(lon, lat):
            return grid
    return None


@transaction.atomic
def save_point(
    *,
    by: Any,
    code: str,
    cooperating_units: Iterable[Unit] | None = None,
    responsible_people: Iterable[Person] | None = None,
    **fields: Any,
) -> tuple[Point, bool]:
    """Create or change a point, found by its code. When no grid is given, the grid is found
    from the location among the grids that have boundaries."""
    point = (
        Point.objects.select_related("grid", "point_type", "primary_unit")
        .prefetch_related("cooperating_units", "responsible_people")
        .filter(code=code)
        .first()
    )
    if fields.get("grid") is None and fields.get("lon") is not None and fields.get("lat") is not None:
        lon, lat = float(fields["lon"]), float(fields["lat"])
        if geo.in_china(lon, lat):
            found = locate_grid(lon, lat, within=getattr(by, "scope", None) if by is not None else None)
            if found is None:
                raise ValidationError({"grid": _("No grid contains this location; choose the grid.")})
            fields["grid"] = found
    target_grid = fields.get("grid") or (point.grid if point else None)
    allowed = by is None or (
        target_grid is not None
        and permissions.can_edit_point(by, target_grid)
        and (point is None or permissions.can_edit_point(by, point.grid))
    )
    if not allowed:
        raise PermissionDenied(_("You may only change points inside your own scope."))
    for key in ("lon", "lat"):
        if fields.get(key) is not None:
            fields[key] = Decimal(str(fields[key])).quantize(Decimal("0.000001"))
    point = point or Point(code=code)
    values = {k: v for k, v in fields.items() if k in POINT_FIELDS}
    m2m: dict[str, Iterable[Any]] = {}
    if cooperating_units is not None:
        m2m["cooperating_units"] = list(cooperating_units)
    if responsible_people is not None:
        m2m["responsible_people"] = list(responsible_people)
    return save_audited(point, by=by, values=values, m2m=m2m,
                        region_path=target_grid.path if target_grid else "")


@transaction.atomic
def add_point_photo(point: Point, *, by: Any, data: bytes, filename: str, caption: str = "") -> PointPhoto:
    """Store a reference photo exactly as sent, after checking by content that it is an image."""
    if by is not None and not permissions.can_edit_point(by, point.grid):
        raise PermissionDenied(_("You may only change points inside your own scope."))
    check_image(data)
    digest = hashlib.sha256(data).hexdigest()
    existing = point.photos.filter(sha256=digest).first()
    if existing is not None:
        return existing
    with Image.open(io.BytesIO(data)) as image:
        width, height = image.size
    photo = PointPhoto(point=point, sha256=digest, caption=caption[:120], width=width, height=height,
                       uploaded_by=by if getattr(by, "is_authenticated", False) else None)
    photo.image.save(filename or "photo.jpg", ContentFile(data), save=False)
    photo.save()
    audit.record(actor=by, action=AuditEvent.Action.UPDATE, instance=point,
                 changes={"photos": [None, digest]}, region_path=point.grid.path)
    return photo


THUMBNAIL_LONG_EDGE, THUMBNAIL_QUALITY = 320, 75


def point_photo_thumbnail(photo: PointPhoto) -> str:
    """The storage name of the photo's thumbnail, made from it on first request and kept beside it
    (the photo itself is only read)."""
    from chuangcheng.core import images

    name = str(PurePosixPath(photo.image.name or "").with_name(f"{photo.sha256}-thumb.jpg"))
    if default_storage.exists(name):
        return name
    with photo.image.open("rb") as handle:
        data = images.shrink(handle.read(), THUMBNAIL_LONG_EDGE, THUMBNAIL_QUALITY)
    saved = default_storage.save(name, ContentFile(data))
    return str(saved)


def check_image(data: bytes) -> str:
    """The image format, or a translated ValidationError: type by content, size and pixel limits."""
    if len(data) > settings.PHOTO_MAX_BYTES:
        raise ValidationError(
            _("The photo is larger than %(mb)d MB.") % {"mb": settings.PHOTO_MAX_BYTES // (1024 * 1024)},
            code="too_large",
        )
    try:
        with Image.open(io.BytesIO(data)) as image:
            fmt = image.format or ""
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise ValidationError(_("The photo has too many pixels."), code="too_many_pixels")
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as exc:
        raise ValidationError(_("The file is not a photo we can read (JPEG, PNG or WebP)."),
                              code="not_an_image") from exc
    if fmt not in ACCEPTED_IMAGE_FORMATS:
        raise ValidationError(_("The file is not a photo we can read (JPEG, PNG or WebP)."), code="not_an_image")
    return fmt
