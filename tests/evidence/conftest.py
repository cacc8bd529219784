"""Photo makers for the evidence tests: real encoders, small pictures, EXIF written by Pillow."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from chuangcheng.evidence import pipeline


@pytest.fixture(autouse=True)
def media(media: Path) -> Path:
    """Each test stores its files in its own directory."""
    return media


def halves(size: tuple[int, int] = (400, 200)) -> Image.Image:
    """Left half red, right half blue: which way is up shows after orientation."""
    image = Image.new("RGB", size, (220, 0, 0))
    image.paste((0, 0, 220), (size[0] // 2, 0, size[0], size[1]))
    return image


def jpeg(image: Image.Image | None = None, *, exif: Image.Exif | None = None, quality: int = 90) -> bytes:
    out = io.BytesIO()
    options: dict[str, Any] = {"quality": quality}
    if exif is not None:
        options["exif"] = exif
    (image or halves()).save(out, format="JPEG", **options)
    return out.getvalue()


def encoded(image: Image.Image, fmt: str) -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt)
    return out.getvalue()


def camera_exif(*, taken: str | None = "2026:11:28 09:15:30", offset: str | None = None,
                gps: dict[int, Any] | None = None, orientation: int | None = None) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "TestCam"
    if orientation is not None:
        exif[pipeline.TAG_ORIENTATION] = orientation
    sub = exif.get_ifd(pipeline.IFD_EXIF)
    if taken is not None:
        sub[pipeline.TAG_DATETIME_ORIGINAL] = taken
    if offset is not None:
        sub[pipeline.TAG_OFFSET_TIME_ORIGINAL] = offset
    if gps is not None:
        exif.get_ifd(pipeline.IFD_GPS).update(gps)
    return exif


def gps_hohhot() -> dict[int, Any]:
    """40°49'12" N, 111°39'0" E (a square in Hohhot)."""
    return {
        pipeline.GPS_LAT_REF: "N", pipeline.GPS_LAT: (40.0, 49.0, 12.0),
        pipeline.GPS_LON_REF: "E", pipeline.GPS_LON: (111.0, 39.0, 0.0),
    }


def noise_jpeg(width: int, height: int, *, seed: int = 7) -> bytes:
    """A photo-like JPEG: smooth gradients plus noise, so it compresses like a real one."""
    import random

    rng = random.Random(seed)
    noise = Image.frombytes("L", (width // 4, height // 4), rng.randbytes((width // 4) * (height // 4)))
    base = Image.merge("RGB", [
        Image.linear_gradient("L").resize((width, height)),
        noise.resize((width, height), Image.Resampling.BILINEAR),
        Image.radial_gradient("L").resize((width, height)),
    ])
    grain = Image.effect_noise((width, height), 24).convert("RGB")
    return jpeg(Image.blend(base, grain, 0.25), quality=88)


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims width × height but carries one tiny IDAT: a decompression-bomb shape."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
            + chunk(b"IEND", b""))
