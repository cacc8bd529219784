"""Uploads built to break the decoder get a 4xx with a translated refusal that names the file once,
never a 500."""

from __future__ import annotations

import struct
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from chuangcheng.cases.models import Case
from tests.public.conftest import LAT, LON, Scene, jpeg


def dds_of_unknown_pixel_format() -> bytes:
    """A DirectDraw Surface whose pixel format Pillow knows no decoder for: Pillow raises
    NotImplementedError from Image.open (not an OSError)."""
    header = struct.pack("<7I", 124, 0x1 | 0x2 | 0x4 | 0x1000, 64, 64, 0, 0, 0) + bytes(44)
    pixel_format = struct.pack("<2I", 32, 0x4) + b"XXXX" + bytes(20)
    return b"DDS " + header + pixel_format + struct.pack("<5I", 0x1000, 0, 0, 0, 0) + bytes(4096)


def post(scene: Scene, name: str, data: bytes) -> Any:
    upload = SimpleUploadedFile(name, data, content_type="application/octet-stream")
    return Client(HTTP_ACCEPT_LANGUAGE="zh-hans").post("/r/", {
        "category": scene.category.code, "description": "墙上贴满小广告", "lon": str(LON), "lat": str(LAT),
        "photos": [upload]})


def test_a_dds_file_is_refused_with_a_translated_message(scene: Scene) -> None:
    response = post(scene, "x.dds", dds_of_unknown_pixel_format())
    assert response.status_code == 400
    body = response.content.decode()
    assert "x.dds 不是可识别的照片" in body
    assert Case.objects.count() == 0


def test_a_refusal_names_the_file_once(scene: Scene, settings: Any) -> None:
    settings.PHOTO_MAX_PIXELS = 100
    response = post(scene, "big.jpg", jpeg("red"))
    assert response.status_code == 400
    body = response.content.decode()
    assert "big.jpg 像素过多" in body
    assert body.count("big.jpg") == 1
