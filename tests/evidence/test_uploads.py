"""Photo acceptance for any app (evidence.uploads): where a photo was taken, for its watermark,
and a refused photo leaving nothing behind."""

from __future__ import annotations

import io
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from chuangcheng.evidence.forms import PhotosField
from chuangcheng.evidence.models import Photo
from chuangcheng.evidence.uploads import MAX_PHOTOS, accepted_uploads, place_of


def _named(name: str) -> Any:
    return SimpleNamespace(name=name)


def test_the_place_is_the_point_else_the_address_else_the_grid_else_the_street() -> None:
    point, grid, street = _named("甲小区"), _named("甲一网格"), _named("光明路街道")
    assert place_of(SimpleNamespace(point_id=1, point=point, address="x", grid_id=1, grid=grid)) == "甲小区"
    assert place_of(SimpleNamespace(point_id=None, address="光明路 8 号", grid_id=1, grid=grid)) == "光明路 8 号"
    assert place_of(SimpleNamespace(point_id=None, address="", grid_id=1, grid=grid)) == "甲一网格"
    assert place_of(SimpleNamespace(street_id=1, street=street)) == "光明路街道"
    assert place_of(object()) == ""


def _jpeg(name: str) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "red").save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def test_a_refused_photo_keeps_none_of_the_others(cast: Any, media: Any) -> None:
    not_a_photo = SimpleUploadedFile("note.txt", b"hello", content_type="text/plain")
    with pytest.raises(ValidationError) as refused, accepted_uploads([_jpeg("a.jpg"), not_a_photo],
                                                                     by=cast.grid_worker_a, place="甲小区"):
        pytest.fail("the step does not run")
    assert "note.txt" in str(refused.value)
    assert not Photo.objects.exists()


def test_more_photos_than_a_step_carries_are_refused_by_the_field_and_the_acceptance(cast: Any) -> None:
    files = [_jpeg(f"{i}.jpg") for i in range(MAX_PHOTOS + 1)]
    with pytest.raises(ValidationError):
        PhotosField().clean(files)
    with pytest.raises(ValidationError), accepted_uploads(files, by=cast.grid_worker_a, place=""):
        pytest.fail("the step does not run")
