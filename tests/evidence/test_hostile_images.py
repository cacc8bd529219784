"""Every kind of malformed image we can make, sent through the API (bearer token) and through the
resident page `/r/`, gets a 4xx with a translated message naming the file once, and nothing stored.

Memory bound: processing all of them (tests/evidence/hostile.py: decompression bombs of PNG, GIF,
WebP, TIFF, BMP, JPEG and PSD, truncated JPEG/PNG/WebP, a bad EXIF block, DDS, SVG, an empty
file) raises the peak resident memory of a fresh process by less than 16 MB: each is refused from
its header, before any pixel is decoded. A large picture that is allowed (a 49 MP greyscale PNG,
decoded fully) stays under 200 MB (measured: about 120 MB; the worst allowed case, a 49 MP RGB
PNG, peaks near 265 MB, as Pillow holds 4 bytes a pixel; before issue 20 one WebP took 1.1 GB).
Measured with resource.getrusage in a subprocess
(tests/evidence/measure_memory.py), as tracemalloc does not see Pillow's pixel buffers."""

from __future__ import annotations

import io
import json
import subprocess  # noqa: S404
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from chuangcheng.cases.models import Case, Category
from chuangcheng.evidence.models import Photo
from chuangcheng.org.services import create_api_token
from tests import factories as f
from tests.conftest import stored_files
from tests.evidence.hostile import HOSTILE, jpeg_with_garbage_exif

ROOT = Path(__file__).resolve().parents[2]
LON, LAT = 111.650, 40.820

# What the refusal says, in Chinese, for each file: the name then one of the pipeline's messages.
REFUSALS = ("像素过多", "不是可识别的照片", "已损坏或不完整", "是空文件")


def refusal_in(text: str, name: str) -> bool:
    return text.count(name) == 1 and any(f"{name} {words}" in text for words in REFUSALS)


@pytest.mark.parametrize("name", list(HOSTILE))
def test_the_api_refuses_a_hostile_image_with_a_translated_message(name: str, cast: Any, media: Path) -> None:
    point = f.PointFactory(code="A-GATE", name="甲小区", grid=cast.grid_a)
    _token, key = create_api_token(cast.grid_worker_a, name="手机")
    upload = io.BytesIO(HOSTILE[name]())
    upload.name = name
    response = Client(raise_request_exception=False).post(
        "/api/cases", {"category": "XC01", "description": "小广告", "point": point.code, "photos": [upload]},
        HTTP_AUTHORIZATION=f"Bearer {key}", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert refusal_in(json.dumps(error["fields"]["photos"], ensure_ascii=False), name), error
    assert not Case.objects.exists() and not Photo.objects.exists()
    assert stored_files(media) == []


@pytest.mark.parametrize("name", list(HOSTILE))
def test_the_resident_page_refuses_a_hostile_image_with_a_translated_message(name: str, cast: Any,
                                                                           media: Path) -> None:
    upload = SimpleUploadedFile(name, HOSTILE[name](), content_type="application/octet-stream")
    response = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").post("/r/", {
        "category": Category.objects.get(code="XC01").code, "description": "墙上贴满小广告",
        "lon": str(LON), "lat": str(LAT), "photos": [upload]})
    assert 400 <= response.status_code < 500
    text = response.content.decode()
    # An empty file stops at the form, with Django's own (translated) message, before the pipeline.
    assert refusal_in(text, name) or (name == "empty.jpg" and "所提交的是空文件" in text)
    assert not Case.objects.exists() and not Photo.objects.exists()
    assert stored_files(media) == []


def test_hostile_images_are_refused_before_any_pixel_is_decoded() -> None:
    """The bound of the module docstring, measured in a fresh process."""
    run = subprocess.run([sys.executable, "-m", "tests.evidence.measure_memory"],  # noqa: S603
                         cwd=ROOT, capture_output=True, text=True, timeout=120, check=True)
    figures = json.loads(run.stdout.strip().splitlines()[-1])
    assert figures["refused"] == figures["files"] == len(HOSTILE)
    assert figures["hostile_mb"] < 16, figures
    assert figures["large_mb"] < 200, figures


def test_a_photo_with_garbage_exif_is_accepted_without_time_or_place(cast: Any, media: Path) -> None:
    """Broken EXIF is not a broken photo: the report goes through, with no EXIF time or GPS kept."""
    point = f.PointFactory(code="A-GATE", name="甲小区", grid=cast.grid_a)
    _token, key = create_api_token(cast.grid_worker_a, name="手机")
    upload = io.BytesIO(jpeg_with_garbage_exif())
    upload.name = "odd-exif.jpg"
    response = Client().post(
        "/api/cases", {"category": "XC01", "description": "小广告", "point": point.code, "photos": [upload]},
        HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 201, response.content
    photo = Photo.objects.get()
    assert photo.taken_at is None and photo.lon is None and photo.lat is None
