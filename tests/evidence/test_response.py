"""Serving a photo: privately cached, each version with its own type; lost derived files come back."""

from __future__ import annotations

import pytest
from django.http import Http404

from chuangcheng.evidence.models import Photo
from chuangcheng.evidence.services import accept_photo
from chuangcheng.evidence.views import photo_response
from tests.evidence.conftest import encoded, halves, jpeg


def body(response: object) -> bytes:
    return b"".join(response.streaming_content)  # type: ignore[attr-defined]


@pytest.mark.parametrize("variant", ["display", "thumbnail", "medium", "original"])
def test_each_version_is_served_with_private_caching(db: None, variant: str) -> None:
    data = encoded(halves(), "PNG")
    photo = accept_photo(data, filename="a.png", by=None)
    response = photo_response(photo, variant)
    assert response["Cache-Control"] == "private, max-age=31536000"  # a year, in the viewer's cache only
    assert response["Content-Type"] == ("image/png" if variant == "original" else "image/jpeg")
    content = body(response)
    if variant == "original":
        assert content == data


def test_an_unknown_version_is_not_found(db: None) -> None:
    photo = accept_photo(jpeg(), filename="a.jpg", by=None)
    with pytest.raises(Http404):
        photo_response(photo, "exif")


def test_a_lost_thumbnail_is_made_again_when_asked_for(db: None) -> None:
    photo = accept_photo(jpeg(), filename="a.jpg", by=None)
    photo.thumbnail.storage.delete(photo.thumbnail.name)
    response = photo_response(Photo.objects.get(pk=photo.pk), "thumbnail")
    assert body(response)[:2] == b"\xff\xd8"
