"""Accepting a photo: the original kept byte for byte, EXIF read, upright derived versions without EXIF."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import zoneinfo
from decimal import Decimal
from typing import Any

import pytest
from PIL import Image

from chuangcheng.core.models import AuditEvent
from chuangcheng.evidence import pipeline
from chuangcheng.evidence.models import Photo
from chuangcheng.evidence.services import accept_photo, regenerate_derivatives
from tests.evidence.conftest import camera_exif, encoded, gps_hohhot, halves, jpeg, noise_jpeg

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


pytestmark = pytest.mark.usefixtures("after_the_shot")

def read(field: Any) -> bytes:
    with field.open("rb") as handle:
        return handle.read()


def test_the_original_is_kept_byte_for_byte_with_its_sha256(cast: Any) -> None:
    data = jpeg(exif=camera_exif(gps=gps_hohhot(), orientation=6))
    photo = accept_photo(data, filename="IMG_0001.JPG", by=cast.grid_worker_a, caption=" 门口堆物 ")
    photo.refresh_from_db()
    assert read(photo.original) == data
    assert photo.sha256 == hashlib.sha256(data).hexdigest()
    assert photo.size == len(data) and photo.format == "JPEG"
    assert photo.original.name.startswith("evidence/") and photo.sha256 in photo.original.name
    assert photo.uploaded_by == cast.grid_worker_a and photo.caption == "门口堆物"
    assert AuditEvent.objects.filter(object_type="evidence.photo", actor=cast.grid_worker_a).count() == 1
    regenerate_derivatives(photo)
    assert read(photo.original) == data


def test_exif_time_and_gps_are_read(db: None) -> None:
    photo = accept_photo(jpeg(exif=camera_exif(gps=gps_hohhot())), filename="a.jpg", by=None)
    photo.refresh_from_db()
    assert photo.taken_at == dt.datetime(2026, 11, 28, 9, 15, 30, tzinfo=SHANGHAI)
    assert photo.lat == Decimal("40.820000") and photo.lon == Decimal("111.650000")
    assert photo.has_location


def test_exif_time_with_an_offset_keeps_the_offset(db: None) -> None:
    photo = accept_photo(jpeg(exif=camera_exif(offset="+00:00")), filename="a.jpg", by=None)
    assert photo.taken_at == dt.datetime(2026, 11, 28, 9, 15, 30, tzinfo=dt.UTC)


@pytest.mark.parametrize("gps", [
    {1: "N", 2: (40.0, 49.0), 3: "E", 4: (111.0, 39.0, 0.0)},           # two numbers, not three
    {1: "X", 2: (40.0, 49.0, 12.0), 3: "E", 4: (111.0, 39.0, 0.0)},     # no such hemisphere
    {1: "N", 2: (140.0, 0.0, 0.0), 3: "E", 4: (111.0, 39.0, 0.0)},      # latitude 140°
    {1: "N", 2: (0.0, 0.0, 0.0), 3: "E", 4: (0.0, 0.0, 0.0)},           # no fix written as 0,0
    {1: "N", 2: (40.0, 49.0, 12.0)},                                     # latitude only
])
def test_broken_gps_is_kept_as_none_not_an_error(db: None, gps: dict[int, Any]) -> None:
    photo = accept_photo(jpeg(exif=camera_exif(gps=gps)), filename="a.jpg", by=None)
    assert photo.lon is None and photo.lat is None
    assert photo.taken_at is not None


def test_gps_with_a_zero_denominator_is_kept_as_none() -> None:
    from PIL.TiffImagePlugin import IFDRational

    exif = camera_exif(gps={1: "N", 2: (IFDRational(40, 0), 0.0, 0.0), 3: "E", 4: (111.0, 39.0, 0.0)})
    assert pipeline.gps_from_exif(exif) == (None, None)


def test_a_photo_without_exif_has_no_time_and_no_place(db: None) -> None:
    photo = accept_photo(encoded(halves(), "PNG"), filename="screen.png", by=None)
    assert photo.taken_at is None and photo.lon is None and photo.format == "PNG"
    assert photo.original.name.endswith(".png")


def test_orientation_6_turns_the_display_version_upright(db: None) -> None:
    photo = accept_photo(jpeg(halves((400, 200)), exif=camera_exif(orientation=6)), filename="a.jpg", by=None)
    assert (photo.width, photo.height) == (200, 400)
    display = Image.open(io.BytesIO(read(photo.display)))
    assert display.size == (200, 400)
    red, _, blue = display.getpixel((100, 20))  # stored left (red) is on top once turned clockwise
    assert red > 150 and blue < 80
    thumb = Image.open(io.BytesIO(read(photo.thumbnail)))
    assert thumb.size == (160, 320)


def test_derived_versions_carry_no_exif(db: None) -> None:
    data = jpeg(noise_jpeg_image(), exif=camera_exif(gps=gps_hohhot(), orientation=3))
    photo = accept_photo(data, filename="a.jpg", by=None, watermark="2026-11-28 09:15 甲社区 张三")
    for field in (photo.display, photo.thumbnail):
        content = read(field)
        assert b"Exif\x00\x00" not in content and b"TestCam" not in content
        assert len(Image.open(io.BytesIO(content)).getexif()) == 0


def noise_jpeg_image() -> Image.Image:
    return Image.open(io.BytesIO(noise_jpeg(2400, 1800)))


def test_the_display_version_is_at_most_1600_and_the_thumbnail_320(db: None) -> None:
    photo = accept_photo(noise_jpeg(2400, 1800), filename="a.jpg", by=None, watermark="ASCII only, 09:15")
    assert Image.open(io.BytesIO(read(photo.display))).size == (1600, 1200)
    assert Image.open(io.BytesIO(read(photo.thumbnail))).size == (320, 240)


def test_a_12_megapixel_jpeg_is_accepted(db: None) -> None:
    data = noise_jpeg(4000, 3000)
    photo = accept_photo(data, filename="IMG_1200.JPG", by=None, watermark="2026-11-29 08:00 · 乙社区 · 李四")
    assert (photo.width, photo.height) == (4000, 3000)
    assert Image.open(io.BytesIO(read(photo.display))).size == (1600, 1200)


def test_the_same_bytes_twice_give_the_same_photo(db: None) -> None:
    data = jpeg()
    first = accept_photo(data, filename="a.jpg", by=None)
    second = accept_photo(data, filename="again.jpg", by=None)
    assert first.pk == second.pk and Photo.objects.count() == 1


@pytest.mark.parametrize("fmt", ["WEBP", "PNG"])
def test_webp_and_png_are_accepted(db: None, fmt: str) -> None:
    image = halves().convert("RGBA")
    photo = accept_photo(encoded(image, fmt), filename=f"a.{fmt.lower()}", by=None)
    assert photo.format == fmt
    assert Image.open(io.BytesIO(read(photo.display))).format == "JPEG"


def test_heic_from_an_iphone_is_accepted(db: None) -> None:
    try:
        data = encoded(halves((640, 480)), "HEIF")
    except (OSError, KeyError, ValueError, RuntimeError) as exc:
        pytest.skip(f"this machine's libheif cannot encode HEIF: {exc}")
    photo = accept_photo(data, filename="IMG_0002.HEIC", by=None)
    assert photo.format == "HEIF" and photo.original.name.endswith(".heic")
    assert (photo.width, photo.height) == (640, 480)
    assert read(photo.original) == data


def test_a_watermark_in_chinese_falls_back_when_no_font_has_chinese(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline, "cjk_font_path", lambda: None)
    pipeline.watermark_font.cache_clear()
    try:
        photo = accept_photo(jpeg(), filename="a.jpg", by=None, watermark="2026-11-28 光明路 王五")
    finally:
        pipeline.watermark_font.cache_clear()
    assert photo.display


def test_the_watermark_is_drawn_on_the_display_version() -> None:
    plain = pipeline.make_derivatives(jpeg(halves((800, 400))))
    marked = pipeline.make_derivatives(jpeg(halves((800, 400))), watermark="2026-11-28 09:15 · 甲社区 · 张三")
    foot = (400, 395)
    assert Image.open(io.BytesIO(plain.display)).getpixel(foot) != Image.open(io.BytesIO(marked.display)).getpixel(foot)


def test_derived_versions_are_made_again_from_the_original(db: None) -> None:
    photo = accept_photo(jpeg(), filename="a.jpg", by=None, watermark="old")
    display_name = photo.display.name
    photo.display.storage.delete(display_name)
    regenerate_derivatives(photo)
    photo.refresh_from_db()
    assert photo.display.name == display_name and photo.display.storage.exists(display_name)
