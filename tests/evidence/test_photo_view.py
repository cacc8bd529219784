"""The one photo-by-hash view: an app mounts it with its own scope check, and everything the
check does not allow (another photo, a malformed hash, a variant the app does not serve) is
"not found"."""

from __future__ import annotations

from typing import Any

import pytest
from django.http import Http404
from django.test import RequestFactory

from chuangcheng.evidence.models import Photo
from chuangcheng.evidence.services import accept_photo
from chuangcheng.evidence.views import photo_view
from tests.evidence.conftest import halves, jpeg


@pytest.fixture
def photos(db: None) -> tuple[Photo, Photo]:
    return (accept_photo(jpeg(), filename="mine.jpg", by=None),
            accept_photo(jpeg(halves((300, 300))), filename="other.jpg", by=None))


def test_the_view_serves_what_the_scope_check_allows_and_passes_it_the_urls_arguments(photos: Any) -> None:
    mine, other = photos
    seen: list[dict[str, Any]] = []

    def may_see(request: Any, photo: Photo, /, **where: Any) -> bool:
        seen.append(where)
        return photo == mine

    view = photo_view(may_see)
    request = RequestFactory().get("/")
    response = view(request, number="GM-1", sha256=mine.sha256, variant="thumbnail")
    assert response.status_code == 200 and response["ETag"] == f'"{mine.sha256}-thumbnail"'
    assert seen == [{"number": "GM-1"}]
    assert view(request, number="GM-1", sha256=mine.sha256.upper())["ETag"] == f'"{mine.sha256}-display"'
    assert view(request, number="GM-1", sha256=mine.sha256, variant="thumb")["ETag"].endswith('-thumbnail"')
    with pytest.raises(Http404):
        view(request, number="GM-1", sha256=other.sha256, variant="display")


@pytest.mark.parametrize("sha256, variant", [
    ("0" * 64, "display"),  # no such photo
    ("xyz", "display"),  # not a hash
    (None, "watermarked"),  # no such variant
    (None, "original"),  # a variant this app does not serve
])
def test_everything_else_is_not_found(photos: Any, sha256: str | None, variant: str) -> None:
    view = photo_view(lambda request, photo, /, **where: True, variants=("display", "thumbnail"))
    with pytest.raises(Http404):
        view(RequestFactory().get("/"), sha256=sha256 or photos[0].sha256, variant=variant)
