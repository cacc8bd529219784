"""Each bad upload gets a clear, translated refusal, and nothing is stored."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from chuangcheng.core.models import AuditEvent
from chuangcheng.evidence.models import Photo
from chuangcheng.evidence.services import accept_photo
from tests.conftest import stored_files
from tests.evidence.conftest import encoded, halves, jpeg, noise_jpeg, png_header_only


def refusal(data: bytes, filename: str = "IMG_0001.jpg") -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        accept_photo(data, filename=filename, by=None)
    return caught.value


@pytest.fixture(autouse=True)
def nothing_stored(db: None, media: Path) -> Any:
    yield
    assert Photo.objects.count() == 0
    assert not AuditEvent.objects.filter(object_type="evidence.photo").exists()
    assert stored_files(media) == []


def test_it_refuses_an_empty_file() -> None:
    assert refusal(b"").code == "empty"


def test_it_refuses_a_text_file_renamed_jpg() -> None:
    error = refusal(b"This is not a photo, just text with a .jpg name.\n" * 20)
    assert error.code == "not_an_image"
    assert "IMG_0001.jpg" in error.messages[0]


def test_it_refuses_an_image_format_it_does_not_accept() -> None:
    assert refusal(encoded(halves(), "GIF"), "a.gif").code == "unsupported_format"


def test_it_refuses_a_truncated_jpeg() -> None:
    data = noise_jpeg(800, 600)
    assert refusal(data[: len(data) // 2]).code == "truncated"


def test_it_refuses_a_20000_by_20000_png_before_decoding_it() -> None:
    assert refusal(png_header_only(20000, 20000), "bomb.png").code == "too_many_pixels"


def test_it_refuses_more_pixels_than_the_configured_limit(settings: Any) -> None:
    settings.PHOTO_MAX_PIXELS = 100 * 100
    assert refusal(jpeg(halves((200, 100)))).code == "too_many_pixels"


def test_it_refuses_a_photo_over_the_size_limit(settings: Any) -> None:
    data = noise_jpeg(800, 600)
    settings.PHOTO_MAX_BYTES = len(data) - 1
    error = refusal(data)
    assert error.code == "too_large"


def test_the_refusal_is_translated(settings: Any) -> None:
    with translation.override("zh-hans"):
        message = refusal(b"").messages[0]
    with translation.override("en"):
        english = refusal(b"").messages[0]
    assert "IMG_0001.jpg" in message and english == "IMG_0001.jpg is an empty file."
