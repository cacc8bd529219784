"""Serving a photo. Photos are never public media files: the caller's view decides who may see
the case, inspection or point, then hands the photo to `photo_response`."""

from __future__ import annotations

from django.http import FileResponse, Http404

from chuangcheng.evidence import services
from chuangcheng.evidence.models import Photo

CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "HEIF": "image/heic"}


def photo_response(photo: Photo, variant: str = Photo.Variant.DISPLAY) -> FileResponse:
    """A FileResponse for one version of the photo ("display", "thumbnail", "original"),
    cacheable by the viewer's browser only. A lost display version or thumbnail is made again."""
    if variant == Photo.Variant.ORIGINAL:
        field, content_type = photo.original, CONTENT_TYPES.get(photo.format, "application/octet-stream")
        filename = f"{photo.sha256}.{(photo.original.name or '').rsplit('.', 1)[-1]}"
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
    response = FileResponse(handle, content_type=content_type, filename=filename)
    # The bytes behind a name never change (derived files are rewritten under the same name only
    # when regenerated, which is rare): a day in the viewer's own cache, never in a shared one.
    response["Cache-Control"] = "private, max-age=86400"
    response["ETag"] = f'"{photo.sha256}-{variant}"'
    return response
