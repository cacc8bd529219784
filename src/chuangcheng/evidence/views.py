"""Serving a photo. Photos are never public media files. One view serves a photo by its SHA-256
and variant (`photo_view`): each app mounts it behind its own URL with its own scope check, a
callable that says whether the user may see that photo (it is one of this case's, this task's …
and the user may see the case, the task …); anything else is "not found"."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from typing import Any

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest

from chuangcheng.evidence import services
from chuangcheng.evidence.models import Photo

CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "HEIF": "image/heic"}


def photo_response(photo: Photo, variant: str = Photo.Variant.DISPLAY) -> FileResponse:
    """A FileResponse for one version of the photo ("display", "thumbnail", "medium", "original"),
    cacheable by the viewer's browser only. A lost display version or thumbnail is made again."""
    if variant == Photo.Variant.ORIGINAL:
        field, content_type = photo.original, CONTENT_TYPES.get(photo.format, "application/octet-stream")
        filename = f"{photo.sha256}.{(photo.original.name or '').rsplit('.', 1)[-1]}"
    elif variant == Photo.Variant.MEDIUM:
        handle = default_storage.open(services.medium(photo), "rb")
        return _cached(FileResponse(handle, content_type="image/jpeg", filename=f"{photo.sha256}-medium.jpg"),
                       photo, variant)
    elif variant in (Photo.Variant.DISPLAY, Photo.Variant.THUMBNAIL):
        field, content_type = getattr(photo, str(variant)), "image/jpeg"
        filename = f"{photo.sha256}-{variant}.jpg"
    else:
        raise Http404
    try:
        handle = field.open("rb")
    except (FileNotFoundError, ValueError):
        if variant == Photo.Variant.ORIGINAL:
            raise Http404 from None
        services.regenerate_derivatives(photo)
        handle = getattr(photo, str(variant)).open("rb")
    return _cached(FileResponse(handle, content_type=content_type, filename=filename), photo, variant)


def _cached(response: FileResponse, photo: Photo, variant: str) -> FileResponse:
    # The bytes behind a URL (the photo's SHA-256 and the variant) never change (derived files are
    # rewritten under the same name only when regenerated, which is rare): a year in the viewer's
    # own cache, never in a shared one (the URL's access check runs for each person).
    response["Cache-Control"] = "private, max-age=31536000"
    response["ETag"] = f'"{photo.sha256}-{variant}"'
    return response


SHA256 = re.compile(r"[0-9a-f]{64}")
# The API's short name for the thumbnail.
VARIANT_ALIASES = {"thumb": Photo.Variant.THUMBNAIL}


# An app's scope check, `may_see(request, photo, **where) -> bool`: may the requesting user see
# `photo` where the URL names it? It gets the URL's other arguments (the case number, the task
# number …) as keywords, and may raise Http404 or PermissionDenied itself when the thing the URL
# names is not the user's.
MaySee = Callable[..., bool]


def serve_photo(request: HttpRequest, sha256: str, variant: str, may_see: MaySee, *,
                variants: Collection[str] = tuple(Photo.Variant.values), **where: Any) -> FileResponse:
    """The photo with this SHA-256 in this variant, if `may_see` says the user may see it there."""
    variant = VARIANT_ALIASES.get(variant, variant)
    sha256 = sha256.lower()
    if variant not in variants or not SHA256.fullmatch(sha256):
        raise Http404
    photo = Photo.objects.filter(sha256=sha256).first()
    if photo is None or not may_see(request, photo, **where):
        raise Http404
    return photo_response(photo, Photo.Variant(variant))


def photo_view(may_see: MaySee, *, variants: Collection[str] = tuple(Photo.Variant.values)
               ) -> Callable[..., FileResponse]:
    """The photo-by-hash view for one app: mount it at a URL with `sha256`, optionally `variant`
    (default: the display version) and whatever names the thing the photo belongs to."""

    def view(request: HttpRequest, sha256: str, variant: str = Photo.Variant.DISPLAY, **where: Any) -> FileResponse:
        return serve_photo(request, sha256, variant, may_see, variants=variants, **where)

    view.__doc__ = may_see.__doc__
    return view
